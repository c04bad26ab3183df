"""The notebooks' captured outputs on disk, outputs/<key>.json, committed like results: the one place that
knows that file. Its name is a hash of the snippet (and the siblings it imports) and of the sections run; it
holds one record per section, in the notebook's order: what the section's cell printed and displayed, as
text without terminal colours, or why it was not run. render/notebooks.py builds and runs the notebooks;
`python -m ramverk outputs` fills outputs/ and `ramverk check outputs` names missing and unused files.
A build only reads here, so it runs no code.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ramverk.contract import site_config
from ramverk.contract.files import write_atomic
from ramverk.contract.snippet_spec import sibling_imports

EXECUTION_VERSION = 3  # bump when the executor's output changes: invalidates outputs/ (3: a Jupyter kernel)
NOT_CAPTURED = "its output is not captured yet (python -m ramverk outputs)"


@dataclass(frozen=True)
class Output:
    stdout: str = ""
    stderr: str = ""
    error: tuple[str, str, tuple[str, ...]] | None = None  # ename, evalue, traceback lines
    not_run: str = ""  # why the section was not run
    outputs: tuple[dict, ...] = ()  # the cell's outputs as the kernel sent them (nbformat), in order


def outputs_dir() -> Path:
    return site_config.load().root / "outputs"


def key(snippet: Path, sections: tuple[str, ...]) -> str:
    digest = hashlib.sha256(json.dumps([EXECUTION_VERSION, snippet.name, list(sections)]).encode())
    digest.update(snippet.read_bytes())
    for sibling in sibling_imports(snippet, snippet.stat().st_mtime_ns):  # snippets it imports run too
        digest.update(sibling.read_bytes())
    return digest.hexdigest()[:24]


def path_for(snippet: Path, sections: tuple[str, ...]) -> Path:
    return outputs_dir() / f"{key(Path(snippet), sections)}.json"


def load(snippet: Path, sections: tuple[str, ...]) -> dict[str, Output] | None:
    """Each section's captured output, or None when outputs/ has no file for these sections of this snippet."""
    path = path_for(snippet, sections)
    return parsed(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else None


def not_captured(sections: tuple[str, ...]) -> dict[str, Output]:
    return {section: Output(not_run=NOT_CAPTURED) for section in sections}


def save(snippet: Path, sections: tuple[str, ...], data: list[dict]) -> None:
    """Write the sections' records (record() or not_run(), one per section, in the sections' order)."""
    write_atomic(path_for(snippet, sections), json.dumps(data, ensure_ascii=False))  # both language builds may write it


def parsed(data: list[dict]) -> dict[str, Output]:
    """The records as load() returns them, by section."""
    return {d["section"]: Output(d.get("stdout", ""), d.get("stderr", ""),
                                 (d["error"][0], d["error"][1], tuple(d["error"][2])) if d.get("error") else None,
                                 d.get("not_run", ""), tuple(d.get("outputs", ()))) for d in data}


# Terminal colours (SGR and other CSI sequences): Jupyter paints them (JAX's jaxprs, rich's tables), the site
# shows the text, since the sanitiser admits no inline style for nbconvert's 256-colour spans.
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def plain(text: str) -> str:
    return ANSI.sub("", text)


def not_run(section: str, reason: str) -> dict:
    """The record of a section that was not run, and why."""
    return {"section": section, "not_run": reason}


def record(section: str, outputs: list[dict]) -> dict:
    """A cell's outputs as outputs/ keeps them: in order, as text without terminal colours (displays as their
    plain text); its streams and error on their own too."""
    found: dict = {"section": section, "stdout": "", "stderr": "", "outputs": []}
    for out in outputs:
        kind = out["output_type"]
        if kind == "stream":
            text = plain(out["text"])
            found[out["name"]] += text
            last = found["outputs"][-1] if found["outputs"] else {}
            if last.get("output_type") == "stream" and last["name"] == out["name"]:
                last["text"] += text  # one block, as Jupyter shows a stream's consecutive writes
                continue
            out = {"output_type": kind, "name": out["name"], "text": text}
        elif kind == "error":
            out = {"output_type": kind, "ename": out["ename"], "evalue": plain(out["evalue"]),
                   "traceback": [plain(line) for line in out["traceback"]]}
            found["error"] = [out["ename"], out["evalue"], out["traceback"]]
        else:  # execute_result, display_data
            data = out.get("data", {})
            out = {"output_type": kind, "metadata": {},
                   "data": {"text/plain": plain(data.get("text/plain", f"<{', '.join(sorted(data))}>"))}}
        found["outputs"].append(out)
    return found


def problems(wanted: dict[str, str]) -> list[str]:
    """Captured outputs that a notebook needs but outputs/ lacks, and files no notebook uses; `wanted` maps
    each key a notebook needs to its snippet."""
    present = {p.stem for p in outputs_dir().glob("*.json")}
    if os.environ.get("RAMVERK_PENDING_RESULTS"):  # drafting mode: nothing measured or captured yet
        present |= set(wanted)
    found = [f"{snippet}:1: its sections' captured outputs (outputs/{name}.json) are missing; capture them "
             "with python -m ramverk outputs, and commit outputs/"
             for name, snippet in sorted(wanted.items(), key=lambda kv: kv[1]) if name not in present]
    found += [f"outputs/{name}.json:1: no notebook uses it any more; delete it" for name in sorted(present - set(wanted))]
    return found


def prune(wanted: set[str]) -> list[str]:
    """Delete the files of outputs/ whose key no notebook needs; returns their names."""
    deleted = []
    for path in sorted(outputs_dir().glob("*.json")):
        if path.stem not in wanted:
            path.unlink()
            deleted.append(path.name)
    return deleted
