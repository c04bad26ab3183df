"""Every page exists in every language, and the language versions show the same code."""

from __future__ import annotations

from collections import defaultdict

from ramverk.contract import site_config
from ramverk.pages import page_source


def problems() -> list[str]:
    """One line per missing translation or parity difference, naming the file."""
    out = missing_pages()
    for versions in _by_stem().values():
        if len(versions) > 1:
            out.extend(_parity(versions))
    return out


def _by_stem() -> dict[str, dict[str, page_source.Page]]:
    by_stem: dict[str, dict[str, page_source.Page]] = defaultdict(dict)
    for page in page_source.pages():
        if page.lang:
            by_stem[page.stem][page.lang] = page
    return dict(sorted(by_stem.items()))


def missing_pages() -> list[str]:
    """Pages without a language suffix, and language versions that do not exist."""
    config = site_config.load()
    out = []
    for page in page_source.pages():
        if not page.lang:
            out.append(f"{page.rel}:1: page has no language suffix; name it {page.stem}.<{'|'.join(config.languages)}>.md")
            continue
    for stem, versions in _by_stem().items():
        for lang in config.languages:
            if lang not in versions:
                present = next(iter(versions.values()))
                out.append(f"{present.rel}:1: missing translation: docs/{stem}.{lang}.md ({lang}) does not exist")
    return out


def _parity(versions: dict[str, page_source.Page]) -> list[str]:
    """The language versions include the same files and show the same runnable code, block by block."""
    out = []
    shapes = {}
    for lang, page in versions.items():
        text = page.path.read_text(encoding="utf-8")
        try:
            code = [b for b in page_source.blocks(page) if b.syntax in {"python", "bash", "sh"}]
        except Exception as error:  # a refused or missing include: the snippets check reports it at its line
            out.append(f"{page.rel}:1: cannot compare the code with the other languages: {error}")
            return out
        shapes[lang] = (page, sorted(page_source.includes(text)), code)
    (lang_a, (page_a, inc_a, code_a)), *rest = shapes.items()
    for lang_b, (page_b, inc_b, code_b) in rest:
        if inc_a != inc_b:
            only_a = sorted(set(inc_a) - set(inc_b)) or "-"
            only_b = sorted(set(inc_b) - set(inc_a)) or "-"
            out.append(
                f"{page_b.rel}:1: includes differ from {page_a.rel}: only in {lang_a}: {only_a}; only in {lang_b}: {only_b}"
            )
        if len(code_a) != len(code_b):
            out.append(
                f"{page_b.rel}:1: {len(code_b)} runnable code blocks, but {page_a.rel} has {len(code_a)}"
            )
        for number, (a, b) in enumerate(zip(code_a, code_b), start=1):
            if (a.syntax, a.code) != (b.syntax, b.code):
                out.append(
                    f"{page_b.rel}:{b.lineno}: runnable block {number} ({b.syntax}) differs from block {number} of "
                    f"{page_a.rel}:{a.lineno} ({a.syntax}); both languages show the same code"
                )
    return out
