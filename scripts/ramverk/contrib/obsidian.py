"""Convert one Obsidian note into a page that follows the project's conventions.

What changes, and why:

* `Date: [[2023-04-18]]`, `Status: #notes`, `Tags: #a #b` at the top, and `#tags` in the text,
  become front matter (`date:`, `tags:`); tags are not words of the text.
* `![[image.png]]` embeds become `![alt](image.png)` with the file copied next to the page
  (looked for in the note's folder, its attachment folders and the vault); a missing file is
  reported and shown as a warning on the page, so nothing vanishes silently.
* `[[wikilinks]]` (with `#heading` and `|alias`) stay wikilinks when they name a page of the site
  in that language (the build resolves them); otherwise they become plain text and are reported.
* `> [!type] title` callouts become admonitions (`!!! type "title"`; `-`/`+` folds become `???`).
* Code fences get a language the tests know: ```Python becomes ```python, a "python" block that
  is not valid Python becomes ```text (reported), ~~~ becomes ```.

`convert()` returns the new text and a report; nothing is written there.

A note comes from someone else's vault, so it is read as untrusted: it must be UTF-8 and at most
MAX_NOTE_BYTES, an image at most MAX_ATTACHMENT_BYTES, and an embed that resolves outside the
vault (`![[/tmp/x/secret.png]]`, `![[../../x.png]]`) or through a symlink is refused. Each of
these raises ObsidianError with one line that names the file; nothing is written.
"""

from __future__ import annotations

import ast
import os
import posixpath
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ramverk.pages import fences, scanner, wikilinks

EMBED = re.compile(r"!\[\[(?P<target>[^\]|#]+)(?:#[^\]|]*)?(?:\|(?P<size>[^\]]*))?\]\]")
META = re.compile(r"^(?P<key>Date|Created|Updated|Status|Tags|Tag|Aliases|Source)\s*::?\s*(?P<value>.*)$", re.I)
TAG = re.compile(r"(?<![\w/&#(\[`'\"=])#(?P<tag>[A-Za-z][\w/-]*)")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CALLOUT = re.compile(r"^>\s*\[!(?P<type>[\w-]+)\](?P<fold>[+-]?)\s*(?P<title>.*)$")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
MAX_NOTE_BYTES = 2 << 20  # a long note is ~100 kB; 100 MB took minutes and a gigabyte of memory
MAX_ATTACHMENT_BYTES = 20 << 20
ATTACHMENT_DIRS = ("", "attachments", "Attachments", "assets", "images", "img", "_resources")

# Obsidian callout types -> Material admonition types.
CALLOUT_TYPES = {
    "note": "note", "abstract": "abstract", "summary": "abstract", "tldr": "abstract",
    "info": "info", "todo": "info", "tip": "tip", "hint": "tip", "important": "tip",
    "success": "success", "check": "success", "done": "success",
    "question": "question", "help": "question", "faq": "question",
    "warning": "warning", "caution": "warning", "attention": "warning",
    "failure": "failure", "fail": "failure", "missing": "failure",
    "danger": "danger", "error": "danger", "bug": "bug", "example": "example",
    "quote": "quote", "cite": "quote",
}
FENCE_LANGUAGES = {"py": "python", "python3": "python", "py3": "python", "shell": "console", "sh": "console",
                   "bash": "console", "zsh": "console", "": "text", "txt": "text", "plaintext": "text",
                   "output": "text", "yml": "yaml", "js": "text", "javascript": "text", "c": "text",
                   "cpp": "text", "c++": "text", "latex": "text", "tex": "text", "math": "text"}


class ObsidianError(Exception):
    """A note or an attachment that is refused; the message is one line naming the file."""


@dataclass
class Report:
    source: str
    lines: list[str] = field(default_factory=list)  # what could not be converted, as file:line: message
    copied: list[str] = field(default_factory=list)

    def add(self, lineno: int, message: str) -> None:
        self.lines.append(f"{self.source}:{lineno}: {message}")


@dataclass
class Result:
    text: str
    report: Report
    images: dict[Path, str]  # source file -> file name next to the page


def convert(note: Path, lang: str = "en", vault: Path | None = None, known: list | None = None,
            assets: str = "") -> Result:
    """Convert the note; `known` is the wikilink index of the site's pages in `lang` (None: look it up).

    `assets` is the folder the images go to, relative to the page (e.g. "../assets/execution"):
    images in docs/assets/ are shared by both language versions of the page.
    """
    note = Path(note)
    vault = Path(vault) if vault else note.parent
    source = _read_note(note)
    report = Report(note.name)
    targets = wikilinks.index(lang) if known is None else known
    meta: dict = {}
    tags: list[str] = []
    images: dict[Path, str] = {}
    out: list[str] = []
    lines = source.replace("\r\n", "\n").split("\n")
    i = 0

    # 1. Metadata lines at the top (before the first heading).
    body_start = 0
    for n, line in enumerate(lines):
        if line.startswith("#") and not TAG.match(line):
            break
        m = META.match(line.strip())
        if m:
            _meta(m["key"].lower(), m["value"], meta, tags, report, n + 1)
            lines[n] = ""
        body_start = n
    del body_start

    # 2. Code fences as the site reads them (ramverk/pages/scanner.py); quoted ones stay with their quote.
    scan = scanner.scan("\n".join(lines), front_matter=False)
    fenced = {block.start: block for block in scan.fenced() if not lines[block.start - 1].lstrip().startswith(">")}
    last_fence = max(fenced, default=0)
    unclosed = next((block for block in scan.stray_fences
                     if block.start > last_fence and not lines[block.start - 1].lstrip().startswith(">")), None)
    while i < len(lines):
        line = lines[i]
        lineno = i + 1
        block = fenced.get(lineno)
        if block is not None or (unclosed is not None and unclosed.start == lineno):
            if block is None:  # Obsidian runs an unclosed fence to the end of the note
                report.add(lineno, "code fence never closed; closed at the end of the note")
                block = scanner.CodeBlock(lineno, len(lines) + 1, unclosed.fence, unclosed.info)
            info, _, rest = block.info.partition(" ")
            if rest.strip():
                report.add(lineno, f"fence options {rest.strip()!r} dropped (the tests run bare fences only)")
            out.extend(_fence(info, lines[i + 1: block.end - 1], lineno, report))
            i = block.end
            continue
        c = CALLOUT.match(line)
        if c:
            body = []
            i += 1
            while i < len(lines) and lines[i].startswith(">"):
                body.append(re.sub(r"^>\s?", "", lines[i]))
                i += 1
            out.extend(_callout(c, body, lineno, report, note, vault, images, targets, lang, tags, assets))
            continue
        out.append(_inline(line, lineno, report, note, vault, images, targets, lang, tags, assets))
        i += 1

    body = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"
    if tags:
        meta["tags"] = list(dict.fromkeys(tags))
    head = ""
    if meta:
        head = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n"
    if not any(h.level == 1 for h in scanner.scan(body, front_matter=False).headings):
        title = note.stem
        body = f"# {title}\n\n{body}"
        report.add(1, f"the note has no '# ' heading; used its file name {title!r} as the title")
    return Result(head + body, report, images)


def _meta(key: str, value: str, meta: dict, tags: list[str], report: Report, lineno: int) -> None:
    value = value.strip()
    if key in ("date", "created", "updated"):
        m = DATE.search(value)
        if m:
            meta["date" if key == "date" else key] = m[0]
        else:
            report.add(lineno, f"{key}: {value!r} is not a YYYY-MM-DD date; dropped")
        return
    if key in ("status", "tags", "tag"):
        tags.extend(t["tag"] for t in TAG.finditer(value))
        for link in wikilinks.WIKILINK.finditer(value):
            tags.append(_tagify(link["alias"] or link["target"]))
        rest = wikilinks.WIKILINK.sub("", TAG.sub("", value)).strip(" ,")
        if rest:
            tags.extend(_tagify(w) for w in rest.split(","))
        return
    meta[key] = value


def _tagify(text: str) -> str:
    return re.sub(r"[^\w/-]+", "-", text.strip()).strip("-").lower()


def _fence(info: str, body: list[str], lineno: int, report: Report) -> list[str]:
    lang = info.lower()
    lang = FENCE_LANGUAGES.get(lang, lang)
    if lang not in fences.COLLECTED and lang not in fences.DISPLAY_ONLY:
        report.add(lineno, f"code language {info!r} is not one the site knows; shown as ```text")
        lang = "text"
    if lang == "python":
        try:
            ast.parse("\n".join(body))
        except SyntaxError as error:
            report.add(lineno, f"python block is not valid Python ({error.msg}, its line {error.lineno}); "
                               "shown as ```text: split code from output, and move the code into a snippet")
            lang = "text"
        else:
            report.add(lineno, "python block: the tests will run it; move it into snippets/ and include it")
    if info and FENCE_LANGUAGES.get(info.lower()) == "console" and not all(
        not line.strip() or line.startswith("$ ") for line in body
    ):
        body = [f"$ {line}" if line.strip() else line for line in body]
    return [f"```{lang}", *body, "```"]


def _callout(c: re.Match, body: list[str], lineno: int, report: Report, note, vault, images, targets, lang, tags,
             assets):
    kind = CALLOUT_TYPES.get(c["type"].lower())
    if kind is None:
        report.add(lineno, f"callout type {c['type']!r} has no admonition; used 'note'")
        kind = "note"
    text = [_inline(line, lineno + k + 1, report, note, vault, images, targets, lang, tags, assets)
            for k, line in enumerate(body)]
    while text and not text[-1].strip():
        text.pop()
    if not any(t.strip() for t in text) and not c["title"].strip():
        report.add(lineno, f"empty [!{c['type']}] callout dropped")
        return []
    marker = {"": "!!!", "-": "???", "+": "???+"}[c["fold"]]
    title = c["title"].strip().replace('"', "'")
    head = f'{marker} {kind} "{title}"' if title else f"{marker} {kind}"
    return ["", head, "", *[f"    {t}" if t.strip() else "" for t in text], ""]


def _inline(line: str, lineno: int, report: Report, note: Path, vault: Path, images, targets, lang, tags,
            assets: str = "") -> str:
    # Keep inline code as it is.
    spans = scanner.inline_code_spans(line)
    codes = [line[start:end] for start, end in spans]
    for n, (start, end) in reversed(list(enumerate(spans))):
        line = f"{line[:start]}\x00{n}\x00{line[end:]}"

    def embed(m: re.Match) -> str:
        name = m["target"].strip()
        if Path(name).suffix.lower() not in IMAGE_SUFFIXES:
            report.add(lineno, f"embed ![[{name}]] is not an image (notes cannot be embedded); left as a link")
            return f"[[{name}]]" if wikilinks.find(targets, name) else name
        found = _find_file(name, note, vault, f"{note.name}:{lineno}")
        if found is None:
            report.add(lineno, f"image {name!r} not found next to the note or in the vault; "
                               "a warning stands in its place on the page")
            return f'\n!!! warning "{"Bild saknas" if lang == "sv" else "Missing image"}"\n    `{name}`\n'
        target = images.setdefault(found, _file_name(found, images))
        report.add(lineno, f"image {name!r} copied as {target}; write alt text that says what it shows")
        return f"![{_alt(name)}]({posixpath.join(assets, target) if assets else target})"

    line = EMBED.sub(embed, line)

    def link(m: re.Match) -> str:
        name, heading, alias = m["target"].strip(), m["heading"], m["alias"]
        if not name:
            return m[0]
        shown = (alias or name).strip()
        if DATE.fullmatch(name):
            return shown
        try:
            target = wikilinks.find(targets, name)
        except wikilinks.WikilinkError:
            target = None
        if target is None:
            report.add(lineno, f"wikilink [[{m[0][2:-2]}]] names no {lang} page of the site; kept as text {shown!r}")
            return shown
        if heading and heading.strip() not in target.anchors and scanner.slug(heading) not in target.anchors:
            report.add(lineno, f"wikilink [[{m[0][2:-2]}]]: no heading {heading!r} there; linked to the page")
            return f"[[{name}|{shown}]]"
        return m[0]

    line = wikilinks.WIKILINK.sub(link, line)
    if not line.lstrip().startswith("#") or TAG.match(line.lstrip()):
        found = [t["tag"] for t in TAG.finditer(line)]
        if found:
            tags.extend(found)
            line = re.sub(r"(?<=\S) {2,}", " ", TAG.sub("", line)).rstrip()
            line = re.sub(r" +([.,;:!?])", r"\1", line)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m[1])], line)


def _read_note(note: Path) -> str:
    size = note.stat().st_size
    if size > MAX_NOTE_BYTES:
        raise ObsidianError(f"{note}: {size / (1 << 20):.1f} MiB; a note may be at most "
                            f"{MAX_NOTE_BYTES >> 20} MiB (split it, or move data out of it)")
    data = note.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ObsidianError(f"{note}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset "
                            f"{error.start}); save the note as UTF-8") from None


def _checked(candidate: Path, vault: Path, where: str) -> Path:
    """candidate, if it is a regular file inside the vault, no symlink on the way, and not too large."""
    root = vault.resolve()
    inside = candidate.resolve()
    if inside != root and root not in inside.parents:
        raise ObsidianError(f"{where}: image {str(candidate)!r} resolves outside the vault ({root}); refused")
    unresolved = Path(os.path.abspath(candidate))  # resolve() followed links; look at the path as written
    for step in [unresolved, *unresolved.parents]:
        if step.is_symlink():
            raise ObsidianError(f"{where}: image {str(candidate)!r} goes through the symlink {step}; refused")
        if step == Path(os.path.abspath(vault)):
            break
    size = inside.stat().st_size
    if size > MAX_ATTACHMENT_BYTES:
        raise ObsidianError(f"{where}: image {str(candidate)!r} is {size / (1 << 20):.1f} MiB; an image may be "
                            f"at most {MAX_ATTACHMENT_BYTES >> 20} MiB")
    return inside


def _find_file(name: str, note: Path, vault: Path, where: str) -> Path | None:
    """The embedded file, looked for as Obsidian does, and only ever inside the vault (see _checked)."""
    for base in (note.parent, vault):
        for sub in ATTACHMENT_DIRS:
            candidate = base / sub / name
            if candidate.is_file() or candidate.is_symlink():
                return _checked(candidate, vault, where)
    if vault.is_dir():
        for candidate in vault.rglob(Path(name).name):
            if candidate.is_file() or candidate.is_symlink():
                return _checked(candidate, vault, where)
    return None


def _file_name(path: Path, taken: dict[Path, str]) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "image"
    name = f"{stem}{path.suffix.lower()}"
    n = 2
    while name in taken.values():
        name, n = f"{stem}-{n}{path.suffix.lower()}", n + 1
    return name


def _alt(name: str) -> str:
    stem = Path(name).stem
    if re.match(r"pasted image|screenshot|image\b", stem, re.I):
        return "TODO: say what the image shows"
    return stem.replace("_", " ").replace("-", " ")


def write(result: Result, page: Path, assets_dir: Path | None = None) -> list[str]:
    """Write the page and copy its images to assets_dir (default: next to it); returns what was done."""
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(result.text, encoding="utf-8")
    done = [f"wrote {page}"]
    assets_dir = assets_dir or page.parent
    for source, name in result.images.items():
        assets_dir.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():  # it was checked in convert(); it must not have changed since
            raise ObsidianError(f"{source}: became a symlink after it was checked; refused")
        shutil.copyfile(source, assets_dir / name, follow_symlinks=False)
        done.append(f"copied {source} -> {assets_dir / name}")
    return done
