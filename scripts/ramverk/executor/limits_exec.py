"""`python -I -S limits_exec.py [as=BYTES] [cpus=0,1] [nproc=N] [cgroups=DIR:DIR] [deathsig=1] -- ARGV...`

Apply limits, then exec ARGV; everything set here survives the exec. as= caps the address space
per process (RLIMIT_AS), cpus= sets the CPU affinity, nproc= caps the processes of this user
(RLIMIT_NPROC; root is exempt), cgroups= lists cgroup folders this process joins (os.pathsep
between them) so that everything it starts counts against their limits, deathsig=1 makes it
die with its parent (PR_SET_PDEATHSIG; bwrap's --die-with-parent does that itself). Core dumps
are always off. Built by ramverk.executor.sandbox; run as a file with -I -S, and ctypes imported only for
deathsig, because this start-up is paid once per code block.
"""

from __future__ import annotations

import os
import resource
import sys


def main(argv: list[str]) -> None:
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        raise SystemExit("usage: python -I -S limits_exec.py [KEY=VALUE...] -- ARGV...")
    split = argv.index("--")
    options, command = dict(arg.split("=", 1) for arg in argv[:split]), argv[split + 1:]
    unknown = set(options) - {"as", "cpus", "nproc", "cgroups", "deathsig"}
    if unknown:
        raise SystemExit(f"limits_exec: unknown option(s) {', '.join(sorted(unknown))}")
    for folder in filter(None, options.get("cgroups", "").split(os.pathsep)):
        with open(os.path.join(folder, "cgroup.procs"), "w") as procs:
            procs.write(str(os.getpid()))
    for key, limit in (("as", resource.RLIMIT_AS), ("nproc", resource.RLIMIT_NPROC)):
        if int(options.get(key, 0)):
            resource.setrlimit(limit, (int(options[key]), int(options[key])))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if options.get("cpus"):
        os.sched_setaffinity(0, {int(c) for c in options["cpus"].split(",")})
    if options.get("deathsig") == "1" and sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
