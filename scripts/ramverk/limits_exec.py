"""`python -m ramverk.limits_exec MEMORY_BYTES CPUS -- ARGV...`: apply limits, then exec ARGV.

MEMORY_BYTES caps the address space (0: no cap), CPUS is a comma-separated CPU list for the
affinity ("-": leave it). Core dumps are off, and the program dies with its parent. Everything
set here survives the exec. Built by ramverk.sandbox.limited().
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys


def main(argv: list[str]) -> None:
    memory, cpus, separator, *command = argv
    if separator != "--" or not command:
        raise SystemExit("usage: python -m ramverk.limits_exec MEMORY_BYTES CPUS -- ARGV...")
    if int(memory):
        resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if cpus != "-":
        os.sched_setaffinity(0, {int(c) for c in cpus.split(",")})
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the parent
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
