"""Every snippet a page shows, as a notebook a student can open, in the page's language.

For each page and each snippet it includes, `page_notebooks()` builds a notebook: the page's
title and intro paragraph as a Markdown cell, then, for every section the page shows (in the
page's order), the prose the page puts right before it (the heading it sits under and the
paragraphs since the previous code block) and the section's code, exactly as the page displays
it. No `# --8<--` markers, no BENCHMARK, no build(): only what the reader saw.

The outputs are real and they are Jupyter's: `execute()` runs the notebook's sections top to bottom
in ONE Jupyter kernel (nbclient and ipykernel), inside the sandbox (ramverk/executor/sandbox.py:
read-only filesystem, memory limit, timeout; its network namespace has only a loopback device, which is
all the kernel's sockets need), from a copy of the snippet's folder, as a reader runs the downloaded
notebook beside its snippet. A plain process showed less than Jupyter does: no value a cell ends with,
rich displays (Keras' summary) as plain prints, no colour, no interactive logging (TensorFlow's INFO
lines). Like Jupyter's "Run All" it stops at a cell's error. What a cell displays is kept as plain text
(the site publishes no HTML or images from code). A section whose packages are missing here is not run,
and a Markdown cell says so; so are a notebook's sections that cannot share a kernel (`_split`). The captured
outputs are data, committed like results, in outputs/ (results/outputs_store.py reads and writes those
files, keyed by a hash of the snippet, its siblings and the sections run). A build never runs code: `python -m ramverk
outputs` captures what outputs/ lacks (a changed snippet), `ramverk check outputs` names missing
and unused files, and until then the notebook says the cell was not run; the prose is rebuilt
every time.

hooks/notebooks.py turns each notebook into a page of the site (rendered by mkdocs-jupyter) with
the .ipynb beside it as a download; `links_markdown()` is the line under each page that links them.
"""

from __future__ import annotations

import ast
import html
import json
import os
import posixpath
import re
import shutil
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ramverk.contract import frameworks, site_config
from ramverk.contract.page_text import t
from ramverk.contract.snippet_spec import SECTION
from ramverk.executor import serving
from ramverk.pages import page_source, scanner
from ramverk.results import outputs_store, results_view
from ramverk.results.outputs_store import Output

TIMEOUT_S = float(os.environ.get("RAMVERK_NOTEBOOK_TIMEOUT_S", 600))
KERNEL_START_S = 60  # the kernel's start, beyond the notebook's time limit
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
LANGUAGE_INFO = {"name": "python", "version": f"{sys.version_info.major}.{sys.version_info.minor}"}
# What the capture's process gets besides the sandbox's environment (and MPLCONFIGDIR, a folder of its
# own); checks/notebook_runs.py gives a Jupyter kernel the same.
CAPTURE_ENV = {"PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}


# --- The notebook of one page and one snippet ------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    kind: str  # "markdown" | "code"
    source: str
    section: str | None = None  # code cells: the snippet section
    label: bool = False  # markdown cells: a content tab's label ("**PyTorch**")


@dataclass(frozen=True)
class PageNotebook:
    page: str  # docs-relative source of the page, e.g. "execution/overview.en.md"
    stem: str  # "execution/overview"
    lang: str
    snippet: str  # "snippets/execution/same_math.py"
    title: str
    cells: tuple[Cell, ...] = field(default=())
    part: str = ""  # a notebook split off the snippet's first one (see _split): its first section

    @classmethod
    def from_dict(cls, fields: dict) -> PageNotebook:
        """The notebook from dataclasses.asdict's fields (as JSON gives them back: lists for tuples)."""
        return cls(**{**fields, "cells": tuple(Cell(**cell) for cell in fields["cells"])})

    @property
    def name(self) -> str:
        base = posixpath.basename(self.snippet).removesuffix(".py")
        return f"{base}-{self.part}" if self.part else base  # "-": no snippet's name has one

    @property
    def src_uri(self) -> str:
        """The notebook page (a .ipynb the hook renders), as pages link to it."""
        return f"notebooks/{self.stem}/{self.name}.ipynb"

    @property
    def download_uri(self) -> str:
        """The .ipynb download, beside the notebook page's index.html."""
        return f"notebooks/{self.stem}/{self.name}/{self.name}.ipynb"

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(c.section for c in self.cells if c.kind == "code")

    @property
    def heading(self) -> str:
        """The notebook's own title (its page's and its first cell's heading): its name, then the page's
        title up to a colon, "same_math — Execution models". With the page's whole title every notebook
        of a page had the same one."""
        return f"{self.name} — {self.title.split(': ', 1)[0]}"


_snippets_seen: tuple = ()


def forget_if_snippets_changed() -> None:
    """Empty page_notebooks' cache when a snippet file changed since the last call (its key is the page's
    text, so an edited page misses it anyway): a rebuild of `mkdocs serve` after a one-page edit then
    splits no notebook again (1.5 s of its 6 s, measured with cProfile)."""
    global _snippets_seen
    folder = site_config.load().root / "snippets"
    seen = tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*.py")))
    if seen != _snippets_seen:
        page_notebooks.cache_clear()
        _notebook_json.cache_clear()  # a value marker in the prose may read a snippet's constant
        _snippets_seen = seen


def snippet_sections(path: Path) -> dict[str, str]:
    """Each section's code as a page displays it (pymdownx.snippets with dedent_subsections):
    the lines between its start and end markers, without marker lines, dedented."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        m = SECTION.search(line)
        if not (m and m[1] == "start"):
            continue
        body = []
        for later in lines[i + 1:]:
            end = SECTION.search(later)
            if end and end[1] == "end" and end[2] == m[2]:
                break
            if not end:
                body.append(later)
        found.setdefault(m[2], textwrap.dedent("\n".join(body)).strip("\n"))
    return found


@lru_cache(maxsize=256)  # each build asks per page several times: links, output blocks, both languages' files
def page_notebooks(text: str, page_src: str, lang: str) -> tuple[PageNotebook, ...]:
    """One notebook for each snippet the page includes (in the order the page first shows them).

    `text` is the page file's text, front matter included: what the other readers of the source
    scan too (pages.scanner keeps one scan per text)."""
    stem = page_source.PAGE_SUFFIX.match(page_src)["stem"] if page_source.PAGE_SUFFIX.match(page_src) else (
        page_src.removesuffix(".md"))
    events = _events(text)
    title = next((e.text for e in events if e.kind == "heading" and e.level == 1), stem)
    intro, i = [], next((n + 1 for n, e in enumerate(events) if e.kind == "heading" and e.level == 1), 0)
    while i < len(events) and events[i].kind == "para":
        intro.append(events[i].text)
        i += 1
    root = site_config.load().root
    order: list[str] = []
    cells: dict[str, list[Cell]] = {}
    seen: dict[str, set[str]] = {}
    emitted_heading: dict[str, int] = {}
    heading: tuple[int, Event] | None = None
    since: list[str] = []
    for n, event in enumerate(events[i:], start=i):
        if event.kind == "heading":
            heading, since = (n, event), []
        elif event.kind == "para":
            since.append(event.text)
        elif event.kind == "fence":
            since = []
        elif event.kind == "include":
            snippet, _, section = event.text.partition(":")
            if not snippet.startswith("snippets/") or not (root / snippet).is_file():
                since = []
                continue
            shown = snippet_sections(root / snippet)
            wanted = [section] if section else list(shown)
            new = [s for s in wanted if s in shown and s not in seen.setdefault(snippet, set())]
            if not new:
                continue
            if snippet not in cells:
                order.append(snippet)
                cells[snippet] = []
            out = cells[snippet]
            if heading and emitted_heading.get(snippet) != heading[0]:
                out.append(Cell("markdown", "#" * max(heading[1].level, 2) + " " + heading[1].text))
                emitted_heading[snippet] = heading[0]
            if since:
                out.append(Cell("markdown", "\n\n".join(since)))
            if event.tab:
                out.append(Cell("markdown", f"**{event.tab}**", label=True))
            for s in new:
                seen[snippet].add(s)
                out.append(Cell("code", shown[s], s))
            since = []
    # The page's notebooks share this cell; notebook() puts each one's own heading (nb.heading) on top.
    head = Cell("markdown", "\n\n".join([*intro, f"*{t(lang, 'notebook_outputs_note')}*"]))
    found = []
    for s in order:
        parts = _split(cells[s])
        base = posixpath.basename(s).removesuffix(".py")
        names = [f"`{base}-{first}`" for first, _, _ in parts[1:]]
        for n, (first, part_cells, (variables, packages)) in enumerate(parts):
            note = (t(lang, "notebook_split_away", notebooks=", ".join(names)) if n == 0 else
                    t(lang, "notebook_split_here", variables=", ".join(f"`{v}`" for v in variables),
                      packages=", ".join(f"`{p}`" for p in packages), first=f"`{base}`"))
            extra = (Cell("markdown", f"*{note}*"),) if len(parts) > 1 else ()
            found.append(PageNotebook(page_src, stem, lang, s, title, (head, *extra, *part_cells), first))
    return tuple(found)


Clash = tuple[tuple[str, ...], tuple[str, ...]]  # (environment variables, packages imported again after them)


def _split(cells: list[Cell]) -> list[tuple[str, list[Cell], Clash]]:
    """The snippet's cells as notebooks that each run top to bottom in one Python process, as Jupyter runs
    them: (first section, or "" for the first notebook; cells; why it was split off).

    A section that sets an environment variable and then imports a package that an earlier section of the
    same notebook imported cannot share that process: the package is imported once and read the variable
    then (Keras' KERAS_BACKEND). Such a section starts a notebook of its own, with the heading and prose it
    sits under; the sections after it follow it there."""
    parts: list[tuple[str, list[Cell], Clash]] = [("", [], ((), ()))]
    imported: set[str] = set()
    pending: list[Cell] = []  # markdown since the previous code cell
    lead: list[Cell] = []  # the latest heading and its prose, up to the first code cell under it
    lead_open = False
    for cell in cells:
        if cell.kind == "markdown":
            if cell.source.startswith("#"):
                lead, lead_open = [cell], True
            elif lead_open and not cell.label:
                lead.append(cell)
            pending.append(cell)
            continue
        lead_open = False
        clash = _environment_first(cell.source, imported)
        if clash[1]:
            under_heading = pending and pending[0].source.startswith("#")
            carried = pending if under_heading else [*lead, *pending]
            parts.append((cell.section, carried, clash))
            imported = set()
        else:
            parts[-1][1].extend(pending)
        parts[-1][1].append(cell)
        imported |= _imported(cell.source)
        pending = []
    parts[-1][1].extend(pending)
    return parts


def _environment_first(code: str, imported: set[str]) -> Clash:
    """The environment variables the code sets before it imports a package that `imported` holds (not the
    standard library's), and the packages of the first such import (`import keras`, not the numpy after it);
    ((), ()) when it does not."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return (), ()
    variables: list[str] = []
    packages: list[str] = []
    changes = {id(change.node): change for change in serving.environment_changes(tree)}
    for node in sorted((n for n in ast.walk(tree) if isinstance(n, ast.stmt | ast.expr)),
                       key=lambda n: (n.lineno, n.col_offset)):
        if id(node) in changes:
            if not packages:
                variables.append(changes[id(node)].variable or "os.environ")
        elif variables and not packages and isinstance(node, ast.Import | ast.ImportFrom):
            packages += [p for p in _top_names(node) if p in imported and p not in frameworks.STDLIB]
    return (tuple(dict.fromkeys(variables)), tuple(dict.fromkeys(packages))) if packages else ((), ())


def _top_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[0] for alias in node.names]
    return [node.module.split(".")[0]] if node.module and node.level == 0 else []


def _imported(code: str) -> set[str]:
    """The top-level packages the code imports."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return {name for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom) for name in _top_names(n)}


@dataclass(frozen=True)
class Event:
    kind: str  # heading | para | fence | include | other
    text: str = ""
    level: int = 0
    tab: str = ""  # an include inside a content tab: the tab's label


TAB = re.compile(r'^\s*===\+?\s+"(?P<label>[^"]*)"')
# Paragraphs that only make sense on the web page (its tabs, its table of timings).
PAGE_ONLY = re.compile(r"\b(tabs?|flik(en|ar|arna)?)\b", re.I)


def _events(text: str) -> list[Event]:
    """The page (its file's text) as a flat list: headings, prose paragraphs, includes, other code
    blocks, the rest. Code blocks, headings and the front matter are what the site's one Markdown
    reading (pages.scanner) finds."""
    scan = scanner.scan(text)
    lines = text.split("\n")
    fences = {block.start: block for block in scan.code_blocks if block.fence}
    in_code = {n for block in scan.code_blocks for n in range(block.start, block.end + 1)}
    heading_at = {h.line: h for h in scan.headings}
    events: list[Event] = []
    tab, tab_indent, para = "", -1, []

    def flush():
        if para:
            block = textwrap.dedent("\n".join(para)).strip()
            kind = "para" if _is_prose(block) else "other"
            events.append(Event(kind, _notebook_markdown(block) if kind == "para" else ""))
            para.clear()

    for number, line in enumerate(lines, start=1):
        if number < scan.body_start:  # the front matter
            continue
        indent = len(line) - len(line.lstrip())
        if line.strip() and tab and indent <= tab_indent and number not in in_code:
            tab = ""
        if number in fences:
            flush()
            block = fences[number]
            targets = page_source.includes("\n".join(lines[block.start:block.end - 1]))
            if targets:
                events.extend(Event("include", t, tab=tab) for t in targets)
            else:
                events.append(Event("fence"))
        elif number in in_code:
            continue
        elif m := TAB.match(line):
            flush()
            tab, tab_indent = m["label"], indent
        elif number in heading_at and indent == 0:
            flush()
            heading = heading_at[number]
            events.append(Event("heading", _notebook_markdown(heading.text), level=heading.level))
        elif not line.strip():
            flush()
        else:
            para.append(line)
    flush()
    return events


# What the value and claim markers put in a sentence: the notebook keeps the words, not the page's markup.
INLINE_MARKUP = re.compile(r'<span class="ramverk-(?:value|claim)"[^<>]*>([^<>]*)</span>')


def _with_markers(text: str, page_src: str, lang: str) -> str:
    """Prose with its markers replaced as the page shows them, as text. Left as comments, Jupyter's
    Markdown would drop the values and, at a line that starts with `<!--`, end the paragraph and show
    the rest of the line raw (an HTML block)."""
    if "<!--" not in text:
        return text
    from ramverk.render import markers
    from ramverk.render.marker_handlers import HANDLERS  # its handlers need the whole render room

    lines = markers.render_lines(text, HANDLERS, f"docs/{page_src}", lang, front_matter=False)
    return INLINE_MARKUP.sub(lambda m: html.unescape(m[1]), "\n".join(lines))


def _is_prose(block: str) -> bool:
    first = block.lstrip()
    if first.startswith(("<!--", "<", "!!!", "???", ">", "{:", "*[", "[^", "---", "|")):
        return False  # markers and HTML, admonitions, callouts, attribute lists, definitions, rules, tables
    return not PAGE_ONLY.search(block)


WIKILINK = re.compile(r"\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|([^\]]+))?\]\]")
# Link and image text may hold balanced brackets ("x[:, 1]"), as CommonMark allows.
_TEXT = r"\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]"
IMAGE = re.compile(r"!" + _TEXT + r"\([^)]*\)")
LINK = re.compile(r"(?<!!)" + _TEXT + r"\((?P<href>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
ATTR_LIST = re.compile(r"\s*\{\s*[:.#][^}]*\}")
FOOTNOTE_REF = re.compile(r"\[\^[^\]]+\]")


def _notebook_markdown(text: str) -> str:
    """Page Markdown as Jupyter's: links into the site become their text (they lead nowhere from a
    notebook), wikilinks their label, TeX \\( \\) and \\[ \\] Jupyter's $ and $$; attribute lists,
    footnote references and images go."""
    text = IMAGE.sub("", text)
    text = WIKILINK.sub(lambda m: (m[2] or m[1]).strip(), text)
    text = LINK.sub(lambda m: m[0] if m["href"].startswith(("http://", "https://")) else m["text"], text)
    text = ATTR_LIST.sub("", FOOTNOTE_REF.sub("", text))
    text = text.replace("\\(", "$").replace("\\)", "$").replace("\\[", "$$").replace("\\]", "$$")
    return text.strip()


# --- Running the sections ---------------------------------------------------------------------

def execute(snippet: Path, sections: tuple[str, ...], run: bool = False, refresh: bool = False) -> dict[str, Output]:
    """The sections' outputs from outputs/; with run=True, what is missing there is run first, top to
    bottom in one sandboxed Jupyter kernel, and saved; with refresh=True too, it is run again and replaces
    the file only when the run completes."""
    snippet = Path(snippet)
    captured = None if refresh else outputs_store.load(snippet, sections)
    if captured is not None:
        return captured
    if not run:
        return outputs_store.not_captured(sections)
    from ramverk import sections as sections_mod

    by_name = {c.section: c for c in sections_mod.chunks(snippet) if c.section}
    shown = snippet_sections(snippet)
    records: dict[str, dict] = {}
    cells = []
    for section in sections:
        chunk = by_name.get(section)
        reason = sections_mod.missing_packages(chunk) if chunk else "the section has no code"
        if reason:
            records[section] = outputs_store.not_run(section, reason)
        else:
            cells.append({"cell_type": "code", "id": f"cell-{len(cells)}", "source": shown[section], "outputs": [],
                          "metadata": {"ramverk_section": section}, "execution_count": None})
    document = {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
                "metadata": {"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO}}
    ran, failure, _ = run_in_kernel(document, snippet.parent, snippet.stem)
    stopped = ""  # the error that stopped the run, as it stops Jupyter's "Run All"
    for section, outputs, executed in ran:
        if executed:
            records[section] = outputs_store.record(section, outputs)
            stopped = stopped or next((o["ename"] for o in outputs if o["output_type"] == "error"), "")
        elif stopped:
            records[section] = outputs_store.not_run(section, f"a cell above raised {stopped}, and running the "
                                                              "notebook top to bottom stops there")
    for section in sections:
        if section not in records:
            failure = failure or "the kernel stopped before it"
            records[section] = outputs_store.not_run(section, failure)
    data = [records[s] for s in sections]
    if not failure:  # a crash or a timeout may not happen next time: only complete runs are cached
        outputs_store.save(snippet, sections, data)
    return outputs_store.parsed(data)


def output_problems() -> list[str]:
    """Captured outputs that a notebook needs but outputs/ lacks, and files no notebook uses."""
    root = site_config.load().root
    wanted: dict[str, str] = {}
    for nb in all_notebooks():
        wanted.setdefault(outputs_store.key(root / nb.snippet, nb.sections), nb.snippet)
    return outputs_store.problems(wanted)


def capture(prune: bool = False, refresh: bool = False) -> tuple[int, int, list[str]]:
    """Run every notebook whose outputs are missing (with refresh, every notebook), two at a time;
    with prune, delete unused files. Returns (captured, already there, deleted)."""
    from concurrent.futures import ThreadPoolExecutor

    root = site_config.load().root
    jobs = list(dict.fromkeys((root / nb.snippet, nb.sections) for nb in all_notebooks()))
    missing = [job for job in jobs if refresh or not outputs_store.path_for(*job).is_file()]
    # The imports of TensorFlow, PyTorch and JAX dominate: two processes keep both cores busy.
    with ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
        list(pool.map(lambda job: execute(*job, run=True, refresh=refresh), missing))
    deleted = outputs_store.prune({outputs_store.key(*job) for job in jobs}) if prune else []
    return len(missing), len(jobs) - len(missing), deleted


_MARK = "@@ramverk-notebook@@ "  # the worker's report line (cells print too)


def run_in_kernel(document: dict, folder: Path, name: str, allow_errors: bool = False
                  ) -> tuple[list[tuple[str, list[dict], bool]], str, float]:
    """The notebook `document` run top to bottom in a fresh Jupyter kernel, sandboxed, with a temporary copy
    of `folder` (a snippet's) as its working directory: sibling snippets import as they do for a reader who
    saved the notebook, as `name`.ipynb, beside its snippet. The environment is the capture's (CAPTURE_ENV),
    with empty Jupyter and IPython folders: no profile, configuration or kernel of this machine's user.

    Returns (section, outputs, executed) for each code cell, why the run failed ("" when it did not), and the
    CPU seconds of the kernel and its driver. Without allow_errors it stops at a cell's error, as Jupyter's
    "Run All" does (that is no failure)."""
    import subprocess

    from ramverk.executor import sandbox

    with tempfile.TemporaryDirectory(prefix="ramverk-notebook-") as tmp:
        work, state = Path(tmp) / folder.name, Path(tmp) / "state"
        shutil.copytree(folder, work, ignore=shutil.ignore_patterns("__pycache__"))
        state.mkdir()
        path = work / f"{name}.ipynb"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        env = {**CAPTURE_ENV, "MPLCONFIGDIR": str(state / "matplotlib"), "IPYTHONDIR": str(state / "ipython"),
               "JUPYTER_CONFIG_DIR": str(state / "jupyter-config"), "JUPYTER_DATA_DIR": str(state / "jupyter-data"),
               "JUPYTER_RUNTIME_DIR": str(state / "runtime")}
        argv = [sys.executable, "-c", "from ramverk.render.notebooks import _worker; _worker()", str(path),
                str(TIMEOUT_S), "1" if allow_errors else "0"]
        try:
            proc = sandbox.run(argv, work, timeout=TIMEOUT_S + KERNEL_START_S, env=env, writable=[state])
        except subprocess.TimeoutExpired:
            return [], f"the time limit of {TIMEOUT_S + KERNEL_START_S:.0f} s ran out", 0.0
    report = next((json.loads(line[len(_MARK):]) for line in proc.stdout.splitlines() if line.startswith(_MARK)), None)
    if report is None:
        return [], (f"the kernel's driver ended with exit status {proc.returncode} and no report: "
                    + (proc.stderr.strip()[-2000:] or proc.stdout.strip()[-2000:])), 0.0
    cells = [(section, outputs, executed) for section, outputs, executed in report["cells"]]
    return cells, report["problem"], report["cpu_s"]


def _worker() -> None:
    """Inside the sandbox: argv = [notebook, time limit per cell, allow errors (1|0)]. Runs the notebook in a
    fresh kernel whose working directory is the notebook's folder; prints one marked JSON line."""
    import resource

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from ramverk.executor.fork_server import set_dumpable

    # The kernel runs as this process's user; non-dumpable, this driver (and the report it prints) is out
    # of the kernel's reach by ptrace. The kernel itself is dumpable again after its exec.
    set_dumpable(0)
    path, timeout, allow_errors = Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3] == "1"
    # Under pytest ipykernel leaves file descriptors 1 and 2 alone: native code's output would go unseen.
    os.environ.pop("PYTEST_CURRENT_TEST", None)
    document = nbformat.read(path, as_version=4)
    client = NotebookClient(document, timeout=timeout, startup_timeout=KERNEL_START_S, kernel_name="python3",
                            allow_errors=allow_errors, resources={"metadata": {"path": str(path.parent)}})
    problem = ""
    try:
        client.execute()
    except CellExecutionError:
        pass  # the run stopped at a cell's error, as "Run All" does: the cells after it have no outputs
    except Exception as error:  # noqa: BLE001 - a dead kernel or a timeout: the run's problem
        problem = f"{type(error).__name__}: {str(error)[:2000]}"
    cells = [[cell.metadata.get("ramverk_section", ""), cell.outputs, cell.execution_count is not None]
             for cell in document.cells if cell.cell_type == "code"]
    # The kernel has shut down and been waited for: its CPU time is among this process's children's.
    cpu_s = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
                for f in ("ru_utime", "ru_stime"))
    print(_MARK + json.dumps({"cells": cells, "problem": problem, "cpu_s": round(cpu_s, 2)}), flush=True)


# --- The notebook file ------------------------------------------------------------------------

def notebook(nb: PageNotebook) -> dict:
    """The executed notebook (nbformat 4, validated).

    Built as plain nodes and validated once as a whole: nbformat's new_*_cell helpers validate
    every cell and output on their own, which took most of a build's notebook time."""
    import nbformat
    from nbformat import NotebookNode

    root = site_config.load().root
    outputs = execute(root / nb.snippet, nb.sections)
    cells = []

    def markdown_cell(source: str) -> NotebookNode:
        return NotebookNode(id=f"cell-{len(cells)}", cell_type="markdown", source=source, metadata=NotebookNode())

    for cell in nb.cells:
        if cell.kind == "markdown":
            source = _with_markers(cell.source, nb.page, nb.lang)  # here, not in page_notebooks: a test's collection reads those
            cells.append(markdown_cell(source if cells else f"# {nb.heading}\n\n{source}"))
            continue
        result = outputs.get(cell.section, Output(not_run="the process did not report it"))
        code = NotebookNode(id=f"cell-{len(cells)}", cell_type="code", source=cell.source, outputs=[],
                            metadata=NotebookNode(ramverk_section=cell.section), execution_count=None)
        if not result.not_run:
            code.execution_count = sum(1 for c in cells if c.cell_type == "code" and c.execution_count) + 1
            for out in result.outputs:  # as the kernel sent them
                code.outputs.append(NotebookNode(out, **({"execution_count": code.execution_count}
                                                         if out["output_type"] == "execute_result" else {})))
            for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)) if not result.outputs else ():
                if text:
                    code.outputs.append(NotebookNode(output_type="stream", name=stream, text=text))
            if result.error and not result.outputs:
                ename, evalue, tb = result.error
                code.outputs.append(NotebookNode(output_type="error", ename=ename, evalue=evalue,
                                                 traceback=list(tb)))
        cells.append(code)
        if result.not_run:
            cells.append(markdown_cell(f"*{t(nb.lang, 'notebook_not_run', reason=result.not_run)}*"))
    document = NotebookNode(nbformat=nbformat.v4.nbformat, nbformat_minor=nbformat.v4.nbformat_minor, cells=cells,
                            metadata=NotebookNode(kernelspec=KERNELSPEC, language_info=LANGUAGE_INFO))
    nbformat.validate(document)
    return document


def notebook_json(nb: PageNotebook) -> str:
    """The notebook as the .ipynb text, cached per notebook, version of its captured outputs and version
    of the results (its prose shows values and claims, _with_markers)."""
    captured = outputs_store.path_for(site_config.load().root / nb.snippet, nb.sections)
    return _notebook_json(nb, captured.stat().st_mtime_ns if captured.is_file() else 0, results_view.version())


@lru_cache(maxsize=512)
def _notebook_json(nb: PageNotebook, outputs_version: int, results_version: tuple) -> str:
    from nbformat.v4 import nbjson

    return nbjson.writes(notebook(nb))  # validated in notebook(); nbformat.writes would validate again


def all_notebooks(lang: str | None = None) -> list[PageNotebook]:
    """The notebooks of every page (of one language)."""
    found = []
    for page in page_source.pages():
        if page.lang and (lang is None or page.lang == lang):
            rel = page.path.relative_to(site_config.load().docs_dir).as_posix()
            found.extend(page_notebooks(page.path.read_text(encoding="utf-8"), rel, page.lang))
    return found


# --- Links under each page ----------------------------------------------------------------------

def links_markdown(source: str, page_src: str, lang: str) -> str:
    """The line under a page that links its snippets' notebook pages and downloads ('' when it
    includes none); `source` is the page file's text."""
    here = posixpath.dirname(page_src)
    nbs = page_notebooks(source, page_src, lang)
    if not nbs:
        return ""
    download = t(lang, "notebook_download_short")
    links = ", ".join(f"[`{nb.name}`]({posixpath.relpath(nb.src_uri, here)}) "
                      f"([{download}]({posixpath.relpath(nb.download_uri, here)}))" for nb in nbs)
    return f"\n\n---\n\n**{t(lang, 'notebook_link')}:** {links}\n{{: .ramverk-notebooks }}\n"


# --- Code wider than the page's code column (`ramverk check code-width`) ---------------------------

def long_code_lines(limit: int) -> list[str]:
    """`file:line: ...` for every code line a page displays (its own code blocks and the snippet
    sections it includes, as dedented for display) that is longer than `limit` characters."""
    root = site_config.load().root
    problems: dict[str, str] = {}
    for page in page_source.pages():
        text = page.path.read_text(encoding="utf-8")
        lines = text.split("\n")
        for block in scanner.scan(text).code_blocks:
            opening = lines[block.start - 1]
            indent = len(opening) - len(opening.lstrip()) if block.fence else 4
            body = range(block.start + 1, block.end) if block.fence else range(block.start, block.end + 1)
            for number in body:
                line = lines[number - 1]
                targets = page_source.includes(line)
                for target in targets:
                    snippet, _, section = target.partition(":")
                    if (root / snippet).is_file():
                        for where, width in _section_widths(root / snippet, section, root):
                            if width > limit:
                                problems.setdefault(where, f"{where}: displayed code line has {width} characters "
                                                           f"(at most {limit} fit the code column); wrap it, or "
                                                           f"move its comment above it")
                if not targets and len(line[indent:]) > limit:
                    where = f"{page.rel}:{number}"
                    problems.setdefault(where, f"{where}: code line has {len(line[indent:])} characters "
                                               f"(at most {limit} fit the code column)")
    return list(problems.values())


def _section_widths(path: Path, section: str, root: Path) -> list[tuple[str, int]]:
    """(file:line, displayed width) of each line of a section (or the whole file), as pages show it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rel = path.relative_to(root).as_posix()
    inside, body = not section, []
    for number, line in enumerate(lines, start=1):
        m = SECTION.search(line)
        if m:
            if section and m[2] == section:
                inside = m[1] == "start"
            continue
        if inside:
            body.append((number, line))
    nonblank = [line for _, line in body if line.strip()]
    common = min((len(line) - len(line.lstrip()) for line in nonblank), default=0)
    return [(f"{rel}:{number}", len(line) - common) for number, line in body if line.strip()]
