"""Build-time content from data: marker comments (timing tables, charts, claims), what each shown
snippet section prints (from outputs/), the published results files, and the line under each page
that links its notebooks (hooks/notebooks.py makes them)."""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from ramverk.contract import build_memo, site_config

# The renderers are imported at the first page the build memo does not hold: a warm build needs none.


@event_priority(-200)  # after static-i18n sorted the pages by language: these files have none
def on_files(files, config):
    from ramverk.results import results_store

    # The raw results, so every table's provenance line links to its data.
    for path in results_store.machine_files(site_config.for_build(config.config_file_path).project.results_dir):
        files.append(File.generated(config, f"results/{path.name}", abs_src_path=str(path)))
    return files


def on_page_markdown(markdown, page, config, files):
    lang = getattr(page.file, "locale", "") or ""
    source = page.file.content_string
    done = build_memo.cached("markers", (page.file.src_uri, lang, source, markdown),
                             lambda: _rendered(markdown, page.file.src_uri, lang, source))
    if done["drawn"]:
        from ramverk.render import trace_timeline

        for figure in done["drawn"]:
            trace_timeline.remember(figure)  # set aside by the publish-safety hook, as when drawn
    return done["markdown"]


def _rendered(markdown: str, src_uri: str, lang: str, source: str) -> dict:
    from ramverk.pages import scanner
    from ramverk.render import markers, notebooks, output_blocks, trace_timeline
    from ramverk.render.marker_handlers import HANDLERS

    # MkDocs took the front matter off; messages count lines from the top of the file.
    offset = scanner.front_matter_lines(source)
    shown = output_blocks.shown_outputs(source, src_uri, lang, markdown=markdown)
    try:
        lines = markers.render_lines(markdown, HANDLERS, f"docs/{src_uri}", lang, front_matter=False,
                                     line_offset=offset)
    except markers.MarkerError as error:
        raise PluginError(str(error)) from None
    # Both read the same lines: one scan of the page, and the marker lines are the file's.
    out = "\n".join(output_blocks.with_outputs(lines, shown, lang)) + notebooks.links_markdown(source, src_uri, lang)
    return {"markdown": out, "drawn": trace_timeline.drawn_in(out)}
