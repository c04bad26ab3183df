"""Fail the build when a page lacks a language version: static-i18n would silently fall back."""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from ramverk.contract import site_config
from ramverk.pages import translations


def on_config(config):
    site_config.use_root(Path(config.config_file_path).parent)
    return config


def on_pre_build(config):
    missing = translations.missing_pages()
    if missing:
        raise PluginError("translations missing:\n  " + "\n  ".join(missing))
