"""The fork server's own process, inside the sandbox: `python -m ramverk.executor.fork_server PLAN`.

Started by ramverk.executor.spawners.ForkServer with a plan (JSON: the programs to serve, each with
its script, working directory and leading import statements; the timeout; the output cap). Three
kinds of process, and who may say what:

* The root (this module's `main`) runs no contributor code. It keeps the report channel (its
  stdout, to the parent outside the sandbox), relays what each program prints, and writes each
  verdict. It makes itself non-dumpable first, so no other process in the sandbox can open its
  descriptors through /proc or trace it (that needs CAP_SYS_PTRACE, which the sandbox drops).
* A zygote has run some leading import statements and nothing else. The zygote for
  (s1, ..., sk) is forked from the one for (s1, ..., sk-1), so programs that share their first
  imports share their cost. It runs programs on request, in a forked child each, and tells the root
  each child's exit status. It is non-dumpable, as the root it was forked from, so a program
  cannot trace the process it was forked from (nor, through it, the programs forked after it).
  It only ever ran statements that every program it serves runs first itself, so a forged status
  could only come from the program's own code.
* A program's child gets two fresh pipes from the root for its stdout and stderr, closes every
  other descriptor before its code runs (the report channel and the control socket included), and
  becomes `python SCRIPT` started in its working directory.

The programs run in the order of their imports, so a zygote can go after its last program. The root
writes JSON lines: {"start": i}, {"out": i, "stream": ..., "data": ...} while program i prints, then
{"done": i, "returncode": ..., "seconds": ..., "problem": ...}; {"zygote": [...], "seconds": ...}
for each zygote made.
"""

from __future__ import annotations

import codecs
import json
import os
import select
import signal
import socket
import sys
import time
from pathlib import Path

EXIT_GRACE_S = 0.5  # after a program exits, how long a pipe may stay open (a grandchild holding it)


def main(plan_path: str) -> None:
    plan = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    set_dumpable()
    report = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)  # what a zygote's imports print goes nowhere (a served program prints its own)
    os.close(devnull)
    root = Root(plan, report)
    programs = plan["programs"]
    # In the order of their imports, so that a zygote's programs come together and it can go after the last
    # (each holds its own copy of what it imported); what each prints is its own either way.
    order = sorted(range(len(programs)), key=lambda i: programs[i]["preload"])
    last_use = {}
    for step, i in enumerate(order):
        prefix = tuple(programs[i]["preload"])
        for k in range(len(prefix) + 1):
            last_use[prefix[:k]] = step
    try:
        for step, i in enumerate(order):
            root.serve(i, programs[i])
            for prefix in [p for p in root.zygotes if last_use.get(p, -1) <= step]:
                root.forget(prefix)
    finally:
        root.close()


def set_dumpable(dumpable: int = 0) -> None:
    """PR_SET_DUMPABLE: 0 closes this process's /proc/<pid>/fd and ptrace to other processes of its user."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(4, dumpable, 0, 0, 0)  # PR_SET_DUMPABLE 0: /proc/<pid>/fd and ptrace are closed to others


class Root:
    def __init__(self, plan: dict, report):
        self.plan, self.report = plan, report
        self.zygotes: dict[tuple[str, ...], socket.socket] = {}

    def emit(self, **record) -> None:
        self.report.write(json.dumps(record) + "\n")
        self.report.flush()

    def zygote(self, prefix: tuple[str, ...]) -> socket.socket | None:
        """The zygote that has run `prefix`, made (and its parents) when missing; None if a statement failed."""
        if prefix in self.zygotes:
            return self.zygotes[prefix]
        started = time.monotonic()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        if not prefix:
            pid = os.fork()
            if pid == 0:
                ours.close()
                Zygote(theirs).loop()  # never returns
            theirs.close()
        else:
            parent = self.zygote(prefix[:-1])
            if parent is None:
                return None
            socket.send_fds(parent, [json.dumps({"op": "zygote", "statement": prefix[-1]}).encode()], [theirs.fileno()])
            theirs.close()
        reply = _receive(ours, timeout=self.plan["timeout"])
        if not reply or not reply.get("ok"):
            ours.close()
            self.emit(zygote=list(prefix), error=(reply or {}).get("error", "the zygote died"),
                      seconds=round(time.monotonic() - started, 2))
            return None
        self.emit(zygote=list(prefix), seconds=round(time.monotonic() - started, 2))
        self.zygotes[prefix] = ours
        return ours

    def serve(self, i: int, program: dict) -> None:
        self.emit(start=i)
        started = time.monotonic()
        prefix = tuple(program["preload"])
        zygote = self.zygote(prefix)
        if zygote is None:
            self.emit(done=i, returncode=None, seconds=0.0, problem="its leading imports failed in the server")
            return
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        try:
            socket.send_fds(zygote, [json.dumps({"op": "run", "script": program["script"],
                                                 "cwd": program["cwd"]}).encode()], [out_w, err_w])
        except OSError:
            self.forget(prefix)
            for fd in (out_r, out_w, err_r, err_w):
                os.close(fd)
            self.emit(done=i, returncode=None, seconds=0.0, problem="the process serving it had died")
            return
        os.close(out_w)
        os.close(err_w)
        returncode, problem = self._watch(i, prefix, zygote, {out_r: "stdout", err_r: "stderr"}, started)
        self.emit(done=i, returncode=returncode, seconds=round(time.monotonic() - started, 2), problem=problem)

    def _watch(self, i: int, prefix, zygote: socket.socket, pipes: dict[int, str], started: float):
        """Relay the program's output until it has exited and its pipes closed; (exit status, problem)."""
        deadline = started + self.plan["timeout"]
        cap = self.plan["cap"]
        decoders = {fd: codecs.getincrementaldecoder("utf-8")("replace") for fd in pipes}
        sizes = dict.fromkeys(pipes, 0)
        pid = returncode = exited_at = None
        problem = ""
        while True:
            now = time.monotonic()
            if exited_at is not None and (not pipes or now > exited_at + EXIT_GRACE_S):
                break
            if now >= deadline:
                problem = f"timed out after {self.plan['timeout']:g} s"
                break
            watched = list(pipes) + ([zygote] if exited_at is None else [])
            ready, _, _ = select.select(watched, [], [], min(deadline - now, 0.25))
            for fd in ready:
                if fd is zygote:
                    message = _receive(zygote, timeout=0)
                    if message is None:  # the zygote died: the program killed it, or took it down with it
                        self.forget(prefix)
                        problem, exited_at = "the process serving it died while it ran", time.monotonic()
                    elif "pid" in message:
                        pid = message["pid"]
                    elif "exit" in message:
                        returncode, exited_at = message["exit"], time.monotonic()
                    continue
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    del pipes[fd]
                    os.close(fd)
                    continue
                sizes[fd] += len(chunk)
                if sizes[fd] > cap:
                    problem = f"printed more than {cap >> 20} MiB to {pipes[fd]}"
                    break
                self.emit(out=i, stream=pipes[fd], data=decoders[fd].decode(chunk))
            if problem:
                break
        if problem and pid:
            for kill in (os.killpg, os.kill):  # its process group, and itself if it left the group
                try:
                    kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            if exited_at is None:  # the zygote reaps it and reports the kill; wait for that, briefly
                message = _receive(zygote, timeout=5)
                while message is not None and "exit" not in message:
                    message = _receive(zygote, timeout=5)
                if message is None:
                    self.forget(prefix)
        for fd in pipes:
            os.close(fd)
        return (None if problem else returncode), problem

    def forget(self, prefix) -> None:
        sock = self.zygotes.pop(prefix, None)
        if sock is not None:
            sock.close()

    def close(self) -> None:
        for sock in self.zygotes.values():
            sock.close()  # a zygote exits when its socket closes
        self.report.close()


def _receive(sock: socket.socket, timeout: float | None) -> dict | None:
    """One JSON message, or None when the peer has gone (or said nothing within timeout)."""
    ready, _, _ = select.select([sock], [], [], timeout)
    if not ready:
        return None
    try:
        data = sock.recv(1 << 16)
    except OSError:
        return None
    return json.loads(data) if data else None


class Zygote:
    def __init__(self, control: socket.socket):
        self.control = control
        self.namespace: dict = {"__name__": "__zygote__"}
        # Nothing but the control socket and the standard streams (the report channel goes).
        os.closerange(3, control.fileno())
        os.closerange(control.fileno() + 1, _max_fd())

    def loop(self) -> None:
        self.control.send(json.dumps({"ok": True}).encode())
        while True:
            try:
                data, fds, _, _ = socket.recv_fds(self.control, 1 << 16, 4)
            except OSError:
                os._exit(0)
            if not data:
                os._exit(0)  # the root closed our socket: nothing more to serve
            message = json.loads(data)
            if message["op"] == "zygote":
                self._fork_zygote(message["statement"], fds[0])
            else:
                self._run(message["script"], message["cwd"], fds)

    def _fork_zygote(self, statement: str, fd: int) -> None:
        _flush()
        pid = os.fork()
        if pid:
            os.close(fd)
            return
        self.control.close()
        child = socket.socket(fileno=fd)
        try:
            exec(compile(statement, "<preload>", "exec"), self.namespace)  # noqa: S102 - the programs' own imports
        except BaseException as error:  # noqa: BLE001 - reported; the programs under it run fresh
            child.send(json.dumps({"ok": False, "error": f"{statement}: {type(error).__name__}: {error}"}).encode())
            os._exit(1)
        self.control = child
        self.loop()

    def _run(self, script: str, cwd: str, fds: list[int]) -> None:
        _flush()
        pid = os.fork()
        if pid == 0:
            _child(script, cwd, fds[0], fds[1])  # never returns
        for fd in fds:
            os.close(fd)
        try:
            os.setpgid(pid, pid)  # as the child does itself: whichever runs first
        except OSError:
            pass
        self.control.send(json.dumps({"pid": pid}).encode())
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        self.control.send(json.dumps({"exit": status}).encode())


def _max_fd() -> int:
    import resource

    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return soft if 0 < soft < 1 << 20 else 1 << 16


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a stream a statement closed
            pass


def _child(script: str, cwd: str, out: int, err: int) -> None:
    """Become `python SCRIPT` started in cwd, then exit the way that process would."""
    import builtins
    import traceback
    import types

    try:
        os.setpgid(0, 0)  # its own process group, so a timeout kills what it started too
    except OSError:
        pass
    # Dumpable, as `python SCRIPT` is: run as the sandbox's user, a non-dumpable process cannot read its own
    # /proc/self/fd (owned by root then); the zygote stays closed.
    set_dumpable(1)
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.closerange(3, _max_fd())  # the control socket and its pipes' spare copies: nothing to forge with
    os.chdir(cwd)
    sys.argv = [script]
    sys.path[0] = os.path.dirname(script)  # as python does for a script
    module = types.ModuleType("__main__")
    module.__file__ = script
    module.__builtins__ = builtins
    sys.modules["__main__"] = module
    status = 0
    try:
        code = compile(Path(script).read_text(encoding="utf-8"), script, "exec")
        exec(code, module.__dict__)  # noqa: S102 - contributor code, inside the sandbox
    except SystemExit as stop:  # the status `python SCRIPT` would exit with
        if isinstance(stop.code, int) or stop.code is None:
            status = stop.code or 0
        else:
            print(stop.code, file=sys.stderr)
            status = 1
    except BaseException:  # noqa: BLE001 - what the interpreter would print, and its exit status
        traceback.print_exc()
        status = 1
    _exit(status)


def _exit(status: int) -> None:
    """End as the interpreter ends, but for tearing down every module: wait for non-daemon threads,
    run the atexit handlers, flush the streams. The teardown shows nothing and, with the frameworks
    preloaded, costs over a second per child (TensorFlow's alone about one)."""
    import atexit
    import threading

    # The interpreter's own first step: threading's exit hooks (a ThreadPoolExecutor's, which tell its
    # idle workers to stop; torch.compile starts one when it compiles), then the non-daemon threads joined.
    threading._shutdown()
    atexit._run_exitfuncs()  # prints a failing handler's traceback and goes on, as the interpreter does
    _flush()
    os._exit(status)


if __name__ == "__main__":
    main(sys.argv[1])
