"""Every snippet a page shows, as a notebook a student can open, in the page's language.

For each page and each snippet it includes, `page_notebooks()` builds a notebook: the page's
title and intro paragraph as a Markdown cell, then, for every section the page shows (in the
page's order), the prose the page puts right before it (the heading it sits under and the
paragraphs since the previous code block) and the section's code, exactly as the page displays
it. No `# --8<--` markers, no BENCHMARK, no build(): only what the reader saw.

The outputs are real: `execute()` runs the notebook's sections in order in ONE sandboxed Python
process (ramverk/executor/sandbox.py: read-only filesystem, no network, memory limit, timeout), capturing
each section's stdout and stderr and the error it raised, and the notebook gets them as stream
and error outputs. Jupyter's kernel is not used: it would need sockets inside the sandbox. A
section whose packages are missing here is not run, and a Markdown cell says so. The captured
outputs are data, committed like results: outputs/<key>.json, keyed by a hash of the snippet (and
the siblings it imports) and of the sections run. A build never runs code: `python -m ramverk
outputs` captures what outputs/ lacks (a changed snippet), `ramverk check outputs` names missing
and unused files, and until then the notebook says the cell was not run; the prose is rebuilt
every time.

hooks/notebooks.py turns each notebook into a page of the site (rendered by mkdocs-jupyter) with
the .ipynb beside it as a download; `links_markdown()` is the line under each page that links them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import linecache
import os
import posixpath
import re
import sys
import tempfile
import textwrap
import traceback
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ramverk.contract import site_config
from ramverk.contract.page_text import t
from ramverk.contract.snippet_spec import SECTION, sibling_imports
from ramverk.pages import page_source, scanner
from ramverk.results import results_store

TIMEOUT_S = float(os.environ.get("RAMVERK_NOTEBOOK_TIMEOUT_S", 600))
EXECUTION_VERSION = 2  # bump when the executor's output changes: invalidates outputs/ (2: fd-level capture)
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
LANGUAGE_INFO = {"name": "python", "version": f"{sys.version_info.major}.{sys.version_info.minor}"}


# --- The notebook of one page and one snippet ------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    kind: str  # "markdown" | "code"
    source: str
    section: str | None = None  # code cells: the snippet section


@dataclass(frozen=True)
class PageNotebook:
    page: str  # docs-relative source of the page, e.g. "execution/overview.en.md"
    stem: str  # "execution/overview"
    lang: str
    snippet: str  # "snippets/execution/same_math.py"
    title: str
    cells: tuple[Cell, ...] = field(default=())

    @property
    def name(self) -> str:
        return posixpath.basename(self.snippet).removesuffix(".py")

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
                out.append(Cell("markdown", f"**{event.tab}**"))
            for s in new:
                seen[snippet].add(s)
                out.append(Cell("code", shown[s], s))
            since = []
    # The page's notebooks share this cell; notebook() puts each one's own heading (nb.heading) on top.
    head = "\n\n".join([*intro, f"*{t(lang, 'notebook_outputs_note')}*"])
    return tuple(PageNotebook(page_src, stem, lang, s, title, (Cell("markdown", head), *cells[s])) for s in order)


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

@dataclass(frozen=True)
class Output:
    stdout: str = ""
    stderr: str = ""
    error: tuple[str, str, tuple[str, ...]] | None = None  # ename, evalue, traceback lines
    not_run: str = ""  # why the section was not run


NOT_CAPTURED = "its output is not captured yet (python -m ramverk outputs)"


def execute(snippet: Path, sections: tuple[str, ...], run: bool = False, refresh: bool = False) -> dict[str, Output]:
    """The sections' outputs from outputs/; with run=True, what is missing there is run first, in
    order in one sandboxed process, and saved; with refresh=True too, it is run again and replaces
    the file only when the run completes."""
    snippet = Path(snippet)
    key = _execution_key(snippet, sections)
    cache = outputs_dir() / f"{key}.json"
    if cache.is_file() and not refresh:
        return _outputs(json.loads(cache.read_text(encoding="utf-8")))
    if not run:
        return {section: Output(not_run=NOT_CAPTURED) for section in sections}
    from ramverk.executor import sandbox

    with tempfile.TemporaryDirectory(prefix="ramverk-notebook-") as tmp:
        argv = [sys.executable, "-c", "from ramverk.render.notebooks import _worker; _worker()", str(snippet.resolve()),
                *sections]
        try:
            proc = sandbox.run(argv, tmp, timeout=TIMEOUT_S, env={"PYTHONHASHSEED": "0", "MPLBACKEND": "Agg", "MPLCONFIGDIR": tmp})
            stdout, failure = proc.stdout, (f"the process ended with exit status {proc.returncode}"
                                            if proc.returncode else "")
        except Exception as error:  # TimeoutExpired carries what was printed so far
            stdout = getattr(error, "stdout", "") or ""
            stdout = stdout.decode("utf-8", "replace") if isinstance(stdout, bytes) else stdout
            failure = f"the build's time limit of {TIMEOUT_S:.0f} s ran out" if "Timeout" in type(error).__name__ \
                else f"{type(error).__name__}: {error}"
    records = {}
    for line in stdout.split("\n"):
        if line.startswith(_MARK):
            record = json.loads(line[len(_MARK):])
            records[record["section"]] = record
    for section in sections:
        if section not in records:
            failure = failure or "the process stopped before it"
            records[section] = {"section": section, "not_run": failure}
    data = [records[s] for s in sections]
    if not failure:  # a crash or a timeout may not happen next time: only complete runs are cached
        results_store.write_atomic(cache, json.dumps(data, ensure_ascii=False))  # both language builds may write it
    return _outputs(data)


def outputs_dir() -> Path:
    return site_config.load().root / "outputs"


def output_problems() -> list[str]:
    """Captured outputs that a notebook needs but outputs/ lacks, and files no notebook uses."""
    root = site_config.load().root
    wanted: dict[str, str] = {}
    for nb in all_notebooks():
        wanted.setdefault(_execution_key(root / nb.snippet, nb.sections), nb.snippet)
    present = {p.stem for p in outputs_dir().glob("*.json")}
    if os.environ.get("RAMVERK_PENDING_RESULTS"):  # drafting mode: nothing measured or captured yet
        present |= set(wanted)
    problems = [f"{snippet}:1: its sections' captured outputs (outputs/{key}.json) are missing; capture them "
                "with python -m ramverk outputs, and commit outputs/"
                for key, snippet in sorted(wanted.items(), key=lambda kv: kv[1]) if key not in present]
    problems += [f"outputs/{key}.json:1: no notebook uses it any more; delete it" for key in sorted(present - set(wanted))]
    return problems


def capture(prune: bool = False, refresh: bool = False) -> tuple[int, int, list[str]]:
    """Run every notebook whose outputs are missing (with refresh, every notebook), two at a time;
    with prune, delete unused files. Returns (captured, already there, deleted)."""
    from concurrent.futures import ThreadPoolExecutor

    root = site_config.load().root
    jobs = list(dict.fromkeys((root / nb.snippet, nb.sections) for nb in all_notebooks()))
    missing = [job for job in jobs if refresh or not (outputs_dir() / f"{_execution_key(*job)}.json").is_file()]
    # The imports of TensorFlow, PyTorch and JAX dominate: two processes keep both cores busy.
    with ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
        list(pool.map(lambda job: execute(*job, run=True, refresh=refresh), missing))
    deleted = []
    if prune:
        wanted = {f"{_execution_key(*job)}.json" for job in jobs}
        for path in sorted(outputs_dir().glob("*.json")):
            if path.name not in wanted:
                path.unlink()
                deleted.append(path.name)
    return len(missing), len(jobs) - len(missing), deleted


def _outputs(data: list[dict]) -> dict[str, Output]:
    return {d["section"]: Output(d.get("stdout", ""), d.get("stderr", ""),
                                 (d["error"][0], d["error"][1], tuple(d["error"][2])) if d.get("error") else None,
                                 d.get("not_run", "")) for d in data}


def _execution_key(snippet: Path, sections: tuple[str, ...]) -> str:
    digest = hashlib.sha256(json.dumps([EXECUTION_VERSION, snippet.name, list(sections)]).encode())
    digest.update(snippet.read_bytes())
    for sibling in sibling_imports(snippet, snippet.stat().st_mtime_ns):  # snippets it imports run too
        digest.update(sibling.read_bytes())
    return digest.hexdigest()[:24]


_MARK = "@@ramverk-notebook@@ "  # a line of the worker's report (sections print too)


@contextlib.contextmanager
def _captured_output(into: dict[str, str]):
    """What the code writes to file descriptors 1 and 2, as the tests' subprocesses see it: also what
    native code writes there (tf.print), not only Python's sys.stdout. Lines keep their order."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    line_buffered = sys.stdout.line_buffering
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        sys.stdout.reconfigure(line_buffering=True)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            sys.stdout.reconfigure(line_buffering=line_buffered)
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            for name, file in (("stdout", out), ("stderr", err)):
                file.seek(0)
                into[name] = file.read().decode("utf-8", "replace")


def _worker() -> None:
    """Inside the sandbox: argv = [snippet path, section, ...]. Runs the sections in order in __main__'s
    namespace (as a notebook's kernel would), printing one marked JSON line per section."""
    from ramverk import sections as sections_mod

    path, wanted = Path(sys.argv[1]), sys.argv[2:]
    by_name = {c.section: c for c in sections_mod.chunks(path) if c.section}
    real_stdout = os.fdopen(os.dup(1), "w", encoding="utf-8")  # the report's own stream, beside fd 1
    # Tracebacks and debuggers name the file as the checkout does, not by where this machine keeps it
    # (in <>, which pdb leaves alone instead of making it absolute; linecache serves its lines).
    shown_name = "<" + path.as_posix()[path.as_posix().rfind("snippets/"):] + ">"
    source = path.read_text(encoding="utf-8")
    linecache.cache[shown_name] = (len(source), None, source.splitlines(keepends=True), shown_name)
    namespace = sys.modules["__main__"].__dict__
    namespace["__file__"] = str(path)
    sys.path.insert(0, str(path.parent))
    with sections_mod._siblings(path.parent, sections_mod.missing_packages):
        for name in wanted:
            chunk = by_name.get(name)
            record: dict = {"section": name}
            reason = sections_mod.missing_packages(chunk) if chunk else "the section has no code"
            if reason:
                record["not_run"] = reason
            else:
                captured: dict[str, str] = {}
                try:
                    code = compile("\n" * (chunk.start - 1) + chunk.source, shown_name, "exec")
                    with _captured_output(captured):
                        exec(code, namespace)  # noqa: S102 - contributor code, inside the sandbox
                except BaseException as error:  # noqa: BLE001 - reported as the cell's error output
                    frames = traceback.extract_tb(error.__traceback__)
                    frames = [f for f in frames if f.filename == shown_name] or frames[-1:]
                    lines = traceback.format_list(frames) + traceback.format_exception_only(type(error), error)
                    record["error"] = [type(error).__name__, str(error), ["".join(lines).rstrip()]]
                    if isinstance(error, KeyboardInterrupt | SystemExit):
                        record["stdout"], record["stderr"] = captured.get("stdout", ""), captured.get("stderr", "")
                        print(_MARK + json.dumps(record), file=real_stdout, flush=True)
                        return
                record["stdout"], record["stderr"] = captured.get("stdout", ""), captured.get("stderr", "")
            print(_MARK + json.dumps(record), file=real_stdout, flush=True)


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
            cells.append(markdown_cell(cell.source if cells else f"# {nb.heading}\n\n{cell.source}"))
            continue
        result = outputs.get(cell.section, Output(not_run="the process did not report it"))
        code = NotebookNode(id=f"cell-{len(cells)}", cell_type="code", source=cell.source, outputs=[],
                            metadata=NotebookNode(ramverk_section=cell.section), execution_count=None)
        if not result.not_run:
            code.execution_count = sum(1 for c in cells if c.cell_type == "code" and c.execution_count) + 1
            for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)):
                if text:
                    code.outputs.append(NotebookNode(output_type="stream", name=stream, text=text))
            if result.error:
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
    """The notebook as the .ipynb text, cached per notebook and version of its captured outputs."""
    captured = outputs_dir() / f"{_execution_key(site_config.load().root / nb.snippet, nb.sections)}.json"
    return _notebook_json(nb, captured.stat().st_mtime_ns if captured.is_file() else 0)


@lru_cache(maxsize=512)
def _notebook_json(nb: PageNotebook, outputs_version: int) -> str:
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
