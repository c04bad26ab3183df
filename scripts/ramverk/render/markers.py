"""Marker comments in pages, `<!-- name: target key=value ... -->`, replaced at build time.

One regex finds them; each name maps to a handler that returns Markdown (the mapping is the
explicit dict ramverk.render.marker_handlers.HANDLERS, passed to render_lines()). An unknown name,
or a handler's complaint, fails the build with the page and line. Markers inside code
(fenced, indented or inline, as ramverk/pages/scanner.py reads the page) are left alone, so pages can
show the syntax.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Callable

from ramverk.pages import scanner

MARKER = re.compile(r"<!--\s*(?P<name>[a-z][a-z0-9-]*):\s*(?P<body>.*?)\s*-->")
# pytest-codeblocks' own comments (<!--pytest-codeblocks:cont-->) belong to the test tool.
PASS_THROUGH = {"pytest-codeblocks"}


class MarkerError(ValueError):
    pass


@dataclass(frozen=True)
class Marker:
    name: str
    target: str  # the first word, usually a snippet path
    options: dict[str, str] = field(default_factory=dict)
    page: str = ""  # docs-relative source path, for messages
    lang: str = ""
    lineno: int = 0

    def where(self) -> str:
        return f"{self.page}:{self.lineno}: marker '{self.name}: {self.target}'"


Handler = Callable[[Marker], str]


def parse(name: str, body: str, page: str = "", lang: str = "", lineno: int = 0) -> Marker:
    try:
        words = shlex.split(body)
    except ValueError as error:
        raise MarkerError(f"{page}:{lineno}: marker '{name}': {error}") from None
    if not words:
        raise MarkerError(f"{page}:{lineno}: marker '{name}' names no target")
    options = {}
    for word in words[1:]:
        key, eq, value = word.partition("=")
        if not eq or not key:
            raise MarkerError(f"{page}:{lineno}: marker '{name}': option {word!r} is not key=value")
        options[key] = value
    return Marker(name, words[0], options, page, lang, lineno)


def find(text: str, page: str = "", lang: str = "", front_matter: bool = True, line_offset: int = 0):
    """Yield (line index, match, Marker) for markers outside code.

    front_matter=False for MkDocs' page.markdown (its front matter is already off); line_offset is
    then added to the line numbers in messages so they count from the top of the file.
    """
    scan = scanner.scan(text, front_matter)
    for lineno, prose in scan.prose():
        line = scan.lines[lineno - 1]
        for seen in MARKER.finditer(prose):
            # prose has inline code blanked: a marker that survives is matched again as written.
            match = MARKER.fullmatch(line, seen.start(), seen.end())
            if match is None or match["name"] in PASS_THROUGH:
                continue
            yield lineno - 1, match, parse(match["name"], match["body"], page, lang, lineno + line_offset)


def render_lines(text: str, handlers: dict[str, Handler], page: str = "", lang: str = "",
                 front_matter: bool = True, line_offset: int = 0) -> list[str]:
    """The text's lines with each marker replaced by its content: one item per line of the text,
    so a line number of the text still finds its line."""
    lines = text.split("\n")
    for index, match, marker in reversed(list(find(text, page, lang, front_matter, line_offset))):
        fn = handlers.get(marker.name)
        if fn is None:
            known = ", ".join(sorted(handlers)) or "none"
            raise MarkerError(f"{marker.where()}: unknown marker (known: {known})")
        line = lines[index]
        lines[index] = line[: match.start()] + fn(marker) + line[match.end():]
    return lines
