"""A warm build reuses the page work of the last one (ramverk/contract/build_memo.py): the inputs are
fingerprinted before each build, `serve`'s rebuilds included, and forgotten after it."""

from __future__ import annotations

from mkdocs.plugins import event_priority
from ramverk.contract import build_memo, site_config


@event_priority(100)  # before any hook's own on_pre_build
def on_pre_build(config):
    build_memo.begin(site_config.for_build(config.config_file_path).root, config.site_url or "")


@event_priority(-200)  # after every other hook's on_post_build (publish_safety's final pass uses it)
def on_post_build(config):
    build_memo.end()


def on_build_error(error):
    build_memo.end()
