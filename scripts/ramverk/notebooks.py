"""Every snippet as a Jupyter notebook, converted at build time by jupytext, linked from the pages that use it."""

from __future__ import annotations

import posixpath
from functools import lru_cache
from pathlib import Path

from ramverk import page_source

LINK_TEXT = {"sv": "Ladda ner som notebook", "en": "Download as a notebook"}


def notebook_uri(snippet: str) -> str:
    """"snippets/execution/same_math.py" -> "notebooks/execution/same_math.ipynb"."""
    return "notebooks/" + snippet.removeprefix("snippets/").removesuffix(".py") + ".ipynb"


@lru_cache(maxsize=256)
def _convert(path: Path, mtime_ns: int) -> str:
    import jupytext
    import nbformat

    notebook = jupytext.reads(path.read_text(encoding="utf-8"), fmt="py:light")
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata.pop("jupytext", None)  # no converter version in the file: builds stay reproducible
    for number, cell in enumerate(notebook.cells):  # nbformat's cell ids are random: number them instead
        cell["id"] = f"cell-{number}"
    nbformat.validate(notebook)
    return nbformat.writes(notebook)


def convert(path: Path) -> str:
    return _convert(path, path.stat().st_mtime_ns)


def links_markdown(page_text: str, page_src: str, lang: str) -> str:
    """A line of download links for the snippets a page includes ('' when it includes none)."""
    snippets = sorted({target.split(":")[0] for target in page_source.includes(page_text) if target.startswith("snippets/")})
    if not snippets:
        return ""
    here = posixpath.dirname(page_src)
    links = ", ".join(f"[`{posixpath.basename(s)}`]({posixpath.relpath(notebook_uri(s), here)})" for s in snippets)
    return f"\n\n---\n\n**{LINK_TEXT.get(lang, LINK_TEXT['en'])}:** {links}\n{{: .ramverk-notebooks }}\n"
