"""The theme's compiled templates are kept between the rebuilds of `mkdocs serve` (render/template_cache.py)."""

from __future__ import annotations

from ramverk.render import template_cache


def on_env(env, config, files):
    env.bytecode_cache = template_cache.COMPILED
    return env
