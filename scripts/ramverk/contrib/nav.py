"""Add a page to mkdocs.yml's nav and its English title to nav_translations, editing the text.

mkdocs.yml is edited as text, not loaded and dumped, so that its comments and layout (and
every other contributor's lines) stay as they are. Only two places change: one line in the
topic's nav section (or a new section), and lines appended to the English nav_translations.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

TOP = re.compile(r"^  - (?P<title>.+?):(?:\s+(?P<file>\S+))?\s*$")
CHILD = re.compile(r"^(?P<indent>\s{4,})- (?P<title>.+?):\s+(?P<file>\S+)\s*$")


class NavError(ValueError):
    pass


def _scalar(text: str) -> str:
    """A YAML scalar for a title (quoted only when it must be)."""
    return yaml.safe_dump(text, allow_unicode=True, width=10_000).removesuffix("\n...\n").strip()


def _nav_bounds(lines: list[str]) -> tuple[int, int]:
    start = next((i for i, line in enumerate(lines) if line.rstrip() == "nav:"), None)
    if start is None:
        raise NavError("mkdocs.yml has no top-level nav:")
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith((" ", "#"))):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return start, end


def add_page(mkdocs_yml: Path, topic: str, page: str, title_sv: str, title_en: str,
             section_sv: str, section_en: str) -> list[str]:
    """Put docs/<topic>/<page>.md in the nav; returns what was done, one line each."""
    text = mkdocs_yml.read_text(encoding="utf-8")
    lines = text.split("\n")
    start, end = _nav_bounds(lines)
    target = f"{topic}/{page}.md"
    done = []
    if any(re.search(rf":\s+{re.escape(target)}\s*$", line) for line in lines[start:end]):
        done.append(f"mkdocs.yml: {target} is already in the nav")
    else:
        # The section whose pages live in docs/<topic>/: append after its last page.
        last_child = None
        for i in range(start + 1, end):
            m = CHILD.match(lines[i])
            if m and m["file"].startswith(f"{topic}/"):
                last_child = i
        entry_title = _scalar(title_sv)
        if last_child is not None:
            indent = CHILD.match(lines[last_child])["indent"]
            lines.insert(last_child + 1, f"{indent}- {entry_title}: {target}")
            done.append(f"mkdocs.yml: nav: added {target} to its topic's section")
        else:
            block = [f"  - {_scalar(section_sv)}:", f"      - {entry_title}: {target}"]
            comment = next((i for i in range(start + 1, end) if lines[i].strip() == f"# nav:{topic}"), None)
            if comment is not None:
                at = comment + 1
            else:
                about = next((i for i in range(start + 1, end) if lines[i].startswith("  - Om Ramverk:")), None)
                at = about if about is not None else end
            lines[at:at] = block
            done.append(f"mkdocs.yml: nav: new section {section_sv!r} with {target}")
    text = "\n".join(lines)
    text, added = _add_translations(text, {title_sv: title_en, section_sv: section_en})
    done += [f"mkdocs.yml: nav_translations: {sv} -> {en}" for sv, en in added]
    mkdocs_yml.write_text(text, encoding="utf-8")
    return done


def _add_translations(text: str, pairs: dict[str, str]) -> tuple[str, list[tuple[str, str]]]:
    lines = text.split("\n")
    at = next((i for i, line in enumerate(lines) if line.strip() == "nav_translations:"), None)
    if at is None:
        raise NavError("mkdocs.yml has no nav_translations for the English site")
    indent = len(lines[at]) - len(lines[at].lstrip()) + 2
    end = at + 1
    while end < len(lines) and lines[end].strip() and len(lines[end]) - len(lines[end].lstrip()) >= indent:
        end += 1
    existing = yaml.safe_load("\n".join(line[indent:] for line in lines[at + 1:end])) or {}
    added = []
    for sv, en in pairs.items():
        if sv == en:
            continue
        if sv in existing:
            if existing[sv] != en:
                raise NavError(f"mkdocs.yml: the Swedish title {sv!r} is already translated as {existing[sv]!r}, "
                               f"not {en!r}; pick another Swedish title")
            continue
        lines.insert(end, " " * indent + f"{_scalar(sv)}: {_scalar(en)}")
        existing[sv] = en
        end += 1
        added.append((sv, en))
    return "\n".join(lines), added
