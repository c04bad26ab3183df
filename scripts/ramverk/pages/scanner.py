"""One reading of a page's Markdown for every check and hook: what is code, what is prose, the
headings with the ids the build gives them, and the links and images.

Each part is decided by the code the build itself runs, so `check` cannot see other content than
the site shows:

* fenced code: pymdownx.superfences' own line search (a fence closes only with the same fence at
  the same indentation; a fence that never closes, or has a line indented less than it, is text);
* the block structure (indented code, headings, paragraphs, lists, tables, links, images):
  markdown-it's CommonMark tokens, with one added rule for the indented bodies of `=== "Tab"`,
  `!!! note` and `??? note` blocks, which Python-Markdown reads as content and CommonMark as
  indented code (the header lines are matched by those extensions' own patterns);
* inline code spans: Python-Markdown's own backtick finder;
* heading ids: attr_list's `{#id}`, else the toc extension's slugify (as configured in
  mkdocs.yml), made unique as toc makes them;
* front matter: MkDocs' own reader.

Line numbers count from 1 at the top of the text given, front matter included.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache, partial
from urllib.parse import unquote

import markdown
from markdown.blockprocessors import HashHeaderProcessor
from markdown.extensions import toc
from markdown.extensions.admonition import AdmonitionProcessor
from markdown.extensions.attr_list import AttrListTreeprocessor, get_attrs_and_remainder
from markdown.inlinepatterns import BACKTICK_RE, BacktickInlineProcessor
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.backticks import backtick
from markdown_it.token import Token
from mkdocs.utils.meta import get_data
from pymdownx.details import DetailsProcessor
from pymdownx.superfences import RE_NESTED_FENCE_START, SuperFencesBlockPreprocessor
from pymdownx.tabbed import TabbedProcessor

from ramverk.contract import site_config

# Headers of blocks whose body is the following lines indented four more spaces.
CONTAINER_HEADERS = (AdmonitionProcessor.RE, DetailsProcessor.START, TabbedProcessor.START)
CONTAINER_INDENT = 4  # Python-Markdown's tab_length, which these blocks indent by
MASK = "x"  # what the markdown-it pass sees in place of each line of fenced code


@dataclass(frozen=True)
class CodeBlock:
    start: int  # first line: the opening fence, or the first line of an indented block
    end: int  # last line: the closing fence
    fence: str  # "```", "~~~~", ...; "" for an indented block
    info: str  # what follows the opening fence ('python', 'python title="x"'); "" for an indented block


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # as a reader sees it, without markup and without the {: attribute list}
    id: str  # the id the build gives it
    line: int


@dataclass(frozen=True)
class Link:
    kind: str  # "link" or "image"
    target: str  # href or src, percent-decoded as MkDocs reads it
    text: str  # the link text, or the image's alt text
    line: int


@dataclass(frozen=True)
class Scan:
    lines: tuple[str, ...]  # the text given, line by line
    meta: dict  # the front matter, as MkDocs reads it
    body_start: int  # the first line after the front matter
    code_blocks: tuple[CodeBlock, ...]
    stray_fences: tuple[CodeBlock, ...]  # fence openers the build shows as text (never closed); start == end
    headings: tuple[Heading, ...]
    links: tuple[Link, ...]
    references: frozenset[str]  # labels of the link reference definitions, normalised as markdown-it does
    prose_text: tuple[str | None, ...] = field(repr=False)  # per line: None for code and front matter

    def prose(self) -> Iterator[tuple[int, str]]:
        """(line, text) of every line outside code and front matter, with inline code blanked out
        (same length, so a column in it is a column in the line)."""
        for index, text in enumerate(self.prose_text):
            if text is not None:
                yield index + 1, text

    def is_code(self, line: int) -> bool:
        return self.body_start <= line and self.prose_text[line - 1] is None

    def fenced(self) -> list[CodeBlock]:
        return [block for block in self.code_blocks if block.fence]

    def images(self) -> list[Link]:
        return [link for link in self.links if link.kind == "image"]


def scan(text: str, front_matter: bool = True) -> Scan:
    """Read the text once (the result is shared: do not change it); front_matter=False for text
    MkDocs has already taken the front matter off."""
    return _scan(text, front_matter, _settings())


@lru_cache(maxsize=512)
def _scan(text: str, front_matter: bool, settings: _Settings) -> Scan:
    lines = text.split("\n")
    meta, body_start = _front_matter(text) if front_matter else ({}, 0)
    body = [""] * body_start + lines[body_start:]  # blank front matter keeps the line numbers
    fences = _fences(body, settings.superfences)
    fenced = {i for block in fences for i in range(block.start - 1, block.end)}
    masked = _masked(body, fences)
    env: dict = {}
    tokens = _markdown_it().parse("\n".join(masked), env)
    indented = _indented(tokens, fenced)
    code = fenced.union(*(range(block.start - 1, block.end) for block in indented))
    prose = [None if i < body_start or i in code else line for i, line in enumerate(lines)]
    stray = tuple(block for i, line in enumerate(prose) if line is not None and (block := _stray_fence(i, line)))
    _blank_inline_code(prose, masked, tokens)
    return Scan(
        lines=tuple(lines),
        meta=meta,
        body_start=body_start + 1,
        code_blocks=tuple(sorted(fences + indented, key=lambda b: b.start)),
        stray_fences=stray,
        headings=tuple(_headings(tokens, settings.slugify)),
        links=tuple(_links(tokens)),
        references=frozenset(env.get("references", {})),
        prose_text=tuple(prose),
    )


def front_matter_lines(source: str) -> int:
    """How many lines the front matter takes: what to add to a line number of MkDocs' page.markdown."""
    return _front_matter(source)[1]


def _front_matter(text: str) -> tuple[dict, int]:
    body, meta = get_data(text)
    return meta, text[: len(text) - len(body)].count("\n")


# Fenced code: superfences' search ------------------------------------------------------------

class _FenceFinder(SuperFencesBlockPreprocessor):
    """superfences' fence search, recording each fence it accepts instead of highlighting it."""

    def process_nested_block(self, ws, content, start, end):
        fence = self.fence
        info = self.first.lstrip(" \t>")[len(fence):].strip()
        self.found.append(CodeBlock(start + 1, end, fence, info))
        self.clear()

    def reassemble(self, lines):
        return lines


def _fences(lines: list[str], md: markdown.Markdown) -> list[CodeBlock]:
    finder = md.preprocessors["fenced_code_block"]
    finder.__class__ = _FenceFinder
    finder.found = []
    finder.run(md.preprocessors["normalize_whitespace"].run(list(lines)))
    return finder.found


def _stray_fence(index: int, line: str) -> CodeBlock | None:
    """The line as a fence opener, if superfences would take it for one (after indentation and '>')."""
    m = RE_NESTED_FENCE_START.match(line.lstrip(" \t>"))
    return CodeBlock(index + 1, index + 1, m["fence"], m[0][len(m["fence"]):].strip()) if m else None


def _masked(lines: list[str], fences: list[CodeBlock]) -> list[str]:
    """The lines markdown-it reads: each fenced line one neutral word at the fence's indentation
    (in the build the whole fence is one placeholder line there)."""
    out = list(lines)
    for block in fences:
        opening = lines[block.start - 1]
        indent = opening[: len(opening) - len(opening.lstrip(" \t>"))]
        for index in range(block.start - 1, block.end):
            out[index] = indent + MASK
    return out


def _indented(tokens: list[Token], fenced: set[int]) -> list[CodeBlock]:
    """Indented code blocks, leaving out those that are only fenced code seen indented."""
    blocks = [t.map for t in tokens if t.type == "code_block" and t.map]
    return [CodeBlock(a + 1, b, "", "") for a, b in blocks if not fenced.issuperset(range(a, b))]


# The markdown-it pass -------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _markdown_it() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("table").disable("fence")  # fences: superfences decides
    md.block.ruler.before("blockquote", "container", _container, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.block.ruler.at("heading", _hash_heading, {"alt": ["paragraph", "reference", "blockquote"]})
    md.inline.ruler.at("backticks", _backtick_keeping_lines)
    return md


def _container(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """`=== "Tab"`, `!!! note`, `??? note`: the following lines indented four more are their body."""
    indent = state.sCount[start]
    if indent - state.blkIndent >= 4:
        return False
    header = state.src[state.bMarks[start] + state.tShift[start]: state.eMarks[start]]
    if not any(pattern.match(header) for pattern in CONTAINER_HEADERS):
        return False
    if silent:
        return True
    body_indent = indent + CONTAINER_INDENT
    last = start
    for line in range(start + 1, end):
        if state.isEmpty(line):
            continue
        if state.sCount[line] < body_indent:
            break
        last = line
    saved = state.parentType, state.lineMax, state.blkIndent
    state.parentType, state.lineMax, state.blkIndent = "container", last + 1, body_indent
    token = state.push("container_open", "div", 1)
    token.map, token.info = [start, last + 1], header
    title = state.push("inline", "", 0)
    title.map, title.content, title.children = [start, start + 1], header, []
    state.md.block.tokenize(state, start + 1, last + 1)
    state.push("container_close", "div", -1)
    state.parentType, state.lineMax, state.blkIndent = saved
    state.line = last + 1
    return True


def _hash_heading(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A `#` heading as Python-Markdown reads it: '#' first on the line (not indented), no space needed."""
    if state.sCount[start] != state.blkIndent:
        return False
    m = HashHeaderProcessor.RE.match(state.src[state.bMarks[start] + state.tShift[start]: state.eMarks[start]])
    if m is None:
        return False
    if silent:
        return True
    level = len(m["level"])
    opening = state.push("heading_open", f"h{level}", 1)
    opening.map, opening.markup = [start, start + 1], m["level"]
    inline = state.push("inline", "", 0)
    inline.map, inline.content, inline.children = [start, start + 1], m["header"].strip(), []
    state.push("heading_close", f"h{level}", -1)
    state.line = start + 1
    return True


def _backtick_keeping_lines(state: StateInline, silent: bool) -> bool:
    """markdown-it's code span rule; the span's content loses its line breaks, so count them for line numbers."""
    start, count = state.pos, len(state.tokens)
    found = backtick(state, silent)
    if len(state.tokens) > count and state.tokens[-1].type == "code_inline":  # unmatched backticks push none
        state.tokens[-1].meta["newlines"] = state.src.count("\n", start, state.pos)
    return found


# Inline code ----------------------------------------------------------------------------------

_BACKTICKS = BacktickInlineProcessor(BACKTICK_RE)


def inline_code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each code span in text, backticks included, as Python-Markdown finds them."""
    spans, pos = [], 0
    while (m := _BACKTICKS.compiled_re.search(text, pos)) is not None:
        element, start, end = _BACKTICKS.handleMatch(m, text)
        if element is not None and not isinstance(element, str):
            spans.append((start, end))
        pos = max(end, m.end())
    return spans


def _blank_inline_code(prose: list[str | None], masked: list[str], tokens: list[Token]) -> None:
    """Blank the code spans of each run of inline text (a paragraph, heading, table row, block title)."""
    done = set()
    for token in tokens:
        if token.type != "inline" or not token.map or tuple(token.map) in done:
            continue
        done.add(tuple(token.map))
        first, stop = token.map
        chars = list("\n".join(masked[first:stop]))
        for start, end in inline_code_spans("".join(chars)):
            chars[start:end] = [c if c == "\n" else " " for c in chars[start:end]]
        for index, line in enumerate("".join(chars).split("\n"), start=first):
            if prose[index] is not None:
                prose[index] = line


# Headings and links ---------------------------------------------------------------------------

def _headings(tokens: list[Token], slug) -> Iterator[Heading]:
    found = []
    for opening, inline in zip(tokens, tokens[1:]):
        if opening.type == "heading_open":
            text, explicit = _without_attr_list(_plain_text(inline.children or []))
            found.append((int(opening.tag[1]), text, explicit, opening.map[0] + 1))
    # toc: explicit ids are taken first; the others get the slug, with _1, _2 ... when taken.
    used = {explicit for _, _, explicit, _ in found if explicit}
    for level, text, explicit, line in found:
        yield Heading(level, text, explicit or toc.unique(slug(html.unescape(text)), used), line)


def _without_attr_list(text: str) -> tuple[str, str]:
    """The heading text without a trailing `{#id .class}`, and the id it sets ("" if none)."""
    m = AttrListTreeprocessor.HEADER_RE.search(text)
    if m is None:
        return text, ""
    attrs, remainder = get_attrs_and_remainder(m.group(1))
    if remainder:  # not an attribute list: attr_list leaves it in the text
        return text, ""
    return text[: m.start()].rstrip("#").rstrip(), dict(attrs).get("id") or ""


def _plain_text(children: list[Token]) -> str:
    """What a reader sees of inline tokens: text and code, no markup or HTML tags."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _links(tokens: list[Token]) -> Iterator[Link]:
    for token in tokens:
        if token.type != "inline" or not token.map:
            continue
        line = token.map[0] + 1
        children = token.children or []
        for index, child in enumerate(children):
            if child.type == "image":
                yield Link("image", unquote(str(child.attrs.get("src", ""))), _plain_text(child.children or []), line)
            elif child.type == "link_open":
                closing = next(i for i in range(index, len(children)) if children[i].type == "link_close")
                text = _plain_text(children[index + 1: closing])
                yield Link("link", unquote(str(child.attrs.get("href", ""))), text, line)
            line += _newlines(child)


def _newlines(token: Token) -> int:
    """The line breaks of the source an inline token stands for."""
    if token.type in ("softbreak", "hardbreak"):
        return 1
    if token.type == "code_inline":
        return token.meta.get("newlines", 0)
    return token.content.count("\n")


# Settings from mkdocs.yml ---------------------------------------------------------------------

@dataclass(frozen=True, eq=False)  # hashed by identity: one per checkout
class _Settings:
    superfences: markdown.Markdown  # holds the fence search, configured as the build's
    slugify: Callable[[str], str]


_SETTINGS: dict[object, _Settings] = {}


def _settings() -> _Settings:
    """The settings of the checkout site_config points at, read once."""
    config = site_config.load()
    if config.root not in _SETTINGS:
        raw = getattr(config, "raw", {})  # a test's stand-in config without mkdocs.yml: the extensions' defaults
        fences = _extension_options(raw, "pymdownx.superfences")
        md = markdown.Markdown(extensions=["pymdownx.superfences"], extension_configs={"pymdownx.superfences": fences})
        toc_options = _extension_options(raw, "toc")
        slugify = partial(toc_options.get("slugify", toc.slugify), separator=toc_options.get("separator", "-"))
        _SETTINGS[config.root] = _Settings(md, slugify)
    return _SETTINGS[config.root]


def _extension_options(raw: dict, name: str) -> dict:
    try:
        return site_config._markdown_extension(raw, name)
    except KeyError:  # not in mkdocs.yml: the extension's defaults (MkDocs adds toc itself)
        return {}


def slug(text: str) -> str:
    """The id the toc extension makes of a heading's text (before it makes ids unique)."""
    return _settings().slugify(text)
