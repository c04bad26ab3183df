"""What a page may contain besides Markdown: images that exist and say what they show, and nothing active.

* images: every Markdown image `![alt](src)` and HTML `<img>` names a file that exists next to the
  page (relative to it), and has alt text. Obsidian embeds `![[...]]` are reported with the command
  that converts them. (On the page source outside code, as ramverk/pages/scanner.py reads it.)
* safety: the page, its includes expanded, is rendered with the site's own Markdown settings and
  run through the sanitiser the build uses (ramverk/pages/sanitise.py): no scripts, event handlers,
  javascript:/data: URLs, styles, frames or outside loads, however they are spelled. Ordinary
  links to other sites (`[text](https://...)`) are fine: they load nothing. Headings are plain text
  once decoded (they become titles), and so is every string of mkdocs.yml (nav titles, their
  translations, site strings: the theme prints them as HTML).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import markdown
from markdown_it.common.utils import normalizeReference
from mkdocs.utils.meta import get_data

from ramverk.contract import site_config
from ramverk.pages import page_source, sanitise, scanner
from ramverk.render import maths

# A reference image whose reference is never defined stays text, so it is found in the text.
MD_IMAGE_REF = re.compile(r"!\[(?P<alt>[^\]]*)\]\[(?P<ref>[^\]]*)\]")
OBSIDIAN_EMBED = re.compile(r"!\[\[(?P<target>[^\]]+)\]\]")
TAG = re.compile(r"<(?P<name>[a-zA-Z][\w-]*)(?P<attrs>(?:\s+[^>]*)?)/?>", re.S)
ATTR = re.compile(r"""(?P<key>[^\s=/>"']+)(?:\s*=\s*(?P<value>"[^"]*"|'[^']*'|[^\s>]+))?""")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)


def _pages():
    for page in page_source.pages():
        yield page.rel, page.path, page.path.read_text(encoding="utf-8")


def image_problems() -> list[str]:
    out = []
    for rel, path, text in _pages():
        out.extend(lint_images(rel, path.parent, text))
    return out


def safety_problems() -> list[str]:
    out = sanitise.config_problems(site_config.load())
    for rel, _path, text in _pages():
        out.extend(lint_safety(rel, text))
    return out


def lint_images(name: str, folder: Path, text: str) -> list[str]:
    scan = scanner.scan(text)
    out, found = [], [(image.line, image.text, image.target) for image in scan.images()]
    for lineno, line in scan.prose():
        where = f"{name}:{lineno}"
        for m in OBSIDIAN_EMBED.finditer(line):
            out.append(f"{where}: Obsidian embed ![[{m['target']}]]; convert the note with"
                       " `python -m ramverk import-obsidian` or write ![what it shows](file.png)")
        line = OBSIDIAN_EMBED.sub("", line)
        for m in MD_IMAGE_REF.finditer(line):
            ref = m["ref"] or m["alt"]
            if normalizeReference(ref) not in scan.references:
                out.append(f"{where}: image reference [{ref.lower()}] is never defined")
        for tag in TAG.finditer(line):
            if tag["name"].lower() == "img":
                attrs = _attrs(tag["attrs"])
                found.append((lineno, attrs.get("alt"), attrs.get("src", "")))
    for lineno, alt, src in sorted(found, key=lambda image: image[0]):
        out.extend(_image_problems(f"{name}:{lineno}", folder, alt, src))
    return out


def _image_problems(where: str, folder: Path, alt: str | None, src: str) -> list[str]:
    out = []
    if alt is None or not alt.strip():
        out.append(f"{where}: image {src!r} has no alt text; say what it shows: ![a plot of ...]({src})")
    elif alt.strip().upper().startswith("TODO"):
        out.append(f"{where}: image {src!r}: alt text is still the placeholder; say what it shows")
    if not src:
        out.append(f"{where}: image without a source")
    elif EXTERNAL.match(src) or src.startswith("data:"):
        pass  # reported by the safety check
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
        return (sanitise.meta_problems(name, get_data(text)[1], text) + sanitise.heading_problems(name, text)
                + sanitise.page_problems(name, text, html))
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
    return maths.render_math(html, name.removeprefix("docs/"))


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
