"""Render arithmatex's TeX to MathML at build time: no MathJax or KaTeX from a CDN."""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert
from mkdocs.exceptions import PluginError

# pymdownx.arithmatex in generic mode wraps TeX in these two forms.
INLINE = re.compile(r'<span class="arithmatex">\\\((?P<tex>.*?)\\\)</span>', re.S)
BLOCK = re.compile(r'<div class="arithmatex">\\\[(?P<tex>.*?)\\\]</div>', re.S)


def _render(display: str, page):
    def replace(m: re.Match) -> str:
        tex = html.unescape(m["tex"]).strip()
        try:
            return convert(tex, display=display)
        except Exception as error:  # latex2mathml raises several types; all mean bad TeX
            raise PluginError(f"{page.file.src_uri}: cannot render math {tex!r}: {error}") from error

    return replace


def on_page_content(html_text, page, config, files):
    html_text = BLOCK.sub(_render("block", page), html_text)
    return INLINE.sub(_render("inline", page), html_text)
