"""What a displayed snippet section prints, shown under its code block.

A page shows a section with a fence whose body is an include (`--8<-- "snippets/x.py:torch"`).
Under that fence the build puts a ```text block titled "Output"/"Utdata" with what that code prints
when a reader runs it alone (ramverk.render.block_outputs: captured by `ramverk outputs` into
outputs/blocks/, committed like results; the build runs no code). Nothing is typed: code that
prints nothing gets no block.

The tests run every displayed block and compare what it prints with the block shown
(`expected_by_code()`), after `comparable()` masks what is declared to vary: durations, memory
addresses, and what VARIES lists, with the reason it changes from run to run or machine to machine.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from pymdownx.snippets import SnippetPreprocessor
from ramverk.contract import site_config
from ramverk.contract.page_text import t
from ramverk.pages import page_source, scanner
from ramverk.render import block_outputs

MAX_LINES = 30  # a longer output is cut on the page; the notebook shows all of it


@dataclass(frozen=True)
class Varies:
    why: str
    mask: str | None = None  # a regex for the part that varies; None: all of it


FAULTS = "the page-fault count moves by a few with what else the process holds"
# Outputs that change from run to run, or from machine to machine, beyond durations and addresses, by
# "snippet:section". Shown on the page as captured. With a mask the test compares the rest; without
# one it only checks that the section still prints something.
VARIES: dict[str, Varies] = {
    "snippets/execution/static_vs_dynamic.py:serialise":
        Varies("the serialised program carries source locations, whose length depends on where it runs"),
    "snippets/autodiff/logging_runs.py:wandb_offline": Varies("wandb names each offline run with a random id"),
    "snippets/execution/allocation_cost.py:torch": Varies(FAULTS),
    "snippets/execution/allocation_cost.py:numpy": Varies(FAULTS),
    "snippets/execution/fusion.py:page_faults": Varies(FAULTS),
    "snippets/execution/fusion.py:page_faults_tf": Varies(FAULTS),
    "snippets/execution/pytorch_eager.py:pdb": Varies("the debugger names the file and line it stops in, which "
                                                      "depend on where the code runs"),
    "snippets/execution/keras_basics.py:summary":
        Varies("Keras numbers layer names by how many layers the process made before"),
    "snippets/hardware/cpu_peak.py:peak":
        Varies("it reads the core design, cores and clock of the CPU it runs on"),
    "snippets/hardware/doctor.py:doctor": Varies("the first line names the Python and the operating system",
                                                 r"(?m:^Python .*$)"),
    "snippets/hardware/tensor_cores.py:precision":
        Varies("float32 rounding depends on the order in which the CPU's matmul kernel sums; the orders of "
               "magnitude are what the page compares", r"\d\.\d(?=e-\d)"),
    "snippets/execution/torch_compile.py:inductor_code":
        Varies("Inductor vectorises for the CPU it compiles on: 8 float32 lanes with AVX2, 16 with AVX-512",
               r"(?<=static_cast<int64_t>\()\d+(?=\)\);)"),
    "snippets/execution/profiling.py:torch":
        Varies("the share of the step between operators is a ratio of times, and in the profiler's table each "
               "operator's times and shares, and so the rows' order, change from run to run",
               r"\d+%|(?s:(?<=\n)-{10}.*)"),
    "snippets/execution/torchscript_export.py:save_torch":
        Varies("float32 sums round differently in different CPUs' kernels, past the fifth decimal",
               r"(?<=\d\.\d{5})\d+"),
}

DURATION = re.compile(r"\d[\d,.]*(?:e[-+]?\d+)?\s*(?:ns|µs|us|ms|s|sec|seconds|min)\b")
RATIO = re.compile(r"\d[\d,.]*\s*×")  # a ratio of two times varies as the times do
ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
# The time a log line starts with (glog's I/W/E/F/V1206 21:03:42.168000, Kineto's USDT:2026-12-06 21:01:20)
# and tempfile's fresh folder names: new on every run.
LOG_TIME = re.compile(r"(?m)^(?:[IWEFV]\d{4} \d\d:\d\d:\d\d\.\d+|USDT:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")
TEMP_PATH = re.compile(r"/tmp/(?:tmp|ramverk-[a-z]+-)[a-z0-9_]{8}\b")  # tempfile names; the sandbox gives each run its home there
SPACES = re.compile(r"[ \t]+")  # columns padded to the width of a number that varies


@dataclass(frozen=True)
class Shown:
    start: int  # the opening fence's line in the page (1-based)
    line: int  # the closing fence's line
    indent: str
    targets: tuple[str, ...]  # "snippets/x.py:section", as included
    stdout: str


def shown_outputs(source: str, page_src: str, lang: str, markdown: str | None = None) -> list[Shown]:
    """Each include fence of the page whose sections printed something, with that output.

    `source` is the page file's text. The lines are those of `markdown` when given (MkDocs'
    page.markdown: the front matter off, the earlier hooks' changes in), else of `source`."""
    text = source if markdown is None else markdown
    lines = text.split("\n")
    found = []
    for block in scanner.scan(text, front_matter=markdown is None).code_blocks:
        if not block.fence or not (shown := block_outputs.fence_code(lines, block.start, block.end)):
            continue
        targets = page_source.includes("\n".join(lines[block.start:block.end - 1]))
        run = block_outputs.captured(*shown)
        pieces = [run.stdout.rstrip("\n")] if run and run.ok and run.stdout.strip() else []
        if pieces:
            closing = lines[block.end - 1]
            found.append(Shown(block.start, block.end, closing[:len(closing) - len(closing.lstrip())],
                               tuple(targets), "\n".join(pieces)))
    return found


def with_outputs(lines: list[str], shown: list[Shown], lang: str) -> list[str]:
    """The page's lines with an output block under each fence in `shown` (whose line numbers are
    those of `lines`)."""
    lines = list(lines)
    for block in reversed(shown):
        lines[block.line:block.line] = _block(block, lang)
    return lines


def _inert(line: str) -> str:
    """An output line the page's include preprocessor (pymdownx.snippets, which reads every line, fences
    too) shows as written: a ';' before an include or section marker is its escape, and it takes one off."""
    found = SnippetPreprocessor.RE_ALL_SNIPPETS.match(line)
    if found:
        return line[:found.start("escape")] + ";" + line[found.start("escape"):]
    found = SnippetPreprocessor.RE_SNIPPET_SECTION.match(line) if "8<-" in line else None
    if found:
        return line[:found.start("escape")] + ";" + line[found.start("escape"):]
    return line


def _block(shown: Shown, lang: str) -> list[str]:
    body = [_inert(line) for line in shown.stdout.split("\n")]  # shown output is data: never expanded
    if len(body) > MAX_LINES:
        body = body[:MAX_LINES] + [t(lang, "output_more", n=len(body) - MAX_LINES)]
    fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", shown.stdout)), default=0))
    title = t(lang, "output")
    return ["", *(shown.indent + line if line else "" for line in
                  [f'{fence}text title="{title}"', *body, fence])]


def code_key(code: str) -> str:
    """Displayed code compared as code: indentation of the whole block (tabs) and blank lines ignored."""
    return "\n".join(line.rstrip() for line in textwrap.dedent(code).strip().splitlines() if line.strip())


def comparable(output: str, mask: str | None = None) -> str:
    """The output with what is declared to vary masked (durations, ratios of them, addresses, log lines' times,
    temporary folders' names, and a section's own `Varies.mask`) and runs of spaces counted as one."""
    output = LOG_TIME.sub("<time>", TEMP_PATH.sub("/tmp/tmp…", output))
    output = ADDRESS.sub("0x…", RATIO.sub("<ratio>", DURATION.sub("<duration>", output)))
    if mask:
        output = re.sub(mask, "…", output)
    return "\n".join(SPACES.sub(" ", line).strip() for line in output.strip().splitlines())


@dataclass(frozen=True)
class Expected:
    where: str  # "docs/x.en.md:LINE" of the output block
    stdout: str | None  # what the page shows, or None when VARIES frees all of it
    mask: str | None = None  # what VARIES frees of it


def expected_by_code() -> dict[str, Expected]:
    """code_key(displayed code, includes expanded) -> where its output is shown, and what."""
    expected: dict[str, Expected] = {}
    for page in page_source.pages():
        if not page.lang:
            continue
        source = page.path.read_text(encoding="utf-8")
        rel = page.path.relative_to(site_config.load().docs_dir).as_posix()
        lines = source.split("\n")
        for shown in shown_outputs(source, rel, page.lang):
            code = code_key(page_source.expand("\n".join(lines[shown.start:shown.line - 1])))
            varies = [VARIES[t] for t in shown.targets if t in VARIES]
            masks = [v.mask for v in varies]
            free = any(m is None for m in masks)
            mask = None if free else "|".join(f"(?:{m})" for m in masks) or None
            expected.setdefault(code, Expected(f"{page.rel}:{shown.line}", None if free else shown.stdout, mask))
    return expected
