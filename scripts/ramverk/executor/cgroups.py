"""A cgroup per sandboxed run: a memory limit (and a task limit) on the whole process tree.

`parents()` finds where this process may make run cgroups: a cgroup v2 with the memory controller
delegated to us, else v1's memory (and pids) hierarchy. `Cgroup.make()` makes one per run, and a run
that cannot remove its cgroup at once (a zombie not reaped yet) leaves it to `sweep()`.
"""

from __future__ import annotations

import atexit
import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

MAX_TASKS = 4096  # processes + threads of one run (TF and XLA start hundreds of threads on a big host)


def parents() -> tuple[str, tuple[Path, ...], bool, str]:
    """(kind, parent folders for run cgroups, pids controller?, why not): a cgroup v2 with the memory controller
    delegated to us, else v1's memory (and pids) hierarchy, if we may make folders there."""
    root = Path("/sys/fs/cgroup")
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError as error:
        return "rlimit", (), False, str(error)
    mine = dict(line.split(":", 2)[1:] for line in lines if line.count(":") >= 2)
    candidates = []
    if (root / "cgroup.controllers").exists() and "" in mine:
        candidates.append(("cgroup v2", (root / mine[""].lstrip("/"),)))
    if "memory" in mine and (root / "memory").is_dir():
        v1 = [root / "memory" / mine["memory"].lstrip("/")]
        if "pids" in mine and (root / "pids").is_dir():
            v1.append(root / "pids" / mine["pids"].lstrip("/"))
        candidates.append(("cgroup v1", tuple(v1)))
    why = "no cgroup hierarchy with a memory controller"
    for kind, parents in candidates:
        if kind == "cgroup v2":
            # Children only get memory.max (pids.max) when the parent delegates the controller.
            refused = _delegate(parents[0], "memory")
            if refused:
                why = f"cgroup v2: cannot delegate the memory controller in {parents[0]} ({refused})"
                continue
            _delegate(parents[0], "pids")
        probe = parents[0] / f"ramverk-probe-{os.getpid()}"
        try:
            probe.mkdir()
            ok = (probe / ("memory.max" if kind == "cgroup v2" else "memory.limit_in_bytes")).exists()
            tasks = (probe / "pids.max").exists() if kind == "cgroup v2" else len(parents) > 1
            probe.rmdir()
        except OSError as error:
            why = f"{kind}: {parents[0]} is not writable ({error.strerror})"
            continue
        if ok:
            _remove_stale(parents)
            return kind, parents, tasks, ""
        why = f"{kind}: no memory controller in {parents[0]}"
    return "rlimit", (), False, why


def _remove_stale(parents: tuple[Path, ...]) -> None:
    """Empty run cgroups left by a harness that was killed (ramverk-PID-*, PID no longer running)."""
    for parent in parents:
        for folder in parent.glob("ramverk-*-*"):
            pid = folder.name.split("-")[1]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                try:
                    folder.rmdir()
                except OSError:
                    pass  # still has tasks: leave it


def _delegate(folder: Path, controller: str) -> str:
    """"" once `controller` is enabled for folder's children, else why not."""
    control = folder / "cgroup.subtree_control"
    try:
        if controller not in control.read_text().split():
            control.write_text(f"+{controller}")
    except OSError as error:
        return error.strerror or str(error)
    return ""


@dataclass
class Cgroup:
    kind: str
    dirs: list[Path]

    @classmethod
    def make(cls, kind: str, cgroup_parents: tuple[Path, ...], memory_bytes: int | None, max_tasks: int = MAX_TASKS) -> Cgroup:
        name = f"ramverk-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        group = cls(kind, [parent / name for parent in cgroup_parents])
        for folder in group.dirs:
            folder.mkdir()
        first = group.dirs[0]
        if kind == "cgroup v2":
            if memory_bytes:
                (first / "memory.max").write_text(str(memory_bytes))
                if (first / "memory.swap.max").exists():
                    (first / "memory.swap.max").write_text("0")
            if (first / "pids.max").exists():
                (first / "pids.max").write_text(str(max_tasks))
        else:
            if memory_bytes:
                (first / "memory.limit_in_bytes").write_text(str(memory_bytes))
                try:  # without swap accounting this file is absent or refuses
                    (first / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
                except OSError:
                    pass
            for folder in group.dirs[1:]:
                (folder / "pids.max").write_text(str(max_tasks))
        return group

    def pids(self) -> list[int]:
        try:
            return [int(p) for p in (self.dirs[0] / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def kill(self) -> None:
        if (self.dirs[0] / "cgroup.kill").exists():
            (self.dirs[0] / "cgroup.kill").write_text("1")
            return
        for _ in range(5):  # a process may fork while we kill; go round again
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def oom_killed(self) -> bool:
        events = self.dirs[0] / ("memory.events" if self.kind == "cgroup v2" else "memory.oom_control")
        try:
            return any(line.split()[0] == "oom_kill" and int(line.split()[1]) > 0
                       for line in events.read_text().splitlines())
        except OSError:
            return False

    def remove(self) -> bool:
        """Remove the folders; False if a killed task is still there (a zombie its new parent has not reaped)."""
        for folder in list(self.dirs):
            try:
                folder.rmdir()
            except FileNotFoundError:
                pass
            except OSError:
                self.kill()
                return False
            self.dirs.remove(folder)
        return True


LEFT: list[Cgroup] = []  # cgroups to remove later, so a run never waits for a zombie to be reaped


def sweep(wait_s: float = 0.0) -> None:
    deadline = time.monotonic() + wait_s
    while True:
        LEFT[:] = [group for group in LEFT if not group.remove()]
        if not LEFT or time.monotonic() >= deadline:
            return
        time.sleep(0.05)


atexit.register(sweep, 5.0)
