"""`check`: the fast checks, run before anything slow. Every problem prints as file:line: message."""

from __future__ import annotations

import time

from ramverk import fences, page_source, sections, snippet_spec, site_config, translations
from ramverk.page_source import includes, pages

# name -> function returning problem lines; other modules append their checks here.
CHECKS = {}


def check(name: str):
    def register(fn):
        CHECKS[name] = fn
        return fn

    return register


@check("translations")
def _translations() -> list[str]:
    return translations.problems()


@check("fences")
def _fences() -> list[str]:
    return fences.problems()


@check("snippets")
def _snippets() -> list[str]:
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


def setup(parser) -> None:
    parser.add_argument("names", nargs="*", help="checks to run (default: all)")
    parser.set_defaults(run=run)


def run(args) -> int:
    started = time.perf_counter()
    names = args.names or list(CHECKS)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        print(f"check: unknown check(s) {', '.join(unknown)}; known: {', '.join(CHECKS)}")
        return 2
    problems = []
    for name in names:
        try:
            problems.extend(CHECKS[name]())
        except Exception as error:  # report and go on: one broken page must not hide the other checks
            problems.append(f"mkdocs.yml:1: check {name!r} stopped: {type(error).__name__}: {error}")
    for line in problems:
        print(line)
    elapsed = time.perf_counter() - started
    verdict = f"{len(problems)} problem(s)" if problems else "all good"
    print(f"check: {len(names)} checks ({', '.join(names)}), {verdict}, {elapsed:.2f} s")
    return 1 if problems else 0


# Checks kept in their own modules register themselves on import.
from ramverk import contrib_checks  # noqa: E402,F401
from ramverk import marker_checks  # noqa: E402,F401
