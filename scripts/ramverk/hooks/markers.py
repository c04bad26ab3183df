"""Replace marker comments (timing tables, charts, graphs, claims) at build time."""

from __future__ import annotations

from mkdocs.exceptions import PluginError

from ramverk import markers


def on_page_markdown(markdown, page, config, files):
    lang = getattr(page.file, "locale", "") or ""
    try:
        return markers.render(markdown, page=f"docs/{page.file.src_uri}", lang=lang)
    except markers.MarkerError as error:
        raise PluginError(str(error)) from None

# Importing a handler module registers its markers.
from ramverk import timing_tables  # noqa: E402,F401
