"""The Swedish usage rules of STYLE_GUIDE.md (section "Swedish") that a pattern can catch, on the Swedish
pages' prose only: code blocks, inline code, HTML comments (markers), link targets and attribute lists
are left out, so `CountKernels` or `launch_overhead.py` is never a hit.

A rule that only a sentence's subject decides ("bevisar" about a measurement, "spårning" for a profiler
trace) matches only when the same sentence also names that subject. "värden" for the host is left to
review: it is also the plural of "värde".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ramverk.pages import page_source, scanner


@dataclass(frozen=True)
class Rule:
    wrong: re.Pattern[str]
    message: str  # what to write instead, as the style guide says
    sentence_also: re.Pattern[str] | None = None  # match only in a sentence that also matches this


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){pattern}(?![\w-])", re.IGNORECASE)


RULES = (
    Rule(_words(r"kernels"), "write kernlar (kernlarna), as the glossary inflects kernel"),
    Rule(_words(r"sidindela(?:t|d|de)"), "all memory is paged: write växlingsbart (pageable)"),
    Rule(_words(r"[\w-]*overheaden"), "write kostnaden, merkostnaden or startkostnaden (launch overhead)"),
    Rule(_words(r"fusioner(?:a|ar|ade|ad|at|as)"), "the glossary's verb for fusion is slå ihop (operatorfusion)"),
    Rule(_words(r"multiplikation-addition(?:er|erna|en)?"),
         "write multiplikation och addition (sammansatt: FMA), as the glossary does"),
    Rule(_words(r"datan"), "data is uncountable in written Swedish (data, var data lagras)"),
    Rule(_words(r"jit(?:ad|ade|at|ar|a)"), "the verb is jitta (jittad, jittade, jittat)"),
    Rule(_words(r"körtidsmiljö(?:n|er|erna)?"), "write körmiljö, the site's one word for a runtime"),
    Rule(_words(r"ett\s+(?:NVIDIA\s+)?[ABHLTV]\d{2,3}"),
         "GPU names are common gender on this site (en GPU): en H100, en H200, en A100"),
    Rule(_words(r"bevisa(?:r|de|t|s)"), "a measurement or a run visar, it does not bevisa",
         sentence_also=re.compile(r"mät|tabell|körning|tider|siffr|utskrift|blocket|kodsnutt|profiler", re.IGNORECASE)),
    Rule(_words(r"spårning(?:en|ar|arna)?"),
         "a profiler trace is not spårning (the glossary's word for tracing): write profilen or tidslinjen",
         sentence_also=re.compile(r"profiler", re.IGNORECASE)),
)

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")  # keep the link text, not the URL
_ATTR_LIST = re.compile(r"\{[:#.][^}\n]*\}")
_SENTENCE_END = re.compile(r"[.!?:;](?=\s)|\n\s*\n")


def problems() -> list[str]:
    out = []
    for page in page_source.pages():
        if page.lang == "sv":
            out += lint(page.rel, page.path.read_text(encoding="utf-8"))
    return out


def lint(name: str, text: str) -> list[str]:
    """'name:line: message' for each rule the Swedish text breaks outside code."""
    scan = scanner.scan(text)
    lines = [""] * len(scan.lines)
    for lineno, line in scan.prose():
        lines[lineno - 1] = line
    title_line = next((i for i in range(scan.body_start - 1) if scan.lines[i].startswith("title:")), None)
    if title_line is not None:
        lines[title_line] = scan.lines[title_line]
    prose = _blank(_blank(_blank("\n".join(lines), _COMMENT), _LINK_TARGET), _ATTR_LIST)
    out = []
    for rule in RULES:
        for match in rule.wrong.finditer(prose):
            if rule.sentence_also and not rule.sentence_also.search(_sentence(prose, match.start(), match.end())):
                continue
            lineno = prose.count("\n", 0, match.start()) + 1
            out.append((match.start(), f"{name}:{lineno}: {match.group(0)!r}: {rule.message} (STYLE_GUIDE.md, Swedish)"))
    return [message for _, message in sorted(out)]


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    """The text with each match replaced by spaces (newlines kept, so offsets and lines stay)."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _sentence(text: str, start: int, end: int) -> str:
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    return text[before[-1] if before else 0 : after.start() if after else len(text)]
