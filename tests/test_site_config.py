"""Where the settings come from (contract/site_config.py): the checkout is found from the working
directory (RAMVERK_ROOT overrides), each setting has one source, and the MkDocs hooks get the checkout
from the mkdocs.yml MkDocs reads, with no hidden global state."""

from __future__ import annotations

from types import SimpleNamespace

import helpers
import pytest
from mkdocs.exceptions import PluginError
from ramverk.contract import site_config
from ramverk.executor import sandbox

RUNNER = "[tool.ramverk.runner]\n"


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A throwaway checkout (mkdocs.yml and a pyproject.toml) as the working directory, no RAMVERK_ROOT."""
    monkeypatch.delenv("RAMVERK_ROOT", raising=False)
    root = helpers.checkout(tmp_path / "clone", pyproject=RUNNER + 'results_dir = "measured"\nmemory_limit_gib = 3\n')
    (root / "docs" / "topic").mkdir(parents=True)
    monkeypatch.chdir(root / "docs" / "topic")
    return root.resolve()


# --- which checkout ------------------------------------------------------------------------------

def test_the_checkout_is_the_nearest_folder_above_the_working_directory(checkout):
    assert site_config.find_root() == checkout
    assert site_config.load().root == checkout and site_config.project().root == checkout
    assert site_config.load().languages[0] == "sv"  # read from its mkdocs.yml: the default language first


def test_ramverk_root_overrides_the_working_directory(checkout, tmp_path, monkeypatch):
    other = helpers.checkout(tmp_path / "other")
    monkeypatch.setenv("RAMVERK_ROOT", str(other))
    assert site_config.find_root() == other.resolve()
    assert site_config.project().results_dir == other.resolve() / "results"


def test_outside_any_checkout_nothing_is_guessed(tmp_path, monkeypatch):
    monkeypatch.delenv("RAMVERK_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(site_config.RootNotFound, match="pass --root / set RAMVERK_ROOT"):
        site_config.load()


# --- one source per setting ----------------------------------------------------------------------

def test_the_results_folder_comes_from_pyproject_only(checkout, tmp_path, monkeypatch):
    monkeypatch.setenv("RAMVERK_RESULTS_DIR", str(tmp_path / "ignored"))  # once a second source; no more
    assert site_config.project().results_dir == checkout / "measured"
    (checkout / "pyproject.toml").write_text(RUNNER + f'results_dir = "{tmp_path / "absolute"}"\n')
    site_config._project.cache_clear()  # settings are read once per checkout: read them again
    assert site_config.project().results_dir == tmp_path / "absolute"  # an absolute path is kept as it is
    (checkout / "pyproject.toml").write_text(RUNNER)
    site_config._project.cache_clear()
    assert site_config.project().results_dir == checkout / "results"  # the default


def test_the_sandbox_memory_limit_comes_from_pyproject_only(checkout, tmp_path, monkeypatch):
    assert sandbox.memory_limit_bytes() == 3 << 30
    assert not hasattr(sandbox, "DEFAULT_MEMORY_GIB")  # no fallback figure of its own
    (checkout / "pyproject.toml").write_text(RUNNER + "memory_limit_gib = 0\n")
    site_config._project.cache_clear()
    assert sandbox.memory_limit_bytes() is None  # 0: no limit, as documented
    monkeypatch.chdir(tmp_path)  # outside any checkout: an error, not a made-up limit
    with pytest.raises(site_config.RootNotFound):
        sandbox.memory_limit_bytes()


# --- the MkDocs hooks ----------------------------------------------------------------------------

def test_a_build_gets_the_checkout_of_its_mkdocs_yml(checkout):
    config = site_config.for_build(str(checkout / "mkdocs.yml"))
    assert config.root == checkout and config is site_config.load()
    assert site_config.for_build(None).root == checkout  # a config built in memory: the found checkout
    assert not hasattr(site_config, "use_root") and not hasattr(site_config, "_current_root")


def test_a_build_of_another_checkouts_mkdocs_yml_fails_naming_both(checkout, tmp_path):
    other = helpers.checkout(tmp_path / "other").resolve()
    with pytest.raises(site_config.RootNotFound) as raised:
        site_config.for_build(str(other / "mkdocs.yml"))
    assert str(other / "mkdocs.yml") in str(raised.value) and str(checkout) in str(raised.value)
    assert f"RAMVERK_ROOT={other}" in str(raised.value)


def test_a_build_from_outside_any_checkout_says_how_to_point_at_it(checkout, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(site_config.RootNotFound, match=f"RAMVERK_ROOT={checkout}"):
        site_config.for_build(str(checkout / "mkdocs.yml"))


def test_the_first_hook_turns_a_mismatch_into_a_build_error(checkout, tmp_path):
    from ramverk.hooks import translation_guard

    same = SimpleNamespace(config_file_path=str(checkout / "mkdocs.yml"))
    assert translation_guard.on_config(same) is same
    other = helpers.checkout(tmp_path / "other")
    with pytest.raises(PluginError, match="this build reads"):
        translation_guard.on_config(SimpleNamespace(config_file_path=str(other / "mkdocs.yml")))

