"""The first use of each term a page lists in `terms:` links to its glossary entry (ramverk/pages/glossary.py).

A Markdown tree processor does the linking, on the parsed page (code, headings and links are left
alone); this hook adds it to the build and tells it, page by page, which terms to link.
"""

from __future__ import annotations

import re

from ramverk.contract import build_memo
from ramverk.pages import glossary
from ramverk.pages.page_source import PAGE_SUFFIX

_current: list[glossary.Link] = []


def on_config(config):
    config.markdown_extensions.append(glossary.TermLinksExtension(lambda: _current))
    return config


def on_page_markdown(markdown, page, config, files):
    # Set for the page about to be rendered; MkDocs renders one page at a time.
    _current.clear()
    m = PAGE_SUFFIX.match(page.file.src_uri)
    terms = page.meta.get("terms") or []
    if m and m["stem"] != "glossary" and terms:
        names = [str(x) for x in terms]
        found = build_memo.cached("glossary", (m["lang"], page.file.src_uri, *names), lambda: [
            [link.href, link.definition, link.pattern.pattern, link.pattern.flags]
            for link in glossary.links_for(names, m["lang"], page.file.src_uri)])
        _current.extend(glossary.Link(href, definition, re.compile(pattern, flags))
                        for href, definition, pattern, flags in found)
    return markdown
