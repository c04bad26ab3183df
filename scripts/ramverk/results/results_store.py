"""Reading, writing and merging results/<machine>.json: never lose a result, never guess.

* Load validates with the pydantic models of ramverk.contract.results_model. A file that is not JSON, does not
  match the schema, or was written by a newer runner (higher schema_version) raises
  ResultsFileError naming the file; the runner then stops before measuring anything, so such
  a file is never overwritten.
* Every write is atomic: a temporary file in the same folder, flushed and fsync'ed, then
  os.replace (and the folder fsync'ed), so a run killed at any moment leaves either the old
  or the new file, both complete.
* `update` (load, upsert, save) holds an exclusive lock on the file's folder throughout (fcntl.flock),
  so two runs writing one file at once each add their records and lose none of the other's.
* Merging several machines' files gives the same records in the same order whatever order
  the files are read in; duplicates that disagree are reported, never dropped silently.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ramverk.contract.files import write_atomic
from ramverk.contract.results_model import SCHEMA_VERSION, Machine, Record, ResultsFile


class ResultsFileError(ValueError):
    pass


def path_for(results_dir: Path, machine: str) -> Path:
    return Path(results_dir) / f"{machine}.json"


def load(path: Path) -> ResultsFile | None:
    """The validated file, or None if it does not exist."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):  # nothing there (saving will say why it cannot write)
        return None
    hint = "fix it or move it away; the runner will not overwrite it"
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ResultsFileError(f"{path}: not valid JSON (line {error.lineno}: {error.msg}); {hint}") from None
    if not isinstance(raw, dict):
        raise ResultsFileError(f"{path}: expected a JSON object at the top; {hint}")
    version = raw.get("schema_version")
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise ResultsFileError(f"{path}: written with results schema version {version}, newer than this runner's "
                               f"{SCHEMA_VERSION}; update the runner (git pull) to read it; {hint}")
    try:
        results = ResultsFile.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise ResultsFileError(f"{path}: field {where}: {first['msg']}{more}; {hint}") from None
    keys = [r.key() for r in results.records]
    if len(keys) != len(set(keys)):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise ResultsFileError(f"{path}: two records for the same case {dup}; {hint}")
    return results


def _sorted(records: list[Record]) -> list[Record]:
    return sorted(records, key=lambda r: tuple(map(str, r.key())))


def dumps(results: ResultsFile) -> str:
    ordered = results.model_copy(update={"records": _sorted(results.records)})
    return ordered.model_dump_json(indent=1) + "\n"


def save(path: Path, results: ResultsFile) -> None:
    """Write atomically (contract.files.write_atomic), and only what reads back."""
    text = dumps(results)
    ResultsFile.model_validate_json(text)  # never write what we could not read back
    write_atomic(Path(path), text)


def upsert(results: ResultsFile | None, machine: Machine, records: list[Record]) -> ResultsFile:
    """`results` with `records` added; a record replaces an older one with the same key."""
    by_key = {r.key(): r for r in (results.records if results else [])}
    for record in records:
        by_key[record.key()] = record
    return ResultsFile(machine=machine, records=_sorted(list(by_key.values())))


@contextlib.contextmanager
def locked(path: Path):
    """Hold an exclusive lock on path's folder (made if missing) until the block ends: one writer of its files
    at a time. The folder, not a lock file beside the results, so nothing is left in results/; a lock dies with
    its process, so a killed run blocks no one."""
    folder = Path(path).parent
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def update(path: Path, machine: Machine, records: list[Record]) -> ResultsFile:
    """Add records to the file at path (load, upsert, save) under its lock, so concurrent runs lose nothing."""
    with locked(path):
        results = upsert(load(path), machine, records)
        save(path, results)
    return results


@dataclass
class Merged:
    """Records of several machines: (machine name, record), in a canonical order."""

    entries: list[tuple[str, Record]] = field(default_factory=list)
    machines: dict[str, Machine] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)


def _canonical(record: Record) -> str:
    return record.model_dump_json()


def merge(paths: list[Path]) -> Merged:
    """Merge machine files. Identical duplicates (the same file read twice) collapse into one;
    duplicates that differ keep the newest (by date, then content, so the choice does not
    depend on read order) and each one set aside is listed in `conflicts`."""
    loaded = [(Path(p), load(p)) for p in paths]
    by_machine: dict[str, list[tuple[Path, ResultsFile]]] = {}
    for path, results in loaded:
        if results is not None:
            by_machine.setdefault(results.machine.name, []).append((path, results))
    merged = Merged()
    for name in sorted(by_machine):
        files = sorted(by_machine[name], key=lambda pr: (dumps(pr[1]), str(pr[0])))
        merged.machines[name] = max((r.machine for _, r in files), key=lambda m: m.model_dump_json())
        groups: dict[tuple, dict[str, tuple[Record, list[str]]]] = {}
        for path, results in files:
            for record in results.records:
                variants = groups.setdefault(record.key(), {})
                variants.setdefault(_canonical(record), (record, []))[1].append(path.name)
        for key in sorted(groups, key=lambda k: tuple(map(str, k))):
            variants = sorted(groups[key].values(), key=lambda v: (v[0].date_utc, _canonical(v[0])))
            kept, _ = variants[-1]
            merged.entries.append((name, kept))
            for record, where in variants[:-1]:
                merged.conflicts.append(
                    f"{name}: {' / '.join(map(str, key))}: record of {record.date_utc.isoformat()} in "
                    f"{', '.join(sorted(where))} differs from the newer one of {kept.date_utc.isoformat()}; "
                    f"kept the newer")
    return merged


def machine_files(results_dir: Path) -> list[Path]:
    return sorted(p for p in Path(results_dir).glob("*.json") if not p.name.startswith("."))
