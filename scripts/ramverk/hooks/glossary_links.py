"""The first use of each term a page lists in `terms:` links to its glossary entry (ramverk/pages/glossary.py).

A Markdown tree processor does the linking, on the parsed page (code, headings and links are left
alone); this hook adds it to the build and tells it, page by page, which terms to link.
"""

from __future__ import annotations

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
        _current.extend(glossary.links_for([str(x) for x in terms], m["lang"], page.file.src_uri))
    return markdown
