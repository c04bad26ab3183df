"""Fail the build when a page lacks a language version: static-i18n would silently fall back.

First of the hooks, it also fails a build whose mkdocs.yml is not the checkout the tooling reads
(site_config.for_build), before any page is read."""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from ramverk.contract import site_config
from ramverk.pages import translations


def on_config(config):
    try:
        site_config.for_build(config.config_file_path)
    except site_config.RootNotFound as error:
        raise PluginError(str(error)) from None
    return config


def on_pre_build(config):
    missing = translations.missing_pages()
    if missing:
        raise PluginError("translations missing:\n  " + "\n  ".join(missing))
