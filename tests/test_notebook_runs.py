"""Published notebooks, run top to bottom in a Jupyter kernel, show what the site shows
(ramverk/checks/notebook_runs.py; `python -m ramverk verify-notebooks` runs them all).

Every test run executes a few notebooks, a different few each time, so that successive runs cover them
all: a cursor in .cache/notebook-runs.json (shared by the xdist workers of one run; without it, on a
fresh clone, the day picks the start) walks the notebooks in a fixed order, and each run takes those
from the cursor on until their CPU time, as measured by earlier runs here (notebook_runs.costs(); the
verb's runs count too) or else estimated from the frameworks they import, fills SAMPLE_CPU_S. The test
ids name the picked notebooks (page/notebook); to run the same ones again:
RAMVERK_NOTEBOOK_SAMPLE=execution/keras/keras_basics,faq/faq_examples (or "all").
"""

from __future__ import annotations

import datetime
import fcntl
import json
import os

import helpers
import pytest
from ramverk.checks import notebook_runs
from ramverk.contract import frameworks
from ramverk.render import notebooks

SAMPLE_CPU_S = float(os.environ.get("RAMVERK_NOTEBOOK_SAMPLE_CPU_S", 20))
STATE = helpers.ROOT / ".cache" / "notebook-runs.json"
KERNEL_CPU_S = 3.0  # an estimate: sandbox, nbclient and the kernel's start
IMPORT_CPU_S = 4.0  # an estimate: importing one framework (TensorFlow, PyTorch, JAX)
GROUPS = sorted(notebook_runs.groups(), key=notebook_runs.key)


def _estimate(group) -> float:
    """CPU seconds a notebook's run takes: before it was measured, its kernel and framework imports."""
    used = {f.key for cell in group[0].cells if cell.kind == "code"
            for module in notebooks._imported(cell.source) if (f := frameworks.owner(module))}
    return KERNEL_CPU_S + IMPORT_CPU_S * len(used)


def _sample() -> list[tuple]:
    """The notebooks this run executes (the same in every xdist worker of the run)."""
    chosen = os.environ.get("RAMVERK_NOTEBOOK_SAMPLE", "")
    if chosen:
        names = set(chosen.split(","))
        picked = [g for g in GROUPS if "all" in names or notebook_runs.key(g) in names]
        assert picked, f"RAMVERK_NOTEBOOK_SAMPLE={chosen} names no notebook: {[notebook_runs.key(g) for g in GROUPS]}"
        return picked
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid-{os.getpid()}"
    STATE.parent.mkdir(parents=True, exist_ok=True)
    with open(STATE.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the workers of one run collect at the same time
        state = json.loads(STATE.read_text(encoding="utf-8")) if STATE.is_file() else {}
        if state.get("run") != run_id:  # the first worker of this run moves the cursor on
            start = state.get("next", datetime.date.today().toordinal()) % len(GROUPS)
            state.update(run=run_id, start=start)
        start, costs = state["start"], notebook_runs.costs()
        picked, spent = [], 0.0
        for group in (GROUPS[start:] + GROUPS[:start]):
            cost = costs.get(notebook_runs.key(group), _estimate(group))
            if picked and spent + cost > SAMPLE_CPU_S:
                break
            picked.append(group)
            spent += cost
        state["next"] = (start + len(picked)) % len(GROUPS)
        STATE.write_text(json.dumps(state, indent=1), encoding="utf-8")
    return picked


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("group", _sample(), ids=notebook_runs.key)
def test_a_published_notebook_runs_in_jupyter_as_the_site_shows_it(group):
    run = notebook_runs.verify(group)  # records its CPU time for the samples of later runs
    print(f"{run.label}: {run.compared} cells compared, {len(run.mismatches)} mismatch(es), {run.seconds:.1f} s, "
          f"{run.cpu_s:.1f} s CPU; run it again: RAMVERK_NOTEBOOK_SAMPLE={notebook_runs.key(group)}")
    assert run.compared or run.mismatches, f"{run.label}: no cell was compared"
    assert not run.mismatches, "\n".join(m.line() for m in run.mismatches)


# --- The comparison, without a kernel --------------------------------------------------------------

SAME_MATH = next(g for g in GROUPS if notebook_runs.key(g) == "execution/overview/same_math")
SECTIONS = [c.section for c in SAME_MATH[0].cells if c.kind == "code"]


def _outputs(**changed) -> list[tuple[str, notebook_runs.CellOutput]]:
    cells = {s: notebook_runs.CellOutput(stdout=f"{s}: 0.9866\n") for s in SECTIONS}
    cells.update(changed)
    return list(cells.items())


def test_a_changed_output_is_a_mismatch_that_names_the_cell_and_shows_both_outputs():
    kernel = _outputs(torch=notebook_runs.CellOutput(stdout="torch: 0.1234\n"))
    run = notebook_runs.compare(SAME_MATH, _outputs(), kernel)
    assert run.compared == len(SECTIONS)
    assert [(m.section, m.what) for m in run.mismatches] == [("torch", "stdout")]
    line = run.mismatches[0].line()
    assert line.startswith("snippets/execution/same_math.py:")  # the section's own line in the snippet
    number = int(line.split(":")[1])
    assert "[start:torch]" in (helpers.ROOT / "snippets/execution/same_math.py").read_text().splitlines()[number - 1]
    assert "same_math (docs/execution/overview." in line and "torch: 0.9866" in line and "torch: 0.1234" in line


def test_a_published_output_mutated_in_the_real_notebook_is_reported():
    """The comparison of a notebook as the site publishes it (its outputs from outputs/), one output changed."""
    group = next(g for g in GROUPS if notebook_runs.key(g) == "execution/keras/keras_basics-backend_torch")
    shown = notebook_runs.published(json.loads(notebooks.notebook_json(group[0])))
    assert [s for s, out in shown if out.ran] == ["backend_torch"], "its outputs are not captured in outputs/"
    out = shown[0][1]
    mutated = [("backend_torch", notebook_runs.CellOutput(out.stdout.replace("torch", "jax"), out.stderr, out.error,
                                                          out.others))]
    run = notebook_runs.compare(group, shown, mutated)
    assert [(m.section, m.what) for m in run.mismatches] == [("backend_torch", "stdout")]
    assert run.mismatches[0].published == out.stdout and run.mismatches[0].kernel.startswith("jax")
    line, kernel = run.mismatches[0].line(), run.mismatches[0].kernel.strip()
    assert f"published:\n    {out.stdout.strip()}\n" in line and line.endswith(f"kernel:\n    {kernel}")


def test_durations_and_addresses_are_masked_as_on_the_pages_and_counted():
    shown = _outputs(python=notebook_runs.CellOutput(stdout="took 1.20 ms at 0x7f3a2b4c5d60\n"))
    kernel = _outputs(python=notebook_runs.CellOutput(stdout="took 3.45 ms at 0x7f99aa00bb11\n"))
    run = notebook_runs.compare(SAME_MATH, shown, kernel)
    assert not run.mismatches and run.masks["durations"] == 1 and run.masks["addresses"] == 1


def test_what_a_cell_displays_and_its_error_are_compared():
    display = notebook_runs.CellOutput(stdout="python: 0.9866\n", others=("Array(6., dtype=float32)",))
    error = notebook_runs.CellOutput(error=("ValueError", "bad shape"))
    run = notebook_runs.compare(SAME_MATH, _outputs(), _outputs(python=display, jax=error))
    assert sorted((m.section, m.what) for m in run.mismatches) == [("jax", "error"), ("jax", "stdout"),
                                                                  ("python", "display")]


def test_outputs_after_a_published_error_are_a_mismatch_because_run_all_stops_there():
    error = notebook_runs.CellOutput(error=("RuntimeError", "boom"))
    run = notebook_runs.compare(SAME_MATH, _outputs(torch=error), _outputs(torch=error))
    after = SECTIONS[SECTIONS.index("torch") + 1:]
    assert after and [(m.section, m.what) for m in run.mismatches] == [(s, "stops") for s in after]


def test_cells_the_capture_did_not_run_are_not_compared():
    not_run = notebook_runs.CellOutput(ran=False)
    run = notebook_runs.compare(SAME_MATH, _outputs(jax=not_run), _outputs(jax=notebook_runs.CellOutput(
        error=("ModuleNotFoundError", "No module named 'jax'"))))
    assert not run.mismatches and run.not_compared == ["jax"] and run.compared == len(SECTIONS) - 1
