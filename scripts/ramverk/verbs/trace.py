"""`trace`: profile one step of a snippet and write the trimmed trace a page draws (results/traces/)."""

from __future__ import annotations

from pathlib import Path


def setup(parser) -> None:
    parser.add_argument("snippet", help="the snippet, e.g. snippets/execution/profiling.py")
    parser.add_argument("--framework", default="torch", help="whose profiler: torch or jax (default torch)")
    parser.add_argument("--mode", required=True, help="which of the snippet's BENCHMARK modes to profile")
    parser.add_argument("--name", help="the file's stem under results/traces/ (default: <snippet>-<framework>)")
    parser.add_argument("--machine", metavar="NAME", help="the machine's name in the provenance (default: as `run`)")
    parser.add_argument("--root", help="the checkout (default: the one this is run in)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from ramverk.contract import site_config
    from ramverk.measure import trace_capture

    root = site_config.project(args.root).root
    rel = Path(args.snippet).resolve().relative_to(root).as_posix() if Path(args.snippet).is_absolute() \
        else Path(args.snippet).as_posix()
    name = args.name or f"{Path(rel).stem}-{args.framework}"
    out = root / "results" / "traces" / f"{name}.json"
    try:
        trace = trace_capture.record(root, rel, args.framework, args.mode, out, machine=args.machine)
    except (trace_capture.CaptureError, ValueError) as error:
        print(f"trace: {error}")
        return 1
    lanes = len({(s.pid, s.tid) for s in trace.spans()})
    print(f"trace: wrote {out.relative_to(root)} ({out.stat().st_size} bytes, {len(trace.spans())} spans on "
          f"{lanes} thread(s)); show it with <!-- trace: {out.relative_to(root)} -->")
    return 0
