"""The header's language links go to the same page in the other language.

`python -m ramverk build` builds each language in its own process with static-i18n's
`build_only_locale`, and gives each the language roots as Material's `extra.alternate`. static-i18n
makes per-page links only when it builds several languages in one process, so here each page's
header links name its own address in every language (the pages of both languages have the same
paths; hooks/translation_guard.py fails a page without its translation). The <link rel="alternate">
tags in the head keep the language roots: Material reads sitemap.xml beside each of them.

A plain `mkdocs build` or `mkdocs serve` (both languages in one process, static-i18n's own way)
gets static-i18n's links and is left alone here.
"""

from __future__ import annotations

import re

from mkdocs.plugins import event_priority

HEAD_ALTERNATE = re.compile(r'<link rel="alternate" href="[^"]*" hreflang="([a-z]{2})">')
_roots: dict[str, str] = {}  # language -> its root, as the build command gave them


def _one_language(config) -> bool:
    return bool(config.plugins["i18n"].config.build_only_locale)


def on_config(config):
    _roots.clear()
    if _one_language(config):
        _roots.update((alt["lang"], alt["link"]) for alt in config.extra["alternate"])
    return config


def on_env(env, config, files):
    if _roots:  # the theme's templates (404.html) are rendered before the pages: the roots
        config.extra["alternate"] = [dict(alt, link=_roots[alt["lang"]]) for alt in config.extra["alternate"]]
    return env


@event_priority(-150)  # after static-i18n's on_page_context
def on_page_context(context, page, config, nav):
    if _roots:
        alternate = config.extra["alternate"]
        config.extra["alternate"] = [dict(alt, link=_roots[alt["lang"]] + page.url) for alt in alternate]
    return context


def on_post_page(output, page, config):
    if not _roots:
        return output
    return HEAD_ALTERNATE.sub(lambda m: f'<link rel="alternate" href="{_roots[m[1]]}" hreflang="{m[1]}">', output)
