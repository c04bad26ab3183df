"""Each published notebook, run top to bottom in a Jupyter kernel, shows what the site shows.

The site promises that a notebook page shows what Jupyter shows when the downloadable .ipynb runs top
to bottom in one kernel. Its outputs are data captured earlier (render/notebooks.py, outputs/), possibly
by another machine, another version of the snippet's siblings, another shell's environment. This check
holds the published notebook to the promise, as a reader meets it:

* it builds each notebook's .ipynb exactly as the site publishes it (notebooks.notebook_json), strips
  the outputs, and runs it with nbclient in a fresh ipykernel inside the project's sandbox
  (notebooks.run_in_kernel; bwrap's --unshare-net gives the sandbox a network namespace of its own
  whose loopback device is all the kernel's ZMQ sockets on 127.0.0.1 need), from a temporary copy of
  the snippet's folder (sibling snippets import as they do for a reader who saved the notebook beside its
  snippet), with the capture's environment (notebooks.CAPTURE_ENV) and no user's Jupyter or IPython
  settings. Every cell runs, also after an error, so that each is compared;
* each code cell's stdout and stderr, its error (name and value) and what it displays (a value the cell
  ends with, a rich display: their plain text) are compared with the published ones under the masks the
  page-output test uses (render/output_blocks.comparable() and VARIES), as text: the site shows no
  terminal colours (outputs_store.plain), Jupyter paints them. A published error followed by published
  outputs is a mismatch too: Jupyter's "Run All" stops at the error.

Both languages' notebooks of a page have the same code cells: one kernel run serves both.
`python -m ramverk verify-notebooks` runs every notebook; tests/test_notebook_runs.py a rotating few.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ramverk.contract import site_config
from ramverk.contract.files import write_atomic
from ramverk.contract.snippet_spec import SECTION
from ramverk.render import notebooks, output_blocks
from ramverk.results import outputs_store


@dataclass(frozen=True)
class CellOutput:
    """What one code cell shows: its streams, its error, and outputs of other kinds."""
    stdout: str = ""
    stderr: str = ""
    error: tuple[str, str] | None = None  # ename, evalue
    others: tuple[str, ...] = ()  # execute_result / display_data: their text/plain (or their type)
    ran: bool = True  # False: the published notebook says the cell was not run
    coloured: bool = False  # terminal colours were taken out of its text


@dataclass(frozen=True)
class Mismatch:
    where: str  # "snippets/x.py:LINE" of the section's start marker
    notebook: str  # "keras_basics-backend_torch (docs/execution/keras.en.md, docs/execution/keras.sv.md)"
    section: str
    what: str  # "stdout" | "stderr" | "error" | "display" | "stops" | "cells" | "capture" | "run"
    published: str
    kernel: str

    def line(self) -> str:
        head = f"{self.where}: notebook {self.notebook}" + (f", section {self.section!r}" if self.section else "")
        if self.what == "capture":
            return f"{head}: {self.published}: nothing to compare with"
        if self.what == "run":
            return f"{head}: the Jupyter kernel's run did not complete: {self.kernel}"
        return (f"{head}: {self.what} differs from what Jupyter shows\n  published:\n{_indent(self.published)}"
                f"\n  Jupyter kernel:\n{_indent(self.kernel)}")


@dataclass
class Run:
    """One kernel run: the notebooks it stands for (the page's languages) and what the comparison found."""
    notebooks: tuple[notebooks.PageNotebook, ...]
    compared: int = 0
    not_compared: list[str] = field(default_factory=list)  # sections the capture did not run
    mismatches: list[Mismatch] = field(default_factory=list)
    masks: Counter = field(default_factory=Counter)  # mask -> cells where it masked something
    seconds: float = 0.0
    cpu_s: float = 0.0  # the kernel's and its driver's

    @property
    def label(self) -> str:
        return label(self.notebooks)


def key(group: tuple[notebooks.PageNotebook, ...]) -> str:
    """The notebook's name, unique on the site: "execution/keras/keras_basics" (its page, then its name)."""
    return f"{group[0].stem}/{group[0].name}"


def label(group: tuple[notebooks.PageNotebook, ...]) -> str:
    docs = site_config.load().docs_dir.relative_to(site_config.load().root).as_posix()
    return f"{group[0].name} ({', '.join(f'{docs}/{nb.page}' for nb in group)})"


def groups(all_nbs: list[notebooks.PageNotebook] | None = None) -> list[tuple[notebooks.PageNotebook, ...]]:
    """The notebooks, those with the same snippet and code cells (a page's languages) together: one run each."""
    found: dict[tuple, list[notebooks.PageNotebook]] = {}
    for nb in notebooks.all_notebooks() if all_nbs is None else all_nbs:
        code = tuple((c.section, c.source) for c in nb.cells if c.kind == "code")
        found.setdefault((nb.stem, nb.snippet, code), []).append(nb)
    return [tuple(group) for group in found.values()]


def published(document: dict) -> list[tuple[str, CellOutput]]:
    """(section, what the cell shows) for each code cell of a notebook document."""
    return [(cell["metadata"].get("ramverk_section", ""), _cell_output(cell["outputs"], cell["execution_count"]
                                                                          is not None))
            for cell in document["cells"] if cell["cell_type"] == "code"]


def _cell_output(outputs: list[dict], ran: bool = True) -> CellOutput:
    """A cell's outputs as text, as the site shows them: without terminal colours (outputs_store.plain)."""
    texts = {"stdout": [], "stderr": [], "display": []}
    error = None
    for out in outputs:
        if out["output_type"] == "stream":
            texts[out["name"]].append("".join(out["text"]))
        elif out["output_type"] == "error":
            error = (out["ename"], out["evalue"])
        else:
            text = out.get("data", {}).get("text/plain")
            texts["display"].append("".join(text) if text is not None else out["output_type"])
    coloured = any(outputs_store.ANSI.search(t) for t in [*sum(texts.values(), []), *(error or ())])
    plain = outputs_store.plain
    return CellOutput(plain("".join(texts["stdout"])), plain("".join(texts["stderr"])),
                      error and (error[0], plain(error[1])), tuple(map(plain, texts["display"])), ran, coloured)


def stripped(document: dict) -> dict:
    """The notebook as a reader gets it before running it: no outputs, no execution counts."""
    document = json.loads(json.dumps(document))
    for cell in document["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return document


def compare(group: tuple[notebooks.PageNotebook, ...], shown: list[tuple[str, CellOutput]],
            kernel: list[tuple[str, CellOutput]]) -> Run:
    """Each code cell's published outputs against the kernel's, masked as the page-output test masks them."""
    nb = group[0]
    run = Run(group)
    lines = _section_lines(site_config.load().root / nb.snippet)

    def mismatch(section: str, what: str, mine: str, theirs: str) -> None:
        where = f"{nb.snippet}:{lines.get(section, 1)}"
        run.mismatches.append(Mismatch(where, run.label, section, what, mine, theirs))

    if [s for s, _ in shown] != [s for s, _ in kernel]:
        mismatch("", "cells", "\n".join(s for s, _ in shown), "\n".join(s for s, _ in kernel))
        return run
    stopped = ""  # the section whose published error stops Jupyter's "Run All"
    for (section, mine), (_, theirs) in zip(shown, kernel, strict=True):
        if not mine.ran:
            run.not_compared.append(section)
            continue
        if stopped:
            mismatch(section, "stops", f"the cell's outputs, after the error of {stopped!r}",
                     f"nothing: running top to bottom stops at the error of {stopped!r}")
        run.compared += 1
        run.masks["terminal colours"] += mine.coloured or theirs.coloured
        varies = output_blocks.VARIES.get(f"{nb.snippet}:{section}")
        for what, a, b in (("stdout", mine.stdout, theirs.stdout), ("stderr", mine.stderr, theirs.stderr),
                           ("display", "\n".join(mine.others), "\n".join(theirs.others))):
            if varies and varies.mask is None:  # all of it varies: it must still be there, or not
                run.masks[f"VARIES {nb.snippet}:{section} (all of it)"] += bool(a.strip() or b.strip())
                if bool(a.strip()) != bool(b.strip()):
                    mismatch(section, what, a, b)
                continue
            mask = varies.mask if varies else None
            _count_masks(run.masks, f"{nb.snippet}:{section}", mask, a, b)
            if output_blocks.comparable(a, mask) != output_blocks.comparable(b, mask):
                mismatch(section, what, a, b)
        if (mine.error is None) != (theirs.error is None) or (mine.error and (
                mine.error[0] != theirs.error[0]
                or output_blocks.comparable(mine.error[1]) != output_blocks.comparable(theirs.error[1]))):
            mismatch(section, "error", ": ".join(mine.error or ("no error",)), ": ".join(theirs.error or ("no error",)))
        if mine.error and not stopped:
            stopped = section
    return run


def _count_masks(masks: Counter, target: str, mask: str | None, *texts: str) -> None:
    for name, pattern in (("durations", output_blocks.DURATION), ("ratios", output_blocks.RATIO),
                          ("addresses", output_blocks.ADDRESS)):
        masks[name] += any(pattern.search(text) for text in texts)
    if mask:
        masks[f"VARIES {target}"] += any(re.search(mask, text) for text in texts)


def _section_lines(snippet: Path) -> dict[str, int]:
    """Each section's start marker line in the snippet."""
    lines = {}
    for number, line in enumerate(snippet.read_text(encoding="utf-8").splitlines(), start=1):
        m = SECTION.search(line)
        if m and m[1] == "start":
            lines.setdefault(m[2], number)
    return lines


def verify(group: tuple[notebooks.PageNotebook, ...]) -> Run:
    """Run the group's notebook in a Jupyter kernel and compare it with the published one."""
    started = time.perf_counter()
    document = json.loads(notebooks.notebook_json(group[0]))
    shown = published(document)
    lines = _section_lines(site_config.load().root / group[0].snippet)
    missing = [s for s, out in shown if not out.ran and _not_captured(group[0], s)]
    if missing:  # the capture has not run yet: nothing to compare with
        run = Run(group, seconds=time.perf_counter() - started)
        run.mismatches.append(Mismatch(f"{group[0].snippet}:{lines.get(missing[0], 1)}", run.label, missing[0],
                                       "capture", outputs_store.NOT_CAPTURED, "(not run)"))
        return run
    kernel, problem, cpu_s = execute_in_kernel(group[0], stripped(document))
    if problem:
        run = Run(group)
        run.mismatches.append(Mismatch(f"{group[0].snippet}:1", run.label, "", "run", "(a complete run)", problem))
    else:
        run = compare(group, shown, kernel)
    run.seconds, run.cpu_s = time.perf_counter() - started, cpu_s
    if cpu_s:
        _record_cost(key(group), cpu_s)
    return run


def costs() -> dict[str, float]:
    """CPU seconds of each notebook's last kernel run here (the test's sample is sized by them)."""
    path = _costs_file()
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _costs_file() -> Path:
    return site_config.load().root / ".cache" / "notebook-costs.json"


def _record_cost(name: str, cpu_s: float) -> None:
    import fcntl

    path = _costs_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the verb's threads and the test's workers write it too
        write_atomic(path, json.dumps({**costs(), name: round(cpu_s, 1)}, indent=1, sort_keys=True))


def _not_captured(nb: notebooks.PageNotebook, section: str) -> bool:
    outputs = notebooks.execute(site_config.load().root / nb.snippet, nb.sections)
    return outputs[section].not_run == outputs_store.NOT_CAPTURED


def execute_in_kernel(nb: notebooks.PageNotebook, document: dict
                      ) -> tuple[list[tuple[str, CellOutput]], str, float]:
    """The document run top to bottom in a fresh kernel (notebooks.run_in_kernel: sandboxed, from a copy of
    the snippet's folder), every cell even after an error, so that each is compared: (section, what the cell
    shows) for each code cell, why the run failed ("" when it did not), and its CPU seconds."""
    folder = (site_config.load().root / nb.snippet).parent
    cells, problem, cpu_s = notebooks.run_in_kernel(document, folder, nb.name, allow_errors=True)
    return [(section, _cell_output(outputs)) for section, outputs, _ in cells], problem, cpu_s


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in (text.rstrip("\n") or "(nothing)").split("\n"))
