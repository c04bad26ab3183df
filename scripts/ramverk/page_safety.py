"""What a page may contain besides Markdown: images that exist and say what they show, and no active HTML.

Two checks, both on the page source outside code (fenced blocks and inline code are shown, not
rendered, so `<script>` inside them is fine):

* images: every Markdown image `![alt](src)` and HTML `<img>` names a file that exists next to the
  page (relative to it), and has alt text. Obsidian embeds `![[...]]` are reported with the command
  that converts them.
* safety: no raw `<script>`, no inline event handlers (`onclick=` and the like), no `javascript:`
  URLs, and no external resources (scripts, styles, fonts, frames, images, media): the site makes no
  request outside itself, so a page cannot track its readers or change under them.
  Ordinary links to other sites (`[text](https://...)`) are fine: they load nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from ramverk import page_source

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(\s*<?(?P<src>[^)\s>]*)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
MD_IMAGE_REF = re.compile(r"!\[(?P<alt>[^\]]*)\]\[(?P<ref>[^\]]*)\]")
REF_DEF = re.compile(r"^\s{0,3}\[(?P<ref>[^\]]+)\]:\s*<?(?P<src>\S+?)>?(?:\s|$)")
OBSIDIAN_EMBED = re.compile(r"!\[\[(?P<target>[^\]]+)\]\]")
TAG = re.compile(r"<(?P<name>[a-zA-Z][\w-]*)(?P<attrs>(?:\s+[^>]*)?)/?>", re.S)
ATTR = re.compile(r"""(?P<key>[^\s=/>"']+)(?:\s*=\s*(?P<value>"[^"]*"|'[^']*'|[^\s>]+))?""")
SCRIPT = re.compile(r"<\s*script\b", re.I)
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*?\s(on[a-z]+)\s*=", re.I | re.S)
JS_URL = re.compile(r"(?:^|[\s(\"'=<])(?:(?:javascript|vbscript)\s*:|data:text/html)", re.I)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
CSS_URL = re.compile(r"(?:url\(\s*['\"]?|@import\s+['\"])(?P<url>[^'\")\s]+)", re.I)
# Elements that load what their src/href/data/poster/srcset names.
RESOURCE_ATTRS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "source": ("src", "srcset"),
    "track": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
ACTIVE_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "form"}


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
    out = []
    for lineno, line in prose_lines(text):
        where = f"{name}:{lineno}"
        if SCRIPT.search(line):
            out.append(f"{where}: raw <script>: pages carry no scripts; the site's own JavaScript lives in the theme")
        for m in EVENT_HANDLER.finditer(line):
            out.append(f"{where}: inline event handler {m[1]}=: pages carry no scripts")
        if JS_URL.search(line):
            out.append(f"{where}: javascript: URL: pages carry no scripts")
        for tag in TAG.finditer(line):
            element = tag["name"].lower()
            attrs = _attrs(tag["attrs"])
            if element in ACTIVE_ELEMENTS:
                out.append(f"{where}: <{element}> is not allowed in a page (it loads or submits content)")
            for key in RESOURCE_ATTRS.get(element, ()):
                for url in re.split(r",\s*", attrs.get(key) or ""):
                    url = url.strip().split(" ")[0]
                    if url and (EXTERNAL.match(url) or url.startswith("data:text")):
                        out.append(f"{where}: <{element} {key}={url!r}> loads an external resource; put the file in docs/")
            if "style" in attrs and CSS_URL.search(attrs["style"] or ""):
                out.extend(_css(where, attrs["style"]))
        if "<style" in line.lower() or "@import" in line or "@font-face" in line:
            out.extend(_css(where, line))
        for m in MD_IMAGE.finditer(line):
            if EXTERNAL.match(m["src"]):
                out.append(f"{where}: image {m['src']!r} is loaded from another site; put the file in docs/")
    return list(dict.fromkeys(out))


def _css(where: str, css: str) -> list[str]:
    return [
        f"{where}: CSS loads {m['url']!r} from another site (fonts and styles come from the site itself)"
        for m in CSS_URL.finditer(css)
        if EXTERNAL.match(m["url"])
    ]


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
