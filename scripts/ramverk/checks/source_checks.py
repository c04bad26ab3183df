"""The checks of page sources and snippets: translation pairs, code fences, includes and sections."""

from __future__ import annotations

from ramverk import sections
from ramverk.contract import site_config, snippet_spec
from ramverk.pages import fences, page_source, translations
from ramverk.pages.page_source import includes, pages


def translations_paired() -> list[str]:
    return translations.problems()


def fences_valid() -> list[str]:
    return fences.problems()


def snippets_and_includes() -> list[str]:
    """Snippet metadata parses, and every include names an existing file and section the rules allow
    (page_source.include_problem), nested and block includes too."""
    root = site_config.load().root
    out = []
    known = {}
    for path in sorted((root / "snippets").rglob("*.py")):
        try:
            snip = snippet_spec.load(path, root)
            known[snip.rel] = set(snip.sections)
        except snippet_spec.SnippetSpecError as error:
            out.append(str(error))
            continue
        out += sections.lint(path, root)  # sections stand alone; shared code imports no framework
    for page in pages():
        text = page.path.read_text(encoding="utf-8")
        for lineno, line in enumerate(text.splitlines(), start=1):
            for target in includes(line):
                file, _, section = target.partition(":")
                if not (root / file).exists() and not (root / file).is_symlink():
                    out.append(f"{page.rel}:{lineno}: includes {file}, which does not exist")
                elif problem := page_source.include_problem(root / file):
                    out.append(f"{page.rel}:{lineno}: include refused: {problem}")
                elif file in known and section and section not in known[file]:
                    out.append(f"{page.rel}:{lineno}: includes section {section!r} of {file}, which has no such section")
        # What the line check above cannot see (block and nested includes), as the build expands them.
        reported = {line.split(": ", 1)[0] for line in out}
        out += [p for p in page_source.include_problems(page.rel, text) if p.split(": ", 1)[0] not in reported]
    return out
