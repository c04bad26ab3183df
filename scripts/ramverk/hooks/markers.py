"""Build-time content from data: marker comments (timing tables, charts, claims), published
results files, and every snippet as a downloadable notebook."""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from ramverk.contract import site_config
from ramverk.pages import scanner
from ramverk.render import markers, notebooks
from ramverk.render.marker_handlers import HANDLERS
from ramverk.results import results_store, results_view


@event_priority(-200)  # after static-i18n sorted the pages by language: these files have none
def on_files(files, config):
    # The raw results, so every table's provenance line links to its data ...
    for path in results_store.machine_files(results_view.results_dir()):
        files.append(File.generated(config, f"results/{path.name}", abs_src_path=str(path)))
    # ... and every snippet as a notebook, so each page can offer its code for Jupyter.
    root = site_config.load().root
    for path in sorted((root / "snippets").rglob("*.py")):
        snippet = path.relative_to(root).as_posix()
        files.append(File.generated(config, notebooks.notebook_uri(snippet), content=notebooks.convert(path)))
    return files


def on_page_markdown(markdown, page, config, files):
    lang = getattr(page.file, "locale", "") or ""
    # MkDocs took the front matter off; messages count lines from the top of the file.
    offset = scanner.front_matter_lines(page.file.content_string)
    try:
        rendered = markers.render(markdown, HANDLERS, f"docs/{page.file.src_uri}", lang, front_matter=False,
                                  line_offset=offset)
    except markers.MarkerError as error:
        raise PluginError(str(error)) from None
    return rendered + notebooks.links_markdown(markdown, page.file.src_uri, lang)
