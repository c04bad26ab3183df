"""Replace marker comments (timing tables, charts, graphs, claims) at build time."""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from ramverk import markers, results_store, results_view


def on_files(files, config):
    """Publish the raw results files, so every table's provenance line links to its data."""
    for path in results_store.machine_files(results_view.results_dir()):
        files.append(File.generated(config, f"results/{path.name}", abs_src_path=str(path)))
    return files


def on_page_markdown(markdown, page, config, files):
    lang = getattr(page.file, "locale", "") or ""
    try:
        return markers.render(markdown, page=f"docs/{page.file.src_uri}", lang=lang)
    except markers.MarkerError as error:
        raise PluginError(str(error)) from None

# Importing a handler module registers its markers.
from ramverk import claims, timing_tables  # noqa: E402,F401
