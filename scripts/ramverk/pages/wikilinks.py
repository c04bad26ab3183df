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

from ramverk.pages import page_source, scanner

WIKILINK = re.compile(r"(?<!!)\[\[(?P<target>[^\[\]|#]*)(?:#(?P<heading>[^\[\]|]*))?(?:\|(?P<alias>[^\[\]]*))?\]\]")


class WikilinkError(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    stem: str  # docs-relative, e.g. "execution/overview"
    lang: str
    title: str
    anchors: frozenset[str]


def title_of(text: str, front_matter: bool = True) -> str:
    """The front matter's title, else the first heading's text."""
    scan = scanner.scan(text, front_matter)
    title = scan.meta.get("title")
    if title:
        return str(title)
    return scan.headings[0].text if scan.headings else ""


def index(lang: str) -> list[Target]:
    """Every page in one language, with what a wikilink can name."""
    out = []
    for page in page_source.pages():
        if page.lang != lang:
            continue
        out.append(_target(page.stem, lang, page.path.read_text(encoding="utf-8")))
    return out


@lru_cache(maxsize=256)
def _target(stem: str, lang: str, text: str, front_matter: bool = True) -> Target:
    found = scanner.scan(text, front_matter).headings
    anchors = frozenset(h.id for h in found) | frozenset(h.text.casefold() for h in found)
    return Target(stem, lang, title_of(text, front_matter), anchors)


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
    front_matter: bool = True,
) -> str:
    """Replace every wikilink outside code with a relative link.

    An unknown name raises WikilinkError, or, when `errors` is a list, is appended to it and left as it was.
    front_matter=False for MkDocs' page.markdown, whose front matter is already off (line_offset then
    makes the line numbers in messages count from the top of the file).
    """
    targets = index(lang) if targets is None else targets
    me = _target(page_stem, lang, text, front_matter)
    lines = text.split("\n")
    for lineno, prose in scanner.scan(text, front_matter).prose():
        if "[[" in prose:
            where = f"{page_name or page_stem}:{lineno + line_offset}"
            lines[lineno - 1] = _resolve_line(lines[lineno - 1], prose, me, targets, where, errors)
    return "\n".join(lines)


def _resolve_line(line: str, prose: str, me: Target, targets: list[Target], where: str, errors: list[str] | None) -> str:
    """Replace the wikilinks of line; prose is the line with inline code blanked, which stays as written."""

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
            wanted = heading if heading in target.anchors else scanner.slug(heading)
            if wanted not in target.anchors and heading.casefold() not in target.anchors:
                raise WikilinkError(f"{where}: wikilink [[{m[0][2:-2]}]]: {target.stem} ({target.lang}) has no heading {heading!r}")
            anchor = "#" + (wanted if wanted in target.anchors else scanner.slug(heading))
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

    out, done = [], 0
    for m in WIKILINK.finditer(prose):
        if line[m.start():m.end()] != m[0]:
            continue  # inline code inside the brackets: shown as written
        out += [line[done:m.start()], replace_or_collect(m)]
        done = m.end()
    return "".join(out) + line[done:]


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
