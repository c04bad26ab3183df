"""Each page's snippets as notebook pages, rendered by mkdocs-jupyter, in the page's language.

For every page and snippet it includes (ramverk/render/notebooks.py builds the notebook; the outputs come
from the committed outputs/, so the build runs no code), the build of each language gets:

* a page at notebooks/<page>/<snippet>/ (/en/notebooks/... for English): a File whose source is
  the .ipynb, written under .cache/notebooks/pages/<lang>/; mkdocs-jupyter's on_pre_page renders it. The File is added after static-i18n's on_files (which would replace the wrapper
  mkdocs-jupyter puts on .ipynb files and publish raw JSON), with the language's dest path and
  URL, its locale and its alternate in the other language, so the language switcher works;
* the .ipynb itself beside it, as the download.

mkdocs-jupyter's HTML starts with its template's <script> and <style> blocks (clipboard code, its
CSS, a MathJax loader that would fetch from a CDN) and gives every code cell a copy button built
from a custom element and an inline SVG, fed by a second, plain-text copy of the cell's code that
only its CSS hides. on_page_content removes exactly those template parts, that copy and its data-*
attributes, and makes each code cell a code block like every other page's (Material's colours,
font, scrolling and copy button; outputs are styled in the site's CSS, under .jupyter-wrapper).
It turns the notebook's $TeX$ into MathML like the rest of the site, puts a line on top linking the
download and the page the notebook comes from, and keeps the page out of search (it repeats the page
it comes from); everything else (cells, outputs, contributor prose) then goes through the site's
sanitiser (publish_safety) like any page. The page's title is the notebook's heading (its name and
its page's short title), not the page's, which all of a page's notebooks would share.
"""

from __future__ import annotations

import dataclasses
import html
import posixpath
import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, InclusionLevel
from ramverk.contract import build_memo, site_config
from ramverk.contract.files import write_atomic
from ramverk.contract.page_text import t
from ramverk.render import notebooks


class NotebookPage(File):
    """A notebook rendered as a page. Markdown hooks see only its title: the cells are not Markdown."""

    def __init__(self, *args, markdown: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._markdown = markdown

    def is_documentation_page(self) -> bool:
        return True

    @property
    def content_string(self) -> str:
        return self._markdown

    @content_string.setter
    def content_string(self, value: str) -> None:
        self._markdown = value


_pages: dict[str, notebooks.PageNotebook] = {}  # dest URL -> notebook, for on_page_content


def _languages(config) -> tuple[str, str, list[str]]:
    i18n = config.plugins["i18n"]
    default = next(lang.locale for lang in i18n.config.languages if lang.default)
    built = [lang.locale for lang in i18n.config.languages if lang.build]
    return i18n.current_language, default, built


def _prefix(lang: str, default: str) -> str:
    return "" if lang == default else f"{lang}/"


def _page_file(nb: notebooks.PageNotebook, source: Path, lang: str, default: str, config) -> NotebookPage:
    prefix = _prefix(lang, default)
    dest = f"{prefix}notebooks/{nb.stem}/{nb.name}/index.html"
    file = NotebookPage(nb.src_uri, str(source.parent), config.site_dir, config.use_directory_urls, dest_uri=dest,
                        inclusion=InclusionLevel.NOT_IN_NAV, markdown=f"# {nb.heading}\n")
    file.abs_src_path = str(source)
    file.locale = file.locale_alternate_of = file.localization = lang
    file.norm_src_uri = nb.src_uri
    return file


@event_priority(-150)  # after static-i18n (-100) chose this build's language
def on_config(config):
    # mkdocs-jupyter caches each rendered notebook, keyed by its content, and at the end of a build
    # deletes every entry that build did not use. static-i18n builds the second language inside the
    # first one's on_post_build, so one shared folder lost the other language's entries every time:
    # a folder per language keeps both.
    # `mkdocs serve` rebuilds in this process: the notebooks of unchanged pages and snippets are kept.
    notebooks.forget_if_snippets_changed()
    lang = config.plugins["i18n"].current_language
    config.plugins["mkdocs-jupyter"].config["cache_dir"] = str(
        site_config.for_build(config.config_file_path).root / ".cache" / "mkdocs-jupyter" / lang)
    return config


@event_priority(-150)  # after static-i18n (-100) chose this build's language and files
def on_files(files, config):
    lang, default, built = _languages(config)
    folder = site_config.for_build(config.config_file_path).root / ".cache" / "notebooks" / "pages"
    _pages.clear()
    mine = _notebooks(lang)  # outputs come from outputs/: a build runs no snippet
    others = {(nb.stem, nb.name): nb for other in built if other != lang for nb, _ in _notebooks(other)}
    for nb, text in mine:
        source = folder / lang / nb.stem / f"{nb.name}.ipynb"
        if not source.is_file() or source.read_text(encoding="utf-8") != text:  # mkdocs-jupyter caches by it
            write_atomic(source, text)  # another build may read it meanwhile
        page = _page_file(nb, source, lang, default, config)
        page.alternates = {lang: page}
        other = others.get((nb.stem, nb.name))
        if other is not None:  # the language switcher leads to the same notebook in the other language
            alternate = _page_file(other, folder / other.lang / other.stem / f"{other.name}.ipynb", other.lang,
                                   default, config)
            page.alternates[other.lang] = alternate
        files.append(page)
        _pages[page.url] = nb
        download = File.generated(config, nb.download_uri, content=text, inclusion=InclusionLevel.NOT_IN_NAV)
        download.dest_uri = _prefix(lang, default) + nb.download_uri
        download.url = download.dest_uri
        download.abs_dest_path = str(Path(config.site_dir) / download.dest_uri)
        files.append(download)
    return files


def _notebooks(lang: str) -> list[tuple[notebooks.PageNotebook, str]]:
    """Every page's notebooks in one language, each with its .ipynb text (from the build memo when warm)."""
    found = build_memo.cached("notebooks", (lang,), lambda: [
        {"notebook": dataclasses.asdict(nb), "ipynb": notebooks.notebook_json(nb)} for nb in notebooks.all_notebooks(lang)])
    return [(notebooks.PageNotebook.from_dict(entry["notebook"]), entry["ipynb"]) for entry in found]


# The parts of mkdocs-jupyter's template (mkdocs_html/notebook.html.j2) that are not the notebook: all
# before the wrapper (scripts and styles, most of the page's bytes) and after it (its Pygments <style>).
WRAPPER_START = '<div class="jupyter-wrapper">'
WRAPPER_END = "</div> <!-- jupyter-wrapper -->"
TABINDEX = re.compile(r'(<div class="jp-[^"<>]*") tabindex="0"')  # nbconvert's cell and output wrappers
COPY_BUTTON = re.compile(r'<div class="zeroclipboard-container">\s*<clipboard-copy\b.*?</clipboard-copy>\s*</div>',
                         re.S)
DATA_ATTRIBUTE = re.compile(r'\s(?:data-jp-theme-light|data-jp-theme-name|data-type|data-mime-type)="[^"<>]*"')
EMPTY_CLASS = re.compile(r'\sclass="\s*"')
# A code cell: Pygments' <div><pre> with no <code> inside, which is what Material's code styling and its
# content.code.copy button attach to (`pre > code`), then mkdocs-jupyter's plain-text copy of the
# source for its own button: without its CSS that copy showed as a run-on paragraph under the code.
CODE_INPUT = re.compile(r'<div class="highlight-ipynb hl-(?P<lang>[\w+-]+)\s*"><pre>(?P<code>.*?)</pre></div>', re.S)
COPY_TEXT = re.compile(r'<div (?:class="clipboard-copy-txt" id="cell-\d+"|id="cell-\d+" class="clipboard-copy-txt")>'
                       r'[^<]*</div>')  # the code as text, "<" escaped
# nbconvert's cell ids ("cell-id=cell-4"): Material names a code block after the closest id and its copy
# button finds the code with a CSS selector built from it, which an "=" breaks.
CELL_ID = re.compile(r'\sid="cell-id=')
# A stream output's mime type is dropped with the other data attributes; stderr keeps a class for the CSS.
STDERR = re.compile(r'(<div class="jp-RenderedText jp-OutputArea-output)"'
                    r' data-mime-type="application/vnd\.jupyter\.stderr"')
# nbconvert leaves Markdown cells' math as $TeX$ / $$TeX$$ text for MathJax, which the site does not load.
DISPLAY_MATH = re.compile(r"\$\$(?P<tex>.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?P<tex>[^$\n<>]+?)\$(?!\$)")
MARKDOWN_CELL = re.compile(r'(<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^"]*">)(.*?)(</div>)', re.S)


def _math(block: str) -> str:
    from ramverk.render import maths

    block = DISPLAY_MATH.sub(lambda m: maths.tex_to_mathml(html.unescape(m["tex"]), "block"), block)
    return INLINE_MATH.sub(lambda m: maths.tex_to_mathml(html.unescape(m["tex"]), "inline"), block)


def _code_block(m: re.Match) -> str:
    """A code cell as pymdownx.highlight writes a code block (the theme's code colours, font and copy button)."""
    code = m["code"].removeprefix("<span></span>")
    return f'<div class="language-{m["lang"]} highlight"><pre><span></span><code>{code}</code></pre></div>'


def clean(content: str) -> str:
    """mkdocs-jupyter's HTML without its template's scripts, styles, copy buttons, second copy of each
    cell's code and data attributes; its code cells as the site's code blocks."""
    start, end = content.find(WRAPPER_START), content.rfind(WRAPPER_END)  # str.find: a regex took 0.5 s a build
    content = content[max(start, 0):end + len(WRAPPER_END) if end >= 0 else None]
    content = STDERR.sub(r'\1 ramverk-stderr"', COPY_BUTTON.sub("", COPY_TEXT.sub("", content)))
    content = EMPTY_CLASS.sub("", DATA_ATTRIBUTE.sub("", content))
    content = CELL_ID.sub(' id="', TABINDEX.sub(r"\1", content))
    content = CODE_INPUT.sub(_code_block, content)
    return MARKDOWN_CELL.sub(lambda m: m[1] + _math(m[2]) + m[3], content)


@event_priority(-50)  # after mkdocs-jupyter rendered the page, before publish_safety (-100) judges it
def on_page_content(html_text, page, config, files):
    nb = _pages.get(page.file.url)
    if nb is None or not isinstance(page.file, NotebookPage):
        return html_text
    # Search finds the page the notebook comes from: indexing its copy too would list every hit twice
    # (and the copy's highlighted code is over a third of what the search plugin parses).
    page.meta["search"] = {"exclude": True}
    here = posixpath.dirname(page.file.dest_uri)
    lang = nb.lang
    origin = files.get_file_from_path(nb.page)
    origin_link = ""
    if origin is not None and origin.url:
        href = posixpath.relpath(origin.url, here) + ("/" if origin.url.endswith("/") else "")
        origin_link = (f'{t(lang, "notebook_back")} <a href="{html.escape(href)}">'
                       f"{html.escape(nb.title)}</a> · ")
    top = (f'<p class="ramverk-notebook-links">{origin_link}<a href="{html.escape(nb.name)}.ipynb">'
           f'{t(lang, "notebook_download")} (<code>{html.escape(nb.name)}.ipynb</code>)</a></p>\n')
    return top + clean(html_text)
