"""Render each page's TeX as MathML at build time (ramverk/render/maths.py): no MathJax from a CDN."""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from ramverk.render import maths


def on_page_content(html_text, page, config, files):
    try:
        return maths.render_math(html_text, page.file.src_uri)
    except maths.MathError as error:
        raise PluginError(str(error)) from error
