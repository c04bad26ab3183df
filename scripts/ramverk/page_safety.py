"""What a page may contain besides Markdown: images that exist and say what they show, and nothing active.

* images: every Markdown image `![alt](src)` and HTML `<img>` names a file that exists next to the
  page (relative to it), and has alt text. Obsidian embeds `![[...]]` are reported with the command
  that converts them. (A line check on the page source, outside code.)
* safety: the page, its includes expanded, is rendered with the site's own Markdown settings and
  run through the sanitiser the build uses (ramverk/sanitise.py): no scripts, event handlers,
  javascript:/data: URLs, styles, frames or outside loads, however they are spelled. Ordinary
  links to other sites (`[text](https://...)`) are fine: they load nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import markdown
from mkdocs.utils.meta import get_data

from ramverk import page_source, sanitise, site_config
from ramverk.hooks import math_to_mathml

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(\s*<?(?P<src>[^)\s>]*)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
MD_IMAGE_REF = re.compile(r"!\[(?P<alt>[^\]]*)\]\[(?P<ref>[^\]]*)\]")
REF_DEF = re.compile(r"^\s{0,3}\[(?P<ref>[^\]]+)\]:\s*<?(?P<src>\S+?)>?(?:\s|$)")
OBSIDIAN_EMBED = re.compile(r"!\[\[(?P<target>[^\]]+)\]\]")
TAG = re.compile(r"<(?P<name>[a-zA-Z][\w-]*)(?P<attrs>(?:\s+[^>]*)?)/?>", re.S)
ATTR = re.compile(r"""(?P<key>[^\s=/>"']+)(?:\s*=\s*(?P<value>"[^"]*"|'[^']*'|[^\s>]+))?""")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)


def prose_lines(text: str):
    """(line number, line) outside fenced code, with inline code blanked out."""
    fence = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = FENCE.match(line)
        if m:
            fence = None if fence and m[1][0] == fence[0] and len(m[1]) >= len(fence) else (fence or m[1])
            continue
        if fence:
            continue
        yield lineno, INLINE_CODE.sub(lambda c: " " * len(c[0]), line)


def _pages():
    for page in page_source.pages():
        yield page.rel, page.path, page.path.read_text(encoding="utf-8")


def image_problems() -> list[str]:
    out = []
    for rel, path, text in _pages():
        out.extend(lint_images(rel, path.parent, text))
    return out


def safety_problems() -> list[str]:
    out = []
    for rel, _path, text in _pages():
        out.extend(lint_safety(rel, text))
    return out


def lint_images(name: str, folder: Path, text: str) -> list[str]:
    out = []
    refs = {}
    for _lineno, line in prose_lines(text):
        m = REF_DEF.match(line)
        if m:
            refs[m["ref"].lower()] = m["src"]
    for lineno, line in prose_lines(text):
        where = f"{name}:{lineno}"
        for m in OBSIDIAN_EMBED.finditer(line):
            out.append(f"{where}: Obsidian embed ![[{m['target']}]]; convert the note with"
                       " `python -m ramverk import-obsidian` or write ![what it shows](file.png)")
        line = OBSIDIAN_EMBED.sub("", line)
        found = [(m["alt"], m["src"]) for m in MD_IMAGE.finditer(line)]
        for m in MD_IMAGE_REF.finditer(line):
            ref = (m["ref"] or m["alt"]).lower()
            if ref not in refs:
                out.append(f"{where}: image reference [{ref}] is never defined")
            else:
                found.append((m["alt"], refs[ref]))
        for tag in TAG.finditer(line):
            if tag["name"].lower() == "img":
                attrs = _attrs(tag["attrs"])
                found.append((attrs.get("alt"), attrs.get("src", "")))
        for alt, src in found:
            if alt is None or not alt.strip():
                out.append(f"{where}: image {src!r} has no alt text; say what it shows: ![a plot of ...]({src})")
            elif alt.strip().upper().startswith("TODO"):
                out.append(f"{where}: image {src!r}: alt text is still the placeholder; say what it shows")
            if not src:
                out.append(f"{where}: image without a source")
            elif EXTERNAL.match(src) or src.startswith("data:"):
                continue  # reported by the safety check
            else:
                file = src.split("#", 1)[0].split("?", 1)[0]
                if file.startswith("/"):
                    out.append(f"{where}: image {src!r} has an absolute path; write it relative to the page")
                elif not (folder / file).is_file():
                    out.append(f"{where}: image {src!r} does not exist (looked for {_rel(folder / file)})")
    return out


def lint_safety(name: str, text: str) -> list[str]:
    """What the build's sanitiser would remove from the page, at name:line; never raises."""
    try:
        html = render(name, page_source.expand(text, lenient=True))
        return sanitise.meta_problems(name, get_data(text)[1], text) + sanitise.page_problems(name, text, html)
    except Exception as error:  # a page that breaks the renderer is reported, not a crash of `check`
        return [f"{name}:1: cannot render the page to check it: {type(error).__name__}: {error}"]


@lru_cache(maxsize=4)
def _markdown(config: site_config.SiteConfig) -> markdown.Markdown:
    """Python-Markdown with mkdocs.yml's extensions and MkDocs' built-in ones; includes are expanded before."""
    names, options = ["toc", "tables", "fenced_code"], {}
    for entry in config.raw.get("markdown_extensions", []):
        name, settings = next(iter(entry.items())) if isinstance(entry, dict) else (entry, {})
        if name != "pymdownx.snippets":
            names += [] if name in names else [name]
            options[name] = settings or {}
    # Pygments' colouring is escaped text either way, and most of the render time: leave it out.
    options["pymdownx.highlight"] = {**options.get("pymdownx.highlight", {}), "use_pygments": False}
    return markdown.Markdown(extensions=names, extension_configs=options)


def render(name: str, expanded: str) -> str:
    """The page's HTML as the build renders it before the theme: Markdown, then MathML."""
    body, _meta = get_data(expanded)
    md = _markdown(site_config.load())
    md.reset()
    html = md.convert(body)
    page = SimpleNamespace(file=SimpleNamespace(src_uri=name.removeprefix("docs/")))
    return math_to_mathml.on_page_content(html, page, None, None)


def _attrs(raw: str) -> dict[str, str | None]:
    attrs = {}
    for m in ATTR.finditer(raw or ""):
        value = m["value"]
        if value and value[0] in "\"'":
            value = value[1:-1]
        attrs[m["key"].lower()] = value
    return attrs


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(page_source.site_config.load().root).as_posix()
    except ValueError:
        return path.as_posix()
