"""The measured records a page asks for: merged from every machine's file, filtered, checked for staleness.

A record is stale when the code its framework ran (ramverk.sections.run_hash) has changed since."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ramverk import sections
from ramverk.contract import site_config
from ramverk.contract.results_model import Machine, Record
from ramverk.results import results_store


@dataclass(frozen=True)
class Row:
    machine: Machine
    record: Record
    stale: bool  # the code it ran changed since it was measured (the record says at which commit)

    @property
    def column(self) -> tuple[str, str]:
        """Devices are columns: one per (machine, device)."""
        return (self.machine.name, self.record.device.name)


def results_dir() -> Path:
    return site_config.project().results_dir


@lru_cache(maxsize=4)
def _merged(directory: Path, stamp: tuple) -> results_store.Merged:
    return results_store.merge(results_store.machine_files(directory))


def merged() -> results_store.Merged:
    """All machines' records; cached until a results file changes (serve rebuilds often)."""
    return _merged(results_dir(), version())


def version() -> tuple:
    """Which results files there are, and when each last changed: a cache of what they show keys by it."""
    return tuple((p.name, p.stat().st_mtime_ns) for p in results_store.machine_files(results_dir()))


def current_hash(snippet: str, framework: str) -> str | None:
    """The hash a record of `framework` would get now (None when the snippet is gone)."""
    path = site_config.load().root / snippet
    if not path.is_file():
        return None
    return sections.run_hash(path, framework)


def is_stale(record: Record) -> bool:
    return record.snippet_hash != current_hash(record.snippet, record.case.framework)


def rows(snippet: str, frameworks: list[str] | None = None, modes: list[str] | None = None) -> list[Row]:
    """Full-size records of one snippet, in a stable order (framework, mode, machine, device)."""
    data = merged()
    out = [
        Row(data.machines[machine], record, stale=is_stale(record))
        for machine, record in data.entries
        if record.snippet == snippet
        and record.case.size == "full"
        and (not frameworks or record.case.framework in frameworks)
        and (not modes or record.case.mode in modes)
    ]
    return sorted(out, key=lambda r: (r.record.case.framework, r.record.case.mode, r.column))


def stale_records() -> list[tuple[str, Record]]:
    """(machine, record) of each full-size record whose code has changed since it was measured."""
    return [(machine, record) for machine, record in merged().entries
            if record.case.size == "full" and is_stale(record)]


@dataclass(frozen=True)
class RatioSpread:
    percent: float  # the median, over the machine's CPU ratios, of half the IQR as a share of the ratio
    ratios: int


def ratio_spread(machine: str) -> RatioSpread | None:
    """How far a measured ratio moves on `machine`'s CPU: for each full-size CPU record with a ratio, half
    its interquartile range relative to its median, and the median of those (None without ratios)."""
    shares = sorted((r.ratio.q3 - r.ratio.q1) / 2 / r.ratio.median * 100
                    for name, r in merged().entries
                    if name == machine and r.case.size == "full" and r.device.kind == "cpu"
                    and r.ratio is not None and r.ratio.median > 0)
    return RatioSpread(statistics.median(shares), len(shares)) if shares else None
