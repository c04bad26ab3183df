"""Code fences pytest-codeblocks would silently skip: a reader would see code nobody ran."""

from __future__ import annotations

import re

from ramverk import page_source

# What pytest-codeblocks collects: a backtick fence whose info string is exactly a language.
COLLECTED = {"python", "bash", "sh"}
# Shown but never run: output, data and other languages, by design.
DISPLAY_ONLY = {"text", "console", "output", "yaml", "toml", "json", "markdown", "md", "html", "dot", "diff", "ini"}
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


def problems() -> list[str]:
    out = []
    for page in page_source.pages():
        out.extend(lint(page.rel, page.path.read_text(encoding="utf-8")))
    return out


def lint(name: str, text: str) -> list[str]:
    out = []
    open_fence = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = FENCE.match(line)
        if not m:
            continue
        if open_fence:
            if m["fence"].startswith(open_fence) and not m["info"].strip():
                open_fence = None
            continue
        open_fence = m["fence"]
        info = m["info"].strip()
        if m["fence"].startswith("~"):
            out.append(f"{name}:{lineno}: '~~~' fence: pytest-codeblocks skips it; use ``` fences")
        elif info in COLLECTED or info in DISPLAY_ONLY:
            continue
        elif info in {"py", "py3", "python3", "Python", "pycon"}:
            out.append(f"{name}:{lineno}: fence '{info}' is never run by pytest-codeblocks; write ```python")
        elif info.split()[0:1] in (["python"], ["py"]) or info.startswith("python{") or "title=" in info:
            out.append(f"{name}:{lineno}: fence '{info}' carries options, so pytest-codeblocks skips it; write a bare ```python and put the title in the text")
        elif not info:
            out.append(f"{name}:{lineno}: fence without a language; write ```python for code or ```text for output")
        else:
            out.append(f"{name}:{lineno}: fence language '{info}' is not known; add it to ramverk/fences.py DISPLAY_ONLY if it is display-only")
    if open_fence:
        out.append(f"{name}:{len(text.splitlines())}: fence opened but never closed")
    return out
