"""`[[wikilinks]]` in pages, resolved to ordinary relative Markdown links before MkDocs validates links.

Forms (as Obsidian writes them):

    [[overview]]                       by file name (unique among the pages)
    [[execution/overview]]             by docs-relative path, without the language suffix
    [[Exekveringsmodeller: vanlig Python, eager, graf, JIT och torch.compile]]   by page title
    [[overview#Hela bilden]]           a heading on that page (by its text or its id)
    [[overview|the overview]]          with the text to show
    [[#Hela bilden]]                   a heading on this page

A link always goes to the page in the same language as the page it is on; titles are matched in
that language. An unknown page or heading is an error naming the page and line. Existing MkDocs
wikilink plugins resolve against file names and break with static-i18n's suffix layout
(`page.sv.md` + `page.en.md`), hence this small resolver, used by the build hook and by `check`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache

from markdown.extensions.toc import slugify

from ramverk import page_source

WIKILINK = re.compile(r"(?<!!)\[\[(?P<target>[^\[\]|#]*)(?:#(?P<heading>[^\[\]|]*))?(?:\|(?P<alias>[^\[\]]*))?\]\]")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
HEADING = re.compile(r"^(#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
ATTR_ID = re.compile(r"\{[^}]*#(?P<id>[\w-]+)[^}]*\}\s*$")


class WikilinkError(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    stem: str  # docs-relative, e.g. "execution/overview"
    lang: str
    title: str
    anchors: frozenset[str]


def slug(text: str) -> str:
    """The id Python-Markdown's toc extension gives a heading (the site uses its default slugify)."""
    return slugify(text, "-")


def headings(text: str) -> list[tuple[str, str]]:
    """(text, id) of each heading outside code fences."""
    out = []
    fence = None
    for line in text.splitlines():
        m = FENCE.match(line)
        if m:
            fence = None if fence and m[1][0] == fence[0] else (fence or m[1])
            continue
        if fence:
            continue
        h = HEADING.match(line)
        if h:
            heading = h["text"]
            explicit = ATTR_ID.search(heading)
            heading = ATTR_ID.sub("", heading).strip()
            out.append((heading, explicit["id"] if explicit else slug(heading)))
    return out


def title_of(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        for line in text[4:end].splitlines():
            if line.startswith("title:"):
                return line.split(":", 1)[1].strip().strip("\"'")
    for heading, _ in headings(text):
        return heading
    return ""


def index(lang: str) -> list[Target]:
    """Every page in one language, with what a wikilink can name."""
    out = []
    for page in page_source.pages():
        if page.lang != lang:
            continue
        out.append(_target(page.stem, lang, page.path.read_text(encoding="utf-8")))
    return out


@lru_cache(maxsize=256)
def _target(stem: str, lang: str, text: str) -> Target:
    found = headings(text)
    anchors = frozenset(a for _, a in found) | frozenset(h.casefold() for h, _ in found)
    return Target(stem, lang, title_of(text), anchors)


def find(targets: list[Target], name: str) -> Target | None:
    name = name.strip().removesuffix(".md")
    languages = "|".join(page_source.site_config.load().languages)
    name = re.sub(rf"\.(?:{languages})$", "", name)
    by_path = [t for t in targets if t.stem == name.strip("/")]
    if by_path:
        return by_path[0]
    by_file = [t for t in targets if posixpath.basename(t.stem) == name]
    if len(by_file) == 1:
        return by_file[0]
    if len(by_file) > 1:
        raise WikilinkError(f"[[{name}]] names {len(by_file)} pages ({', '.join(t.stem for t in by_file)}); write the path")
    by_title = [t for t in targets if t.title.casefold() == name.casefold()]
    return by_title[0] if len(by_title) == 1 else None


def resolve(
    text: str,
    page_stem: str,
    lang: str,
    page_name: str = "",
    targets: list[Target] | None = None,
    errors: list[str] | None = None,
    line_offset: int = 0,
) -> str:
    """Replace every wikilink outside code with a relative link.

    An unknown name raises WikilinkError, or, when `errors` is a list, is appended to it and left as it was.
    """
    targets = index(lang) if targets is None else targets
    me = _target(page_stem, lang, text)
    lines = text.split("\n")
    fence = None
    for i, line in enumerate(lines):
        m = FENCE.match(line)
        if m:
            fence = None if fence and m[1][0] == fence[0] else (fence or m[1])
            continue
        if fence or "[[" not in line:
            continue
        lines[i] = _resolve_line(line, me, targets, f"{page_name or page_stem}:{i + 1 + line_offset}", errors)
    return "\n".join(lines)


def _resolve_line(line: str, me: Target, targets: list[Target], where: str, errors: list[str] | None) -> str:
    # Inline code is shown literally: protect it while replacing.
    codes = []

    def hide(m):
        codes.append(m[0])
        return f"\x00{len(codes) - 1}\x00"

    hidden = INLINE_CODE.sub(hide, line)

    def replace(m: re.Match) -> str:
        name, heading, alias = m["target"].strip(), (m["heading"] or "").strip(), m["alias"]
        if name:
            try:
                target = find(targets, name)
            except WikilinkError as error:
                raise WikilinkError(f"{where}: {error}") from None
            if target is None:
                known = ", ".join(sorted(posixpath.basename(t.stem) for t in targets))
                raise WikilinkError(f"{where}: wikilink [[{m[0][2:-2]}]] names no {me.lang} page (pages: {known})")
        else:
            target = me
        anchor = ""
        if heading:
            wanted = heading if heading in target.anchors else slug(heading)
            if wanted not in target.anchors and heading.casefold() not in target.anchors:
                raise WikilinkError(f"{where}: wikilink [[{m[0][2:-2]}]]: {target.stem} ({target.lang}) has no heading {heading!r}")
            anchor = "#" + (wanted if wanted in target.anchors else slug(heading))
        label = (alias or "").strip() or (heading if not name else (name if not heading else f"{name} – {heading}"))
        if target is me:
            href = anchor or "#"
        else:
            href = posixpath.relpath(target.stem + ".md", posixpath.dirname(me.stem) or ".") + anchor
        return f"[{label}]({href})"

    def replace_or_collect(m: re.Match) -> str:
        if errors is None:
            return replace(m)
        try:
            return replace(m)
        except WikilinkError as error:
            errors.append(str(error))
            return m[0]

    out = WIKILINK.sub(replace_or_collect, hidden)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m[1])], out)


def problems() -> list[str]:
    """Every unknown wikilink in every page, for `check`."""
    out: list[str] = []
    cache: dict[str, list[Target]] = {}
    for page in page_source.pages():
        text = page.path.read_text(encoding="utf-8")
        if "[[" in text and page.lang:
            targets = cache.setdefault(page.lang, index(page.lang))
            resolve(text, page.stem, page.lang, page.rel, targets, errors=out)
    return out
