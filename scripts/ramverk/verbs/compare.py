"""`compare`: this machine's results beside the reference machines', case by case, as ratios.

It first runs whatever this machine is missing (like `run`), then, for every case measured both
here and on a reference machine, prints how many times faster (or slower) this machine is.
"""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from ramverk import devices, results_store
from ramverk.verbs import run as run_verb


def setup(parser) -> None:
    run_verb.add_options(parser)
    parser.add_argument("--reference", action="append", metavar="NAME",
                        help="reference machine (results file stem); default: every other file in the results folder")
    parser.set_defaults(run=run)


def _case(record) -> tuple:
    return (record.snippet, record.case.framework, record.case.mode, record.case.size)


def run(args) -> int:
    console = run_verb.make_console()
    code = run_verb.run(args)  # measure what is missing first
    if args.dry_run or code == 2:
        return code
    config = run_verb.config_from(args)
    machine = config.machine or devices.default_machine_name(config.threads)
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
    if not references:
        console.print(f"compare: no reference results besides this machine's ({machine}) in {config.results_dir}")
        return code
    mine = [r for name, r in merged.entries if name == machine and r.case.size == config.size]
    theirs: dict[tuple, list] = {}
    for name, record in merged.entries:
        if name in references:
            theirs.setdefault(_case(record), []).append((name, record))
    table = Table(title=f"{machine} against {', '.join(references)} (>1×: this machine is faster)")
    for column in ("snippet", "framework", "mode", "this machine", "median", "reference", "median", "speed-up"):
        table.add_column(column)
    lines = []
    for record in mine:
        for name, ref in theirs.get(_case(record), []):
            speedup = ref.stats.median_s / record.stats.median_s
            changed = " (snippet changed since)" if ref.snippet_hash != record.snippet_hash else ""
            table.add_row(record.snippet, record.case.framework, record.case.mode, record.device.name,
                          run_verb._fmt(record.stats.median_s), f"{name}: {ref.device.name}",
                          run_verb._fmt(ref.stats.median_s), f"{speedup:.2f}×{changed}")
            lines.append(f"{record.snippet} {record.case.framework}/{record.case.mode}: your {record.device.kind} "
                         f"({record.device.name}) is {speedup:.2g}× the reference {ref.device.kind} "
                         f"({ref.device.name}, {name}){changed}")
    if not lines:
        console.print("compare: no case measured both here and on the reference machine(s)")
        return code
    console.print(table)
    for line in lines:
        console.print(escape(line))
    return code

