"""Code fences pytest-codeblocks would silently skip: a reader would see code nobody ran.

Which lines are fences is ramverk/pages/scanner.py's reading, the build's: a fence never closed is
text on the site, and is reported as such.
"""

from __future__ import annotations

from ramverk.pages import page_source, scanner

# What pytest-codeblocks collects: a backtick fence whose info string is exactly a language.
COLLECTED = {"python", "bash", "sh"}
# Shown but never run: output, data and other languages, by design.
DISPLAY_ONLY = {"text", "console", "output", "yaml", "toml", "json", "markdown", "md", "html", "dot", "diff", "ini"}


def problems() -> list[str]:
    out = []
    for page in page_source.pages():
        out.extend(lint(page.rel, page.path.read_text(encoding="utf-8")))
    return out


def lint(name: str, text: str) -> list[str]:
    scan = scanner.scan(text)
    found = [(block.start, _problem(block)) for block in scan.fenced()]
    found += [(block.start, "fence opened but never closed (or a line in it is indented less than the fence), "
                            "so the site shows it as text") for block in scan.stray_fences]
    return [f"{name}:{line}: {message}" for line, message in sorted(found) if message]


def _problem(block: scanner.CodeBlock) -> str | None:
    info = block.info
    if block.fence.startswith("~"):
        return "'~~~' fence: pytest-codeblocks skips it; use ``` fences"
    if info in COLLECTED or info in DISPLAY_ONLY:
        return None
    if info in {"py", "py3", "python3", "Python", "pycon"}:
        return f"fence '{info}' is never run by pytest-codeblocks; write ```python"
    if info.split()[0:1] in (["python"], ["py"]) or info.startswith("python{") or "title=" in info:
        return f"fence '{info}' carries options, so pytest-codeblocks skips it; write a bare ```python and put the title in the text"
    if not info:
        return "fence without a language; write ```python for code or ```text for output"
    return f"fence language '{info}' is not known; add it to ramverk/pages/fences.py DISPLAY_ONLY if it is display-only"
