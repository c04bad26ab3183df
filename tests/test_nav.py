"""The nav editor a new note uses (ramverk/contrib/nav.py): mkdocs.yml edited as text, each page in its
topic's section, its title translated, titles quoted where YAML would misread them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ramverk.contrib import nav


MKDOCS = """\
site_name: Test
plugins:
  - i18n:
      languages:
        - locale: en
          nav_translations:
            Hem: Home
            Exekvering: Execution
# Titles are Swedish here.
nav:
  - Hem: index.md
  - Exekvering:
      - Översikt: execution/overview.md
      - JAX: execution/jax.md
  # nav:autodiff
  - Om Ramverk:
      - Bidra: about/contributing.md
"""


@pytest.fixture
def mkdocs_yml(tmp_path) -> Path:
    path = tmp_path / "mkdocs.yml"
    path.write_text(MKDOCS, encoding="utf-8")
    return path


def test_nav_appends_to_the_topics_section_and_translates_the_title(mkdocs_yml):
    done = nav.add_page(mkdocs_yml, "execution", "numba", "Numba: snabbt", "Numba: fast", "Exekvering", "Execution")
    text = mkdocs_yml.read_text(encoding="utf-8")
    assert "      - JAX: execution/jax.md\n      - 'Numba: snabbt': execution/numba.md\n  # nav:autodiff" in text
    assert "            Exekvering: Execution\n            'Numba: snabbt': 'Numba: fast'\n" in text
    assert "# Titles are Swedish here." in text  # edited as text: comments stay
    assert done == ["mkdocs.yml: nav: added execution/numba.md to its topic's section",
                    "mkdocs.yml: nav_translations: Numba: snabbt -> Numba: fast"]


def test_nav_puts_a_new_section_at_its_comment_or_before_about(mkdocs_yml):
    nav.add_page(mkdocs_yml, "autodiff", "grad", "Gradienter", "Gradients", "Autodiff", "Autodiff")
    nav.add_page(mkdocs_yml, "hardware", "gpu", "GPU:er", "GPUs", "Hårdvara", "Hardware")
    text = mkdocs_yml.read_text(encoding="utf-8")
    assert "  # nav:autodiff\n  - Autodiff:\n      - Gradienter: autodiff/grad.md\n" in text
    assert "  - Hårdvara:\n      - GPU:er: hardware/gpu.md\n  - Om Ramverk:\n" in text
    assert "Autodiff: Autodiff" not in text  # the same in both languages: no translation line
    assert "Hårdvara: Hardware" in text


def test_nav_twice_changes_nothing_and_a_conflicting_translation_is_refused(mkdocs_yml):
    nav.add_page(mkdocs_yml, "execution", "numba", "Numba", "Numba", "Exekvering", "Execution")
    before = mkdocs_yml.read_text(encoding="utf-8")
    assert nav.add_page(mkdocs_yml, "execution", "numba", "Numba", "Numba", "Exekvering", "Execution") == [
        "mkdocs.yml: execution/numba.md is already in the nav"]
    assert mkdocs_yml.read_text(encoding="utf-8") == before
    with pytest.raises(nav.NavError, match="already translated as 'Execution'"):
        nav.add_page(mkdocs_yml, "execution", "other", "Annat", "Other", "Exekvering", "Running")


def test_nav_needs_a_nav_and_translations(tmp_path):
    path = tmp_path / "mkdocs.yml"
    path.write_text("site_name: Test\n", encoding="utf-8")
    with pytest.raises(nav.NavError, match="no top-level nav"):
        nav.add_page(path, "t", "p", "T", "T", "S", "S")
    path.write_text("site_name: Test\nnav:\n  - Hem: index.md\n", encoding="utf-8")
    with pytest.raises(nav.NavError, match="no nav_translations"):
        nav.add_page(path, "t", "p", "Titel", "Title", "Avsnitt", "Section")


def test_nav_quotes_titles_yaml_would_misread(mkdocs_yml):
    nav.add_page(mkdocs_yml, "execution", "yes", "yes", "Yes: really", "Exekvering", "Execution")
    nav.add_page(mkdocs_yml, "execution", "hash", "# inte en kommentar", "# not a comment", "Exekvering", "Execution")
    loaded = yaml.safe_load(mkdocs_yml.read_text(encoding="utf-8"))
    section = next(item["Exekvering"] for item in loaded["nav"] if isinstance(item, dict) and "Exekvering" in item)
    assert {"yes": "execution/yes.md"} in section  # a string, not the boolean True
    assert {"# inte en kommentar": "execution/hash.md"} in section
    translations = loaded["plugins"][0]["i18n"]["languages"][0]["nav_translations"]
    assert translations["yes"] == "Yes: really" and translations["# inte en kommentar"] == "# not a comment"


def test_nav_ignores_a_page_of_another_topic_with_a_similar_name(mkdocs_yml):
    nav.add_page(mkdocs_yml, "exec", "overview", "Annan", "Other", "Exec", "Exec")
    text = mkdocs_yml.read_text(encoding="utf-8")
    assert "  - Exec:\n      - Annan: exec/overview.md\n  - Om Ramverk:" in text  # not in execution/'s section
    assert text.count("overview.md") == 2
