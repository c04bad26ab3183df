"""`check swedish-style`: each Swedish rule a pattern can catch, named with file:line, in prose only."""

from __future__ import annotations

import pytest
from ramverk.checks import swedish_style
from test_check_contrib import GOOD, make_site, run_check

HITS = [
    # (Swedish prose, the word the check names, part of the rule it states)
    ("Varje anrop startar tre kernels.", "kernels", "kernlar"),
    ("Vanligt minne är sidindelat.", "sidindelat", "växlingsbart (pageable)"),
    ("Då dominerar Python-overheaden.", "Python-overheaden", "startkostnaden"),
    ("XLA fusionerar kedjan.", "fusionerar", "slå ihop"),
    ("Hur många multiplikation-additioner per cykel?", "multiplikation-additioner", "sammansatt: FMA"),
    ("Var ligger datan?", "datan", "uncountable"),
    ("Den jitade funktionen.", "jitade", "jittade"),
    ("TensorFlows körtidsmiljö för mikrokontroller.", "körtidsmiljö", "körmiljö"),
    ("På ett H200 tar det längre tid.", "ett H200", "en H200"),
    ("Mätningen bevisar att kopian kostar.", "bevisar", "visar"),
    ("I profilerarens spårning syns tre kernlar.", "spårning", "tidslinjen"),
]


@pytest.mark.parametrize(("text", "word", "rule"), HITS, ids=[h[1] for h in HITS])
def test_each_rule_names_file_line_word_and_rule(text: str, word: str, rule: str) -> None:
    problems = swedish_style.lint("docs/x.sv.md", f"# Rubrik\n\nFörsta raden.\n{text}\n")
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"docs/x.sv.md:4: {word!r}: ")
    assert rule in problems[0]


def test_a_sentence_rule_needs_its_subject_in_the_same_sentence() -> None:
    text = "# R\n\nInduktionen bevisar satsen. Tabellen visar tiderna.\n\nSpårningen av `f` spelar in en graf.\n"
    assert swedish_style.lint("docs/x.sv.md", text) == []
    # The subject in the sentence, over a line break, makes it a hit.
    assert swedish_style.lint("docs/x.sv.md", "# R\n\nTiderna i tabellen\nbevisar det.\n") == [
        "docs/x.sv.md:4: 'bevisar': a measurement or a run visar, it does not bevisa (STYLE_GUIDE.md, Swedish)"]


def test_code_comments_link_targets_and_attribute_lists_are_not_prose() -> None:
    text = (
        "---\ntitle: Om kernlar\nterms: [kernel]\n---\n\n"
        "# Om kernlar {#kernels}\n\n"
        "Se `CountKernels` och [sidan](../execution/launch-overhead.md#kernels).\n"
        "<!-- claim: snippets/x.py framework=jax faster=jitade slower=eager -->\n\n"
        "```python\nprint('datan', 'kernels')\n```\n\n"
        "    indenterad kod med kernels\n"
    )
    assert swedish_style.lint("docs/x.sv.md", text) == []
    # The title is prose the reader sees.
    assert swedish_style.lint("docs/x.sv.md", "---\ntitle: Om kernels\n---\n\nText.\n") == [
        "docs/x.sv.md:2: 'kernels': write kernlar (kernlarna), as the glossary inflects kernel (STYLE_GUIDE.md, Swedish)"]


def test_the_check_reads_swedish_pages_only(tmp_path) -> None:
    bad = "Tre kernels och datan.\n"
    result = run_check(make_site(tmp_path, en_extra=bad, sv_extra=bad), "swedish-style")
    assert result.returncode != 0
    line = len(GOOD.splitlines()) + 1
    assert result.stdout.splitlines()[:2] == [
        f"docs/topic/page.sv.md:{line}: 'kernels': write kernlar (kernlarna), as the glossary inflects kernel "
        "(STYLE_GUIDE.md, Swedish)",
        f"docs/topic/page.sv.md:{line}: 'datan': data is uncountable in written Swedish (data, var data lagras) "
        "(STYLE_GUIDE.md, Swedish)",
    ]
    assert "page.en.md" not in result.stdout
