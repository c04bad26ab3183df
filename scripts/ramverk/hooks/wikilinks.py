"""Resolve `[[wikilinks]]` to relative links before MkDocs validates links (see ramverk/pages/wikilinks.py)."""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from ramverk.contract import build_memo
from ramverk.pages.page_source import PAGE_SUFFIX


@event_priority(50)  # before the marker hook and other page_markdown handlers
def on_page_markdown(markdown, page, config, files):
    if "[[" not in markdown:
        return markdown
    m = PAGE_SUFFIX.match(page.file.src_uri)
    if m is None:
        return markdown
    return build_memo.cached("wikilinks", (page.file.src_uri, markdown), lambda: _resolved(markdown, m, page))


def _resolved(markdown: str, m, page) -> str:
    from ramverk.pages import scanner, wikilinks  # at the first page the build memo does not hold

    # MkDocs took the front matter off; messages count lines from the top of the file.
    offset = scanner.front_matter_lines(page.file.content_string)
    try:
        return wikilinks.resolve(markdown, m["stem"], m["lang"], f"docs/{page.file.src_uri}", line_offset=offset,
                                 front_matter=False)
    except wikilinks.WikilinkError as error:
        raise PluginError(str(error)) from None
