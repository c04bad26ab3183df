"""`compare`: this machine's results beside the reference machines', case by case, as ratios.

Before anything runs it says what it will do: which file holds this machine's results, how many
groups this machine has no up-to-date results for, and how long measuring them takes (the same
estimate as `run --dry-run`; `-v` adds the devices not used and how the workers are isolated). On a
terminal it asks before measuring; `--yes` measures without asking, `--no-run` measures nothing and
compares only what is measured already. Then, for every case measured both here and on a reference
machine, it prints how many times faster (or slower) this machine is, and at the end what it compared
(which file against which) and, where cases are left unmeasured, the command that measures them and
how long it takes. Nothing to compare exits 1.

This machine's results never come from a reference file: when the automatic name (CPU model,
GPU, threads) is that of a results file committed to the repository, a machine of the same model
measured it, so this machine's run is named `<name>-local` instead. A busy machine (load average
per core above BUSY_LOAD_PER_CORE) measures several times too slow: compare warns before it
measures and marks the figures measured while busy.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from ramverk.contract import snippet_spec
from ramverk.measure import devices, runner
from ramverk.results import results_store
from ramverk.verbs import run as run_verb

BUSY_LOAD_PER_CORE = 0.5
LOCAL_SUFFIX = "-local"


def setup(parser) -> None:
    run_verb.add_options(parser)
    parser.add_argument("--reference", action="append", metavar="NAME",
                        help="reference machine (results file stem); default: every other file in the results folder")
    parser.add_argument("--no-run", action="store_true",
                        help="measure nothing: compare only the cases this machine has measured already")
    parser.add_argument("--yes", "-y", action="store_true",
                        help="measure what is missing without asking (compare asks on a terminal)")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="the whole plan: devices not used, how the workers are isolated")
    parser.set_defaults(run=run)


def _case(record) -> tuple:
    return (record.snippet, record.case.framework, record.case.mode, record.case.size)


def _committed(root: Path, path: Path) -> bool:
    """Whether path is a file git tracks in the checkout at root (False outside a git checkout)."""
    try:
        proc = subprocess.run(["git", "ls-files", "--error-unmatch", "--", str(path)], cwd=root,
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def local_machine_name(config: runner.Config, automatic: str) -> tuple[str, str | None]:
    """This machine's results file stem, and why it differs from the automatic name (or None).

    A committed file with the automatic name was measured on another machine of the same model:
    it is a reference, so this machine's results go to `<automatic>-local`."""
    path = results_store.path_for(config.results_dir, automatic)
    if path.exists() and _committed(config.root, path):
        name = automatic + LOCAL_SUFFIX
        return name, (f"{path} is a committed reference with this machine's automatic name (the same CPU model); "
                      f"it stays a reference, and this machine's own results go to "
                      f"{results_store.path_for(config.results_dir, name)}")
    return automatic, None


def load_per_core() -> float | None:
    """The 1-minute load average per available core (None where the OS does not report it)."""
    try:
        return os.getloadavg()[0] / runner.available_cores()
    except (AttributeError, OSError):
        return None


def _ask(question: str) -> bool:
    try:
        return input(question).strip().lower() in ("y", "yes", "j", "ja")
    except EOFError:
        return False


def run(args) -> int:
    console = run_verb.make_console()
    try:
        config = run_verb.config_from(args)
        if config.machine is None:
            config.machine, why = local_machine_name(config, devices.default_machine_name(config.threads))
            if why:
                console.print("compare: " + escape(why), highlight=False, soft_wrap=True)
        the_plan = runner.plan(config)
    except (devices.DeviceError, results_store.ResultsFileError, snippet_spec.SnippetSpecError, ValueError) as error:
        console.print("[red]compare:[/] " + escape(str(error)), highlight=False, soft_wrap=True)
        return 2
    machine = the_plan.machine
    todo = [g for g in the_plan.groups if g.status == "run"]
    if args.verbose or args.dry_run:
        run_verb.print_plan(console, the_plan, config)
    else:
        console.print(f"compare: this machine's results: {the_plan.results_path} (machine {machine!r}), "
                      f"size {config.size}", highlight=False)
    if args.dry_run:
        run_verb.print_dry_run(console, the_plan)
        return 1 if the_plan.errors else 0

    load = load_per_core()
    busy = load is not None and load > BUSY_LOAD_PER_CORE
    measure = bool(todo) and not args.no_run
    if measure:
        estimate = sum(g.estimate_s for g in todo)
        console.print(f"compare: this machine has no up-to-date results for {len(todo)} of {len(the_plan.groups)} "
                      f"group(s); measuring them first takes about {estimate:.0f} s "
                      f"(--dry-run lists them; --no-run compares only what is measured already)", highlight=False)
        if busy:
            console.print(f"[yellow]warning:[/] this machine is busy: load average {load:.2f} per core "
                          f"(above {BUSY_LOAD_PER_CORE}); figures measured now can be several times too slow. "
                          "Measure on an idle machine, or pass --no-run", highlight=False)
        if not args.yes and sys.stdin.isatty():
            measure = _ask("Measure them now? [y/N] ")
            if not measure:
                console.print("compare: measuring nothing; comparing what this machine has measured already")
    code = 0
    started = datetime.now(UTC)
    if measure:
        if refusal := runner.dirty_refusal(config):
            console.print("[red]compare:[/] " + escape(refusal), highlight=False, soft_wrap=True)
            return 2
        wall = time.perf_counter()
        bar = run_verb.Bar(console, todo)
        with bar.progress:
            runner.execute(the_plan, config, progress=bar)
        failed = [g for g in the_plan.groups if g.status == "failed"]
        console.print(f"measured {sum(g.status == 'measured' for g in the_plan.groups)} group(s), "
                      f"{len(failed)} failed, in {time.perf_counter() - wall:.1f} s")
        for g in failed:
            console.print("[red]FAILED[/] " + escape(f"{g.label()}: {g.reason}"), highlight=False)
        if the_plan.unsaved is not None:
            console.print(f"[red]NOT SAVED[/] could not write {escape(the_plan.save_error)}; this run's measurements "
                          f"are kept in {escape(str(the_plan.unsaved))}", highlight=False)
        code = 1 if failed or the_plan.unsaved else 0
    for line in the_plan.errors:
        console.print("[red]BAD SNIPPET[/] " + escape(line), highlight=False)
    if the_plan.errors:
        code = 1
    code = _print_comparison(console, args, config, machine, started if measure and busy else None, load, code)
    left = [g for g in the_plan.groups if g.status == "run"]  # still unmeasured (none after a full run)
    if left:
        console.print(f"compare: next: `{_next_command(args)}` measures the {len(left)} group(s) this "
                      f"machine has no up-to-date results for, in about {sum(g.estimate_s for g in left):.0f} s "
                      f"(--dry-run lists them)", highlight=False)
    return code


def _next_command(args) -> str:
    """This compare again, measuring: the options that chose what to compare kept, --yes added."""
    words = ["python -m ramverk compare", "--yes"] + (["--quick"] if args.quick else [])
    for option in ("only", "device", "machine", "threads", "results_dir", "root"):
        if getattr(args, option, None) is not None:
            words.append(f"--{option.replace('_', '-')} {shlex.quote(str(getattr(args, option)))}")
    words += [f"--reference {shlex.quote(name)}" for name in args.reference or []]
    return " ".join(words)


def _print_comparison(console, args, config, machine: str, busy_since, load, code: int) -> int:
    files = results_store.machine_files(config.results_dir)
    try:
        merged = results_store.merge(files)
    except results_store.ResultsFileError as error:
        console.print("[red]compare:[/] " + escape(str(error)))
        return 2
    for line in merged.conflicts:
        console.print("[yellow]conflict[/] " + escape(line))
    references = args.reference or [name for name in merged.machines if name != machine]
    unknown = [name for name in references if name not in merged.machines]
    if unknown:
        console.print(f"compare: no results file for reference machine(s) {', '.join(unknown)} in "
                      f"{config.results_dir}; known: {', '.join(merged.machines) or 'none'}")
        return 2
    if machine in references:
        console.print(f"compare: {machine} is this machine's own results; it cannot be its own reference")
        return 2
    if not references:
        console.print(f"compare: no reference results besides this machine's ({machine}) in {config.results_dir}")
        return code
    mine = [r for name, r in merged.entries if name == machine and r.case.size == config.size]
    against = ", ".join(f"{name} ({sum(n == name for n, _ in merged.entries)} record(s))" for name in references)
    if not mine:
        console.print(f"compare: compared nothing: this machine ({machine}) has no {config.size} results in "
                      f"{config.results_dir} yet, to hold against {against}", highlight=False)
        return code or 1
    theirs: dict[tuple, list] = {}
    for name, record in merged.entries:
        if name in references:
            theirs.setdefault(_case(record), []).append((name, record))
    table = Table(title=f"{machine} against {', '.join(references)} (>1×: this machine is faster)")
    for column in ("snippet", "framework", "mode", "this machine", "median", "reference", "median", "speed-up"):
        table.add_column(column)
    lines = []
    marked = 0
    for record in mine:
        busy = busy_since is not None and record.date_utc >= busy_since
        marked += busy
        for name, ref in theirs.get(_case(record), []):
            speedup = ref.stats.median_s / record.stats.median_s
            changed = " (the code it runs differs between the two)" if ref.snippet_hash != record.snippet_hash else ""
            flag = " (measured while busy)" if busy else ""
            table.add_row(record.snippet, record.case.framework, record.case.mode, record.device.name,
                          run_verb._fmt(record.stats.median_s), f"{name}: {ref.device.name}",
                          run_verb._fmt(ref.stats.median_s), f"{speedup:.2f}×{changed}{flag}")
            lines.append(f"{record.snippet} {record.case.framework}/{record.case.mode}: your {record.device.kind} "
                         f"({record.device.name}) is {speedup:.2g}× the reference {ref.device.kind} "
                         f"({ref.device.name}, {name}){changed}{flag}")
    if not lines:
        console.print(f"compare: compared nothing: no case is measured both here ({machine}) and on {against}",
                      highlight=False)
        return code or 1
    console.print(table)
    for line in lines:
        console.print(escape(line))
    console.print(f"compare: compared {len(mine)} {config.size} record(s) of this machine ({machine}) with {against}: "
                  f"{len(lines)} pair(s)", highlight=False)
    if marked:
        console.print(f"[yellow]note:[/] {marked} result(s) marked \"measured while busy\" were measured at a load "
                      f"average of {load:.2f} per core; their speed-ups can be several times too low. "
                      "Measure them again on an idle machine with --force.", highlight=False)
    return code
