"""`run`: measure every snippet with a BENCHMARK on every device found; keep what is unchanged."""

from __future__ import annotations

import time

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from ramverk.contract import frameworks, snippet_spec
from ramverk.executor import sandbox
from ramverk.measure import devices, runner
from ramverk.results import results_store


def setup(parser) -> None:
    add_options(parser)
    parser.set_defaults(run=run)


def add_options(parser) -> None:
    parser.add_argument("--only", metavar="PATTERN", help="snippets whose path contains PATTERN (or matches a glob)")
    parser.add_argument("--device", metavar="KIND", help=f"only this device ({', '.join(devices.DEVICE_KINDS)})")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and its time estimate, run nothing")
    parser.add_argument("--force", action="store_true", help="re-run cases whose results are up to date")
    parser.add_argument("--allow-dirty", action="store_true",
                        help="write to results/ even though the checkout has uncommitted changes")
    parser.add_argument("--quick", action="store_true", help="tiny sizes and a short minimum time (for tests)")
    parser.add_argument("--results-dir", metavar="DIR", help="where <machine>.json lives (default: results/)")
    parser.add_argument("--machine", metavar="NAME", help="results file stem (default: from CPU, GPU and threads)")
    parser.add_argument("--threads", type=int, metavar="N",
                        help="threads per CPU worker (default from pyproject); GPU workers use gpu_host_threads")
    parser.add_argument("--root", metavar="DIR", help="the checkout whose snippets/ to run (default: this one)")


def config_from(args) -> runner.Config:
    return runner.Config.from_pyproject(args.root, results_dir=args.results_dir, machine=args.machine,
                                        threads=args.threads, quick=args.quick or None, force=args.force or None,
                                        only=args.only, device=args.device,
                                        allow_dirty=getattr(args, "allow_dirty", False) or None)


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def make_console() -> Console:
    """Wide enough for the tables when output goes to a file or a pipe (CI logs, tests)."""
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=160, soft_wrap=True)
    return console


class Bar:
    """The rich progress bar: ETA from the per-group time estimates, current case shown."""

    def __init__(self, console: Console, groups: list[runner.Group]):
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                                 TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console,
                                 transient=False)
        total = sum(g.estimate_s for g in groups) or 1.0
        self.task = self.progress.add_task("starting", total=total)
        self.console = console

    def start(self, group: runner.Group) -> None:
        self.progress.update(self.task, description=escape(group.label()))

    def step(self, group: runner.Group, text: str) -> None:
        self.progress.update(self.task, description=escape(f"{group.label()}: {text}"))

    def done(self, group: runner.Group) -> None:
        self.progress.advance(self.task, group.estimate_s)
        if group.status == "measured":
            parts = []
            for mode, m in group.report.modes.items():
                ratio = f" ({m.ratio.median:.3g}× {m.ratio.baseline_mode})" if m.ratio else ""
                parts.append(f"{mode} {_fmt(m.stats.median_s)}{ratio}")
            self.console.print(f"[green]measured[/] {escape(group.label())} in {group.wall_s:.1f} s: {', '.join(parts)}")
        else:
            colour = "red" if group.status == "failed" else "yellow"
            self.console.print(f"[{colour}]{group.status}[/] {escape(group.label())}: {escape(group.reason)}")


def _supported(g: runner.Group) -> bool:
    return g.device.kind in frameworks.get(g.framework).devices and g.device.kind in g.snippet.benchmark.devices


def print_plan(console: Console, plan: runner.Plan, config: runner.Config) -> None:
    if any(d.kind == "cuda" for d in plan.devices):
        for line in frameworks.cuda_problems():
            console.print(f"[yellow]warning:[/] a CUDA GPU is here, but {escape(line)}", highlight=False)
    console.print(f"devices: {', '.join(f'{d.kind} ({d.name})' for d in plan.devices)}")
    for line in plan.missing_devices:
        console.print(f"  not used: {line}")
    todo = [g for g in plan.groups if g.status == "run"]
    hosts = "; ".join(f"{d.kind} workers {config.threads_for(d.kind)} host thread(s)" for d in plan.devices)
    console.print(f"results: {plan.results_path} (machine {plan.machine!r}), size {config.size}, "
                  f"{hosts}, min time {config.min_time:g} s per mode")
    console.print(f"isolation of the workers: {escape(sandbox.isolation().describe())}", highlight=False)
    console.print(f"plan: {len(plan.groups)} group(s): {len(todo)} to run, "
                  f"{sum(g.status == 'cached' for g in plan.groups)} up to date, "
                  f"{sum(g.status == 'skip' for g in plan.groups)} skipped; "
                  f"estimated {sum(g.estimate_s for g in todo):.0f} s")


def print_dry_run(console: Console, plan: runner.Plan) -> None:
    table = Table(title="plan (dry run)")
    for column in ("snippet", "framework", "device", "modes", "status", "estimate"):
        table.add_column(column)
    for g in plan.groups:
        table.add_row(g.snippet.rel, g.framework, g.device.kind, ", ".join(g.modes),
                      g.status + (f": {g.reason}" if g.reason and g.status != "run" else ""),
                      f"{g.estimate_s:.0f} s" if g.status == "run" else "")
    console.print(table)


def print_summary(console: Console, plan: runner.Plan, wall_s: float) -> None:
    table = Table(title="summary")
    for column in ("snippet", "framework", "device", "mode", "median", "IQR", "first call", "ratio", "status"):
        table.add_column(column)
    for g in plan.groups:
        if g.status == "measured":
            for mode, m in g.report.modes.items():
                s = m.stats
                ratio = f"{m.ratio.median:.3g}× [{m.ratio.q1:.3g}, {m.ratio.q3:.3g}]" if m.ratio else ""
                table.add_row(g.snippet.rel, g.framework, g.device.kind, mode, _fmt(s.median_s),
                              f"{_fmt(s.q1_s)} – {_fmt(s.q3_s)}", _fmt(s.first_call_s), ratio, "measured")
        elif g.status != "skip" or _supported(g):
            table.add_row(g.snippet.rel, g.framework, g.device.kind, ", ".join(g.modes), "", "", "", "",
                          g.status if g.status != "failed" else "[red]FAILED[/]")
    console.print(table)
    counts = {s: sum(g.status == s for g in plan.groups) for s in ("measured", "cached", "skip", "failed")}
    console.print(f"run: {counts['measured']} measured, {counts['cached']} up to date, {counts['skip']} skipped, "
                  f"{counts['failed']} failed, {len(plan.errors)} bad snippet(s); {wall_s:.1f} s")
    for g in plan.groups:
        if g.status == "skip" and _supported(g):
            console.print(escape(f"skipped {g.label()}: {g.reason}"))
    for g in plan.groups:
        if g.status == "failed":
            console.print("[red]FAILED[/] " + escape(f"{g.label()} {g.params}: {g.reason}"), highlight=False)
    for line in plan.errors:
        console.print("[red]BAD SNIPPET[/] " + escape(line), highlight=False)
    if plan.unsaved is not None:
        console.print(f"[red]NOT SAVED[/] could not write {escape(plan.save_error)}; this run's measurements "
                      f"are kept in {escape(str(plan.unsaved))}", highlight=False)


def run(args) -> int:
    started = time.perf_counter()
    console = make_console()
    try:
        config = config_from(args)
        the_plan = runner.plan(config)
    except (devices.DeviceError, results_store.ResultsFileError, snippet_spec.SnippetSpecError, ValueError) as error:
        console.print("[red]run:[/] " + escape(str(error)), highlight=False, soft_wrap=True)
        return 2
    print_plan(console, the_plan, config)
    if args.dry_run:
        print_dry_run(console, the_plan)
        for line in the_plan.errors:
            console.print("[red]BAD SNIPPET[/] " + escape(line), highlight=False)
        return 1 if the_plan.errors else 0
    todo = [g for g in the_plan.groups if g.status == "run"]
    if todo and (refusal := runner.dirty_refusal(config)):
        console.print("[red]run:[/] " + escape(refusal), highlight=False, soft_wrap=True)
        return 2
    if todo:
        bar = Bar(console, todo)
        with bar.progress:
            runner.execute(the_plan, config, progress=bar)
    print_summary(console, the_plan, time.perf_counter() - started)
    failed = any(g.status == "failed" for g in the_plan.groups) or the_plan.errors or the_plan.unsaved
    return 1 if failed else 0
