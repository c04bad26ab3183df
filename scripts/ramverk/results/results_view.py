"""The measured records a page asks for: merged from every machine's file, filtered, checked for staleness."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ramverk.contract import site_config, snippet_spec
from ramverk.contract.results_model import Machine, Record
from ramverk.results import results_store


@dataclass(frozen=True)
class Row:
    machine: Machine
    record: Record
    stale: bool  # the snippet changed since it was measured

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
    directory = results_dir()
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in results_store.machine_files(directory))
    return _merged(directory, stamp)


def current_hash(snippet: str) -> str | None:
    path = site_config.load().root / snippet
    if not path.is_file():
        return None
    return snippet_spec.load(path, site_config.load().root).content_hash()


def rows(snippet: str, frameworks: list[str] | None = None, modes: list[str] | None = None) -> list[Row]:
    """Full-size records of one snippet, in a stable order (framework, mode, machine, device)."""
    data = merged()
    now = current_hash(snippet)
    out = [
        Row(data.machines[machine], record, stale=record.snippet_hash != now)
        for machine, record in data.entries
        if record.snippet == snippet
        and record.case.size == "full"
        and (not frameworks or record.case.framework in frameworks)
        and (not modes or record.case.mode in modes)
    ]
    return sorted(out, key=lambda r: (r.record.case.framework, r.record.case.mode, r.column))


def stale_snippets() -> dict[str, list[str]]:
    """snippet -> machines whose records of it no longer match the snippet's content."""
    data = merged()
    out: dict[str, set[str]] = {}
    hashes: dict[str, str | None] = {}
    for machine, record in data.entries:
        if record.snippet not in hashes:
            hashes[record.snippet] = current_hash(record.snippet)
        if record.case.size == "full" and record.snippet_hash != hashes[record.snippet]:
            out.setdefault(record.snippet, set()).add(machine)
    return {snippet: sorted(machines) for snippet, machines in sorted(out.items())}
