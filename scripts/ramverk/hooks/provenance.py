"""One provenance block per page: the machines, versions and limits behind every measured table,
claim and the benchmarks overview on the page, each machine listed once, in the page's language,
appended at the end of the page (ramverk/render/timing_tables.py's page_provenance).

Stateless: it reads the page's own source, so it does not depend on the order the hooks run in.
Listed before hooks/markers.py, so the block comes before the notebook links that hook appends.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from ramverk.contract import build_memo


def on_page_markdown(markdown, page, config, files):
    lang = getattr(page.file, "locale", "") or ""
    source = page.file.content_string
    block = build_memo.cached("provenance", (page.file.src_uri, lang, source),
                              lambda: _block(source, page.file.src_uri, lang))
    return markdown + block if block else markdown


def _block(source: str, src_uri: str, lang: str) -> str:
    from ramverk.render import markers, timing_tables  # at the first page the build memo does not hold

    try:
        return timing_tables.page_provenance(source, f"docs/{src_uri}", lang)
    except markers.MarkerError as error:
        raise PluginError(str(error)) from None
