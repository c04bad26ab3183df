"""The snippet runner: plan the matrix snippet x framework x device, run what is missing, keep every result.

Planning is cheap (no framework is imported: snippet metadata is read with ast, versions come
from package metadata, devices from nvidia-smi and the platform), so a run with nothing to do
finishes in about a second. Each (snippet, framework, device) group runs in its own worker
process (ramverk.measure.worker) with a timeout, a memory limit and no credentials; each group that
finishes is written to results/<machine>.json at once and atomically.
"""

from __future__ import annotations

import fnmatch
import os
import platform
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ramverk import sections
from ramverk.contract import frameworks, site_config, snippet_spec
from ramverk.contract.results_model import Case, Machine, Record
from ramverk.contract.results_model import Device as DeviceModel
from ramverk.measure import devices
from ramverk.measure.launch import run_worker
from ramverk.measure.protocol import Job, Report
from ramverk.measure.timing import WARMUP_FRACTION
from ramverk.results import results_store

FIRST_CALL_GUESS_S = {"compile": 20.0, "jit": 2.0, "function": 2.0}


@dataclass
class Config:
    root: Path = Path(".")
    results_dir: Path | None = None
    machine: str | None = None
    threads: int = 1  # per CPU worker
    gpu_host_threads: int = 0  # host cores of a CUDA/MPS worker (it compiles on them); 0: all of this machine's
    min_time_s: float = 1.0
    quick_min_time_s: float = 0.05
    case_timeout_s: float = 600.0
    memory_limit_gib: float | None = None  # a CPU worker's tree; from pyproject (site_config.Project), its one source
    triad: bool = True  # run the machine probes (memory bandwidth, FMA throughput) once per run that measures anything
    quick: bool = False
    force: bool = False
    allow_dirty: bool = False  # write to the checkout's results/ from a tree with uncommitted changes
    only: str | None = None
    device: str | None = None

    @classmethod
    def from_pyproject(cls, root: Path | None = None, **overrides) -> Config:
        """The checkout's [tool.ramverk.runner] defaults (read by site_config), then the overrides."""
        settings = site_config.project(root)
        unknown = set(settings.runner) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"pyproject.toml [tool.ramverk.runner]: unknown key(s) {', '.join(sorted(unknown))}")
        values = {**settings.runner, "results_dir": settings.results_dir, "root": settings.root,
                  "memory_limit_gib": settings.memory_limit_gib}
        values.update({k: v for k, v in overrides.items() if v is not None})
        config = cls(**values)
        config.results_dir = Path(config.results_dir)
        config.validate()
        return config

    def validate(self) -> None:
        """Refuse settings that would measure nonsense or write elsewhere (one-line ValueError)."""
        cores = available_cores()
        if not isinstance(self.threads, int) or not 1 <= self.threads <= cores:
            raise ValueError(f"--threads: must be between 1 and this machine's {cores} cores, not {self.threads!r}")
        if not isinstance(self.gpu_host_threads, int) or not 0 <= self.gpu_host_threads <= cores:
            raise ValueError(f"gpu_host_threads: must be between 0 (all) and {cores}, not {self.gpu_host_threads!r}")
        if self.machine is not None and not MACHINE_NAME.fullmatch(self.machine):
            raise ValueError(f"--machine: {self.machine!r} is not a plain file stem "
                             "(letters, digits, '.', '_' and '-'; no slashes, not starting with '.')")

    def threads_for(self, kind: str) -> int:
        """CPU workers get --threads; a GPU worker gets enough host cores to compile (all by default)."""
        if kind == "cpu":
            return self.threads
        return self.gpu_host_threads or available_cores()

    @property
    def size(self) -> str:
        return "quick" if self.quick else "full"

    @property
    def min_time(self) -> float:
        return self.quick_min_time_s if self.quick else self.min_time_s


MACHINE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}")


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class Group:
    """One worker process: every mode of one framework on one device, interleaved."""

    snippet: snippet_spec.Snippet
    framework: str
    device: devices.Device
    modes: list[str]
    params: dict
    baseline: str | None
    timeout_s: float
    version: str | None
    min_time_s: float = 1.0
    status: str = "run"  # run | cached | skip | failed | measured
    reason: str = ""
    estimate_s: float = 0.0
    report: Report | None = None
    wall_s: float = 0.0
    threads: int = 1  # host threads of the worker: --threads on the CPU, gpu_host_threads on a GPU

    def label(self) -> str:
        return f"{self.snippet.rel} {self.framework}/{self.device.kind} [{', '.join(self.modes)}]"


@dataclass
class Plan:
    groups: list[Group] = field(default_factory=list)
    devices: list[devices.Device] = field(default_factory=list)
    missing_devices: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # malformed snippets: file + field
    machine: str = ""
    results_path: Path | None = None
    unsaved: Path | None = None  # the side file holding this run's records when results_path could not be written
    save_error: str = ""


def _matches(rel: str, pattern: str | None) -> bool:
    if not pattern:
        return True
    name = Path(rel).stem
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(name, pattern)
    return pattern in rel


def _discover(config: Config) -> tuple[list[snippet_spec.Snippet], list[str]]:
    found, errors = [], []
    for path in sorted((config.root / "snippets").rglob("*.py")):
        rel = path.relative_to(config.root).as_posix()
        if path.name.startswith("_") or not _matches(rel, config.only):
            continue
        try:
            found.append(snippet_spec.load(path, config.root))
        except snippet_spec.SnippetSpecError as error:
            errors.append(str(error))
    return found, errors


def _estimate(group: Group, previous: dict) -> float:
    """Seconds: the worker's imports, then per mode the first call and the measuring, from earlier records."""
    total = frameworks.get(group.framework).startup_s + frameworks.get("numpy").startup_s
    for mode in group.modes:
        old = previous.get(mode)
        if old is not None:
            s = old.stats
            total += (s.first_call_s or 0) + s.median_s * s.number * s.n + 2 * WARMUP_FRACTION * s.median_s * s.number
        else:
            total += FIRST_CALL_GUESS_S.get(mode, 0.2) + 1.4 * group.min_time_s
    return total


def _reference_records(config: Config) -> dict[tuple, Record]:
    """The newest committed record per (snippet, framework, mode, size, device kind), on any machine."""
    found: dict[tuple, Record] = {}
    for path in results_store.machine_files(config.root / "results"):
        try:
            loaded = results_store.load(path)
        except results_store.ResultsFileError:
            continue
        for r in loaded.records if loaded else []:
            key = (r.snippet, r.case.framework, r.case.mode, r.case.size, r.device.kind)
            if key not in found or r.date_utc > found[key].date_utc:
                found[key] = r
    return found


def plan(config: Config) -> Plan:
    """What a run would do. Raises DeviceError / ResultsFileError / ValueError before anything runs."""
    chosen, missing = devices.select(config.device, config.threads)
    machine = config.machine or devices.default_machine_name(config.threads)
    path = results_store.path_for(config.results_dir, machine)
    existing = results_store.load(path)  # a corrupt or future file stops the run here
    if existing is not None and (conflict := devices.identity_conflict(existing.machine, devices.machine(machine))):
        raise devices.MachineMismatch(f"{path}: {conflict}; its probes and records are not this machine's, so this "
                                      "run writes nothing there: name another results file with --machine NAME")
    records = {r.key(): r for r in existing.records} if existing else {}
    reference = _reference_records(config)
    snippets, errors = _discover(config)
    if config.only and not snippets and not errors:
        raise ValueError(f"--only {config.only}: no snippet under {config.root / 'snippets'} matches")
    out = Plan(devices=chosen, missing_devices=missing, errors=errors, machine=machine, results_path=path)
    python = platform.python_version()
    for snip in snippets:
        spec = snip.benchmark
        if spec is None:
            continue
        timeout = spec.timeout_s if "timeout_s" in spec.model_fields_set else config.case_timeout_s
        params = dict(spec.sizes[config.size])
        digests = {fw: sections.run_hash(snip.path, fw) for fw in spec.frameworks}
        for device in chosen:
            threads = config.threads_for(device.kind)
            for fw in spec.frameworks:
                modes = list(spec.modes[fw])
                baseline = spec.baseline if spec.baseline in modes else modes[0]
                group = Group(snip, fw, device, modes, params, baseline if len(modes) > 1 else None, timeout,
                              frameworks.version(fw), min_time_s=config.min_time, threads=threads)
                previous = {}
                fresh = 0
                for mode in modes:
                    old = records.get((snip.rel, "", fw, mode, config.size, device.kind, device.name))
                    previous[mode] = old or reference.get((snip.rel, fw, mode, config.size, device.kind))
                    if (old is not None and old.snippet_hash == digests[fw] and old.framework_version == group.version
                            and old.threads == threads and old.case.params == params
                            and (old.python or python) == python):
                        fresh += 1
                group.estimate_s = _estimate(group, previous)
                if device.kind not in spec.devices:
                    group.status, group.reason = "skip", f"the snippet is for {', '.join(spec.devices)} only"
                elif device.kind not in frameworks.get(fw).devices:
                    group.status, group.reason = "skip", f"{fw} does not run on {device.kind}"
                elif group.version is None:
                    group.status, group.reason = "skip", f"{fw} is not installed"
                elif fresh == len(modes) and not config.force:
                    group.status, group.reason = "cached", "unchanged since the last run"
                out.groups.append(group)
    return out


def _git(root: Path) -> tuple[str | None, bool]:
    """(HEAD, dirty) when root is itself this project's git work tree; (None, False) for an export.

    Dirty means a tracked file differs from HEAD, results/ aside (a run's own output is no change
    to what was measured)."""
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)

    try:
        top = git("rev-parse", "--show-toplevel")
        if top.returncode != 0 or Path(top.stdout.strip()).resolve() != root.resolve():
            return None, False  # not a checkout, or the checkout of something that encloses this tree
        head = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)results")
        return (head.stdout.strip() or None), bool(dirty.stdout.strip())
    except (OSError, subprocess.TimeoutExpired):
        return None, False


def measure_triad(config: Config) -> float | None:
    report, _, _ = run_worker(["--triad"], timeout_s=120, threads=1, memory_limit_gib=config.memory_limit_gib)
    return report.stream_triad_gbs if report else None


def measure_fma(config: Config) -> tuple[float, int] | None:
    """(GFLOP/s, vector bits) of the FMA probe on one pinned core, or None when it failed."""
    report, _, _ = run_worker(["--fma"], timeout_s=120, threads=1, memory_limit_gib=config.memory_limit_gib)
    return (report.fma_gflops, report.fma_vector_bits or 0) if report and report.fma_gflops else None


def run_group(group: Group, config: Config, machine: Machine | None = None, on_line=None) -> None:
    job = Job(snippet=str(group.snippet.path), framework=group.framework, device=group.device.kind,
              modes=group.modes, params=group.params, baseline=group.baseline, threads=group.threads,
              min_time_s=config.min_time)
    limit = config.memory_limit_gib if group.device.kind == "cpu" else None  # CUDA reserves huge address space
    started = time.perf_counter()
    report, reason, tail = run_worker([job.model_dump_json()], timeout_s=group.timeout_s, threads=group.threads,
                                      memory_limit_gib=limit, on_line=on_line, device_kind=group.device.kind)
    group.wall_s = time.perf_counter() - started
    group.report = report
    if report is None:
        group.status, group.reason = "failed", reason
    elif report.status == "skip":
        group.status, group.reason = "skip", report.reason or "skipped by the worker"
    elif report.status == "error":
        group.status, group.reason = "failed", report.reason or "error"
    elif set(report.modes) != set(group.modes):
        group.status, group.reason = "failed", f"report lists modes {sorted(report.modes)}, expected {group.modes}"
    elif why := implausible(group, report, machine):
        group.status, group.reason = "failed", f"report rejected: {why}"
    else:
        group.status, group.reason = "measured", ""


MIN_PLAUSIBLE_S = 1e-9  # no call into a framework takes less than a nanosecond
MAX_OVER_LIMIT = 2.0  # nor beats the device's limit by more than this factor


def implausible(group: Group, report: Report, machine: Machine | None) -> str | None:
    """Why a report cannot be a real measurement (a forged or broken one), or None."""
    from ramverk.results import roofline

    work = group.snippet.benchmark.work or {}
    device = DeviceModel(kind=group.device.kind, name=group.device.name)
    for mode, m in report.modes.items():
        s = m.stats
        if not all(v > 0 for v in (s.median_s, s.q1_s, s.q3_s, s.min_s, s.max_s)) or not (
                s.min_s <= s.q1_s <= s.median_s <= s.q3_s <= s.max_s):
            return f"{mode}: statistics out of order or not positive"
        if s.min_s < MIN_PLAUSIBLE_S:
            return f"{mode}: {s.min_s:.3g} s per call is below {MIN_PLAUSIBLE_S:g} s"
        for kind, expression in work.items():
            limit = roofline.limit_for(kind, machine, device, group.threads, group.params) if machine else None
            if limit is None:
                continue
            rate = roofline.work_per_call(expression, group.params) / s.median_s
            if rate > MAX_OVER_LIMIT * limit.per_second:
                return (f"{mode}: {rate:.3g} {roofline.LIMITS[kind][0]} is more than {MAX_OVER_LIMIT:g}× "
                        f"the device limit {limit.per_second:.3g}")
    return None


def dirty_refusal(config: Config) -> str | None:
    """Why this run may not write its results, or None: published results come from committed code."""
    if config.allow_dirty or config.results_dir.resolve() != (config.root / "results").resolve():
        return None
    commit, dirty = _git(config.root)
    if not dirty:
        return None
    return (f"the checkout has uncommitted changes, so results/ would record commit {commit[:8]}+dirty; "
            "commit first, or pass --allow-dirty (or --results-dir elsewhere) to measure anyway")


def records_for(group: Group, config: Config, commit: str | None, dirty: bool) -> list[Record]:
    report = group.report
    gpu = group.device.kind != "cpu"
    device = DeviceModel(kind=group.device.kind, name=group.device.name, driver=group.device.driver,
                         cuda=report.cuda if group.device.kind == "cuda" else None,
                         memory_gib=group.device.memory_gib if gpu else None,
                         compute_capability=group.device.compute_capability if gpu else None)
    now = datetime.now(UTC)
    digest = sections.run_hash(group.snippet.path, group.framework)
    return [Record(snippet=group.snippet.rel, section=None, snippet_hash=digest,
                   case=Case(framework=group.framework, mode=mode, size=config.size, params=group.params),
                   device=device, framework_version=group.version, threads=group.threads,
                   stats=report.modes[mode].stats, ratio=report.modes[mode].ratio, date_utc=now, commit=commit,
                   dirty=dirty, python=platform.python_version(), os=devices.os_name())
            for mode in group.modes]


def execute(the_plan: Plan, config: Config, progress=None) -> None:
    """Run every group with status "run", writing each finished one atomically.

    When the results file cannot be written (read-only, disk full), measuring goes on and every
    new record is kept in a side file in the temporary directory; the_plan.unsaved says where.
    """
    todo = [g for g in the_plan.groups if g.status == "run"]
    if not todo:
        return
    commit, dirty = _git(config.root)
    existing = results_store.load(the_plan.results_path)
    triad = measure_triad(config) if config.triad else None
    fma = measure_fma(config) if config.triad else None
    if existing is not None:  # plan() refused a file of another CPU, so its probes describe this one
        triad = triad if triad is not None else existing.machine.stream_triad_gbs
        if fma is None and existing.machine.fma_gflops:
            fma = (existing.machine.fma_gflops, existing.machine.fma_vector_bits or 0)
    machine = devices.machine(the_plan.machine, triad, fma)
    kept: list[Record] = []
    for group in todo:
        if progress:
            progress.start(group)
        run_group(group, config, machine, on_line=(lambda text, g=group: progress.step(g, text)) if progress else None)
        if group.status == "measured":
            new = records_for(group, config, commit, dirty)
            kept += new
            try:
                if the_plan.unsaved is None:  # under the file's lock: another run may be writing it too
                    results_store.update(the_plan.results_path, machine, new)
            except OSError as error:
                the_plan.unsaved = Path(tempfile.gettempdir()) / f"ramverk-unsaved-{the_plan.machine}-{os.getpid()}.json"
                the_plan.save_error = f"{the_plan.results_path}: {error.strerror or error}"
            if the_plan.unsaved is not None:
                results_store.save(the_plan.unsaved, results_store.upsert(None, machine, kept))
        if progress:
            progress.done(group)
