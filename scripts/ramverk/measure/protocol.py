"""The runner <-> worker protocol: the job a worker gets, the report it returns, and thread pinning.

Both sides import this module and nothing of each other: the runner (ramverk.measure.runner, through
ramverk.measure.launch) writes a Job as JSON on the worker's command line and a fresh secret (a key and a
nonce, new_secret()) into a pipe the worker drains and closes before it imports the snippet (read_secret());
the worker prints one Report as JSON, signed with that key (sealed()), which the runner verifies (opened())
and validates before trusting a number. The wire format is one line: the hex HMAC-SHA256 of the nonce and
the exact JSON bytes, a space, the JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ramverk.contract.results_model import Ratio, Statistics

KEY_BYTES = 32  # HMAC-SHA256's block-sized key
NONCE_BYTES = 16
SECRET_BYTES = KEY_BYTES + NONCE_BYTES
MAC_HEX = 64  # hex digits of an HMAC-SHA256


class Job(BaseModel):
    model_config = ConfigDict(extra="forbid")

    snippet: str  # absolute path
    framework: str
    device: str  # cpu | cuda | mps
    modes: list[str]
    params: dict[str, int | float | str]
    baseline: str | None = None
    threads: int = 1
    min_time_s: float = 1.0


class ModeReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stats: Statistics
    ratio: Ratio | None = None


class Report(BaseModel):
    """What the worker prints; the runner validates it before trusting a number."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["ok", "skip", "error"]
    reason: str | None = None
    modes: dict[str, ModeReport] = {}
    device_seen: str | None = None  # what the framework calls the device
    cuda: str | None = None  # the CUDA version the framework was built with
    threads_seen: dict[str, int] = {}
    stream_triad_gbs: float | None = None
    fma_gflops: float | None = None  # the FMA probe (devices.fma_probe)
    fma_vector_bits: int | None = None
    wall_s: float | None = None


def pin_threads(threads: int, env: dict | os._Environ = os.environ) -> None:
    """Set the thread variables every framework reads at import. Call before importing one."""
    n = str(threads)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        env[var] = n
    # Only `--` flags: XLA reads a value that does not start with "--" as a file of flags, and the old
    # "intra_op_parallelism_threads=N" (a TensorFlow session option, not an XLA flag) was dropped as one.
    flags = [f for f in env.get("XLA_FLAGS", "").split()
             if not f.startswith(("--xla_cpu_multi_thread_eigen", "intra_op_parallelism_threads"))]
    flags.append(f"--xla_cpu_multi_thread_eigen={'false' if threads == 1 else 'true'}")
    env["XLA_FLAGS"] = " ".join(flags)


# --- The signed report ------------------------------------------------------------------------

def new_secret() -> bytes:
    """A fresh key and nonce for one worker (the runner writes them into the worker's key channel)."""
    return secrets.token_bytes(SECRET_BYTES)


def read_secret(fd: int) -> tuple[bytes, bytes]:
    """(key, nonce) read from fd until EOF; fd is closed either way, so nothing after this can read it."""
    data = b""
    try:
        while len(data) <= SECRET_BYTES and (chunk := os.read(fd, SECRET_BYTES + 1)):
            data += chunk
    finally:
        os.close(fd)
    if len(data) != SECRET_BYTES:
        raise ValueError(f"the key channel (fd {fd}) carried {len(data)} bytes, not {SECRET_BYTES}")
    return data[:KEY_BYTES], data[KEY_BYTES:]


def _mac(key: bytes, nonce: bytes, body: bytes) -> str:
    # The nonce is in the MAC, so a signed line only verifies for the run that asked for it.
    return hmac.new(key, b"ramverk-report-v1\n" + nonce + body, hashlib.sha256).hexdigest()


def sealed(report: Report, key: bytes, nonce: bytes) -> str:
    """The report as one signed line (newline included)."""
    body = report.model_dump_json()
    return f"{_mac(key, nonce, body.encode())} {body}\n"


def opened(line: str, key: bytes, nonce: bytes) -> str | None:
    """The JSON of a signed line when its MAC verifies with this key and nonce, else None."""
    mac, space, body = line.partition(" ")
    if not space or len(mac) != MAC_HEX:
        return None
    return body if hmac.compare_digest(mac.encode(), _mac(key, nonce, body.encode()).encode()) else None
