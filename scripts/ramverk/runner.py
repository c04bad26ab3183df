"""The snippet runner: plan the matrix snippet x framework x device, run what is missing, keep every result.

Planning is cheap (no framework is imported: snippet metadata is read with ast, versions come
from package metadata, devices from nvidia-smi and the platform), so a run with nothing to do
finishes in about a second. Each (snippet, framework, device) group runs in its own worker
process (ramverk.worker) with a timeout, a memory limit and no credentials; each group that
finishes is written to results/<machine>.json at once and atomically.
"""

from __future__ import annotations

import fnmatch
import json
import platform
import subprocess
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ramverk import devices, results_store, snippet_spec
from ramverk.launch import run_worker
from ramverk.measure import WARMUP_FRACTION
from ramverk.results import Case, Record
from ramverk.results import Device as DeviceModel
from ramverk.site_config import REPO_ROOT
from ramverk.worker import Report

STARTUP_S = {"python": 0.3, "numpy": 0.5, "numba": 2.0, "torch": 3.0, "tensorflow": 6.0, "jax": 3.0}
FIRST_CALL_GUESS_S = {"compile": 20.0, "jit": 2.0, "function": 2.0}


@dataclass
class Config:
    root: Path = REPO_ROOT
    results_dir: Path | None = None
    machine: str | None = None
    threads: int = 1
    min_time_s: float = 1.0
    quick_min_time_s: float = 0.05
    case_timeout_s: float = 600.0
    memory_limit_gib: float | None = 16.0  # RLIMIT_AS of a CPU worker; JAX/TF need several GiB of address space
    triad: bool = True  # measure the memory bandwidth once per run that measures anything
    quick: bool = False
    force: bool = False
    only: str | None = None
    device: str | None = None

    @classmethod
    def from_pyproject(cls, root: Path | None = None, **overrides) -> Config:
        root = Path(root or REPO_ROOT).resolve()
        table = {}
        for candidate in (root / "pyproject.toml", REPO_ROOT / "pyproject.toml"):
            if candidate.is_file():
                table = tomllib.loads(candidate.read_text()).get("tool", {}).get("ramverk", {}).get("runner", {})
                break
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(table) - known
        if unknown:
            raise ValueError(f"pyproject.toml [tool.ramverk.runner]: unknown key(s) {', '.join(sorted(unknown))}")
        values = {k: v for k, v in table.items()}
        if "results_dir" in values:
            values["results_dir"] = root / values["results_dir"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        values["root"] = root
        config = cls(**values)
        if config.results_dir is None:
            config.results_dir = root / "results"
        config.results_dir = Path(config.results_dir)
        return config

    @property
    def size(self) -> str:
        return "quick" if self.quick else "full"

    @property
    def min_time(self) -> float:
        return self.quick_min_time_s if self.quick else self.min_time_s


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


def _imports(snip: snippet_spec.Snippet) -> set[str]:
    """Top-level packages the snippet imports at module level (they load in every worker)."""
    import ast

    names = set()
    for node in ast.parse(snip.path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def _estimate(group: Group, previous: dict, imported: set[str] = frozenset()) -> float:
    frameworks = (imported & set(STARTUP_S)) | {group.framework}
    total = sum(STARTUP_S[f] for f in frameworks if f in STARTUP_S) or 2.0
    for mode in group.modes:
        old = previous.get(mode)
        if old is not None:
            s = old.stats
            total += (s.first_call_s or 0) + s.median_s * s.number * s.n + 2 * WARMUP_FRACTION * s.median_s * s.number
        else:
            total += FIRST_CALL_GUESS_S.get(mode, 0.2) + 1.4 * group.min_time_s
    return total


def plan(config: Config) -> Plan:
    """What a run would do. Raises DeviceError / ResultsFileError before anything runs."""
    chosen, missing = devices.select(config.device, config.threads)
    machine = config.machine or devices.default_machine_name(config.threads)
    path = results_store.path_for(config.results_dir, machine)
    existing = results_store.load(path)  # a corrupt or future file stops the run here
    records = {r.key(): r for r in existing.records} if existing else {}
    snippets, errors = _discover(config)
    out = Plan(devices=chosen, missing_devices=missing, errors=errors, machine=machine, results_path=path)
    python = platform.python_version()
    for snip in snippets:
        spec = snip.benchmark
        if spec is None:
            continue
        timeout = spec.timeout_s if "timeout_s" in spec.model_fields_set else config.case_timeout_s
        params = dict(spec.sizes[config.size])
        digest = snip.content_hash()
        imported = _imports(snip)
        for device in chosen:
            for fw in spec.frameworks:
                modes = list(spec.modes[fw])
                baseline = spec.baseline if spec.baseline in modes else modes[0]
                group = Group(snip, fw, device, modes, params, baseline if len(modes) > 1 else None, timeout,
                              devices.framework_version(fw), min_time_s=config.min_time)
                previous = {}
                fresh = 0
                for mode in modes:
                    key = (snip.rel, "", fw, mode, config.size, device.kind, device.name)
                    old = records.get(key)
                    previous[mode] = old
                    if (old is not None and old.snippet_hash == digest and old.framework_version == group.version
                            and old.threads == config.threads and old.case.params == params
                            and (old.python or python) == python):
                        fresh += 1
                group.estimate_s = _estimate(group, previous, imported)
                if fw not in devices.SUPPORTS[device.kind]:
                    group.status, group.reason = "skip", f"{fw} does not run on {device.kind} here"
                elif group.version is None:
                    group.status, group.reason = "skip", f"{fw} is not installed"
                elif fresh == len(modes) and not config.force:
                    group.status, group.reason = "cached", "unchanged since the last run"
                out.groups.append(group)
    return out


def _git(root: Path) -> tuple[str, bool]:
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return "unknown", False
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=30)
        return head.stdout.strip(), bool(dirty.stdout.strip())
    except (OSError, subprocess.TimeoutExpired):
        return "unknown", False


def measure_triad(config: Config) -> float | None:
    report, _, _ = run_worker(["--triad"], timeout_s=120, threads=1, memory_limit_gib=config.memory_limit_gib)
    return report.stream_triad_gbs if report else None


def run_group(group: Group, config: Config, on_line=None) -> None:
    job = {"snippet": str(group.snippet.path), "framework": group.framework, "device": group.device.kind,
           "modes": group.modes, "params": group.params, "baseline": group.baseline, "threads": config.threads,
           "min_time_s": config.min_time}
    limit = config.memory_limit_gib if group.device.kind == "cpu" else None  # CUDA reserves huge address space
    started = time.perf_counter()
    report, reason, tail = run_worker([json.dumps(job)], timeout_s=group.timeout_s, threads=config.threads,
                                      memory_limit_gib=limit, on_line=on_line)
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
    else:
        group.status, group.reason = "measured", ""


def records_for(group: Group, config: Config, commit: str, dirty: bool) -> list[Record]:
    report = group.report
    device = DeviceModel(kind=group.device.kind, name=group.device.name, driver=group.device.driver,
                         cuda=report.cuda if group.device.kind == "cuda" else None)
    now = datetime.now(UTC)
    return [Record(snippet=group.snippet.rel, section=None, snippet_hash=group.snippet.content_hash(),
                   case=Case(framework=group.framework, mode=mode, size=config.size, params=group.params),
                   device=device, framework_version=group.version, threads=config.threads,
                   stats=report.modes[mode].stats, ratio=report.modes[mode].ratio, date_utc=now, commit=commit,
                   dirty=dirty, python=platform.python_version(), os=devices.os_name())
            for mode in group.modes]


def execute(the_plan: Plan, config: Config, progress=None) -> None:
    """Run every group with status "run", writing each finished one atomically."""
    todo = [g for g in the_plan.groups if g.status == "run"]
    if not todo:
        return
    commit, dirty = _git(config.root)
    existing = results_store.load(the_plan.results_path)
    triad = measure_triad(config) if config.triad else None
    if triad is None and existing is not None:
        triad = existing.machine.stream_triad_gbs
    machine = devices.machine(the_plan.machine, triad)
    for group in todo:
        if progress:
            progress.start(group)
        run_group(group, config, on_line=(lambda text, g=group: progress.step(g, text)) if progress else None)
        if group.status == "measured":
            existing = results_store.load(the_plan.results_path)
            results_store.save(the_plan.results_path,
                               results_store.upsert(existing, machine, records_for(group, config, commit, dirty)))
        if progress:
            progress.done(group)
