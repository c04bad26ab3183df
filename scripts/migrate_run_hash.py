"""Once (issue 23): give each record that was current under the old snippet hash the new one.

The old hash was of the snippet file's bytes and of the sibling snippets it imports, so any edit made
every record of the file stale. The new one (ramverk.sections.run_hash) is of what the record's
framework ran. A record whose old hash matches its snippet at the commit it was measured (or the
snippet as it is now) is known to have measured that code; it gets the new hash of that same code,
so it stays current exactly while the code its framework runs is unchanged. Any other record keeps
its old hash, which matches nothing now: it stays stale.

    PYTHONPATH=scripts .venv/bin/python scripts/migrate_run_hash.py results/*.json

--commit names the commit for every record (for a file whose commit field is wrong: the first H200
run's records say the enclosing repository's HEAD); --to DIR writes the migrated files there instead
of in place. It prints what it kept current, and the records current before and after.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from ramverk import sections
from ramverk.contract.results_model import Record
from ramverk.results import results_store

ROOT = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1024)
def _at(root: Path, commit: str | None, rel: str) -> bytes | None:
    """The file `rel` at `commit` (None: as it is now in the work tree), or None where there is none."""
    if commit is None:
        path = root / rel
        return path.read_bytes() if path.is_file() else None
    done = subprocess.run(["git", "show", f"{commit}:{rel}"], cwd=root, capture_output=True, timeout=60)
    return done.stdout if done.returncode == 0 else None


def old_hashes(root: Path, commit: str | None, rel: str) -> set[str]:
    """What the old content_hash gave for `rel` at `commit`: of the file and its imported siblings (since
    d9c795d), or of the file alone (before); either counts as a match."""
    text = _at(root, commit, rel)
    if text is None:
        return set()
    names = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    folder = Path(rel).parent
    siblings = sorted(other for name in names
                      if (other := (folder / f"{name}.py").as_posix()) != rel and _at(root, commit, other) is not None)
    alone = hashlib.sha256(text)
    with_siblings = alone.copy()
    for other in siblings:
        with_siblings.update(_at(root, commit, other))
    return {"sha256:" + alone.hexdigest()[:16], "sha256:" + with_siblings.hexdigest()[:16]}


def new_hash(root: Path, commit: str | None, record: Record) -> str:
    def read(path: Path) -> str | None:
        data = _at(root, commit, path.relative_to(root).as_posix())
        return None if data is None else data.decode("utf-8")

    return sections.run_hash(root / record.snippet, record.case.framework, read)


def migrate(record: Record, root: Path, commit: str | None) -> tuple[Record, str]:
    """(the record, "migrated"), with the new hash; (it, "already") when it has it (a second run changes
    nothing); (it, "left") when its old hash matches neither its commit nor now."""
    for source in ([commit] if commit else []) + [None]:
        if _at(root, source, record.snippet) is None:
            continue
        if record.snippet_hash == new_hash(root, source, record):
            return record, "already"
        if record.snippet_hash in old_hashes(root, source, record.snippet):
            return record.model_copy(update={"snippet_hash": new_hash(root, source, record)}), "migrated"
    return record, "left"


def current(record: Record, root: Path, old: bool) -> bool:
    """Whether the record matches its snippet now: by the old hash, or by the new."""
    if old:
        return record.snippet_hash in old_hashes(root, None, record.snippet)
    path = root / record.snippet
    return path.is_file() and record.snippet_hash == sections.run_hash(path, record.case.framework)


def run(paths: list[Path], root: Path = ROOT, commit: str | None = None, to: Path | None = None) -> dict[str, int]:
    counts = {"records": 0, "current_before": 0, "migrated": 0, "already": 0, "left": 0, "current_after": 0}
    for path in paths:
        results = results_store.load(path)
        if results is None:
            raise SystemExit(f"{path}: no such results file")
        records = []
        for record in results.records:
            counts["records"] += 1
            counts["current_before"] += current(record, root, old=True)
            migrated, how = migrate(record, root, commit or record.commit)
            counts[how] += 1
            records.append(migrated)
            counts["current_after"] += current(records[-1], root, old=False)
        out = (to / path.name) if to else path
        results_store.save(out, results.model_copy(update={"records": records}))
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="results files (results/*.json)")
    parser.add_argument("--commit", help="the commit every record was measured at (overrides their commit field)")
    parser.add_argument("--to", type=Path, help="write the migrated files into this folder (default: in place)")
    args = parser.parse_args(argv)
    counts = run(args.files, commit=args.commit, to=args.to)
    total = counts["records"]
    print(f"{total} records: {counts['migrated']} given the new hash (their old one matched the code they "
          f"measured), {counts['already']} had it already, {counts['left']} left as they were")
    print(f"current before: {counts['current_before']}, stale before: {total - counts['current_before']}")
    print(f"current after: {counts['current_after']}, stale after: {total - counts['current_after']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
