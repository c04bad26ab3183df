"""A snippet cannot forge the worker's report (issue 22, item 6: verdicts only the parent can give).

The hostile snippet (tests/fixtures/forging_snippet.py) hunts for the signing key, then writes a
fake "ok" report to every pipe it can write, the worker's report pipe included. Each test runs it
the way the runner does (launch.run_worker with a real Job, in the best sandbox this machine
allows; the end-to-end one through `ramverk run` is in test_runner.py) and asserts that the
parent names the forgery and takes no measurement. Then the signed line itself: a changed byte,
another run's nonce or another key do not verify.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ramverk.executor import sandbox
from ramverk.measure import launch
from ramverk.measure.protocol import (SECRET_BYTES, Job, ModeReport, Report, new_secret, opened, read_secret,
                                      sealed)

FORGER = Path(__file__).resolve().parent / "fixtures" / "forging_snippet.py"


def run_forger(then: str) -> tuple[Report | None, str, str, str]:
    """(report, reason, stderr tail, the forger's own account of what it did)."""
    job = Job(snippet=str(FORGER), framework="python", device="cpu", modes=["a", "b"], params={"then": then},
              baseline="a", min_time_s=0.05)
    report, reason, tail = launch.run_worker([job.model_dump_json()], timeout_s=60, threads=1, memory_limit_gib=4)
    said = [line for line in tail.splitlines() if line.startswith("forger: ")]
    assert said, f"the forger never ran to the end of its forgery, so this test proves nothing:\n{reason}\n{tail}"
    return report, reason, tail, said[-1]


def forged_lines(said: str) -> int:
    match = re.search(r"wrote (\d+) forged line\(s\) to fds \[(.+)\]", said)
    assert match, f"the forger wrote to no descriptor: {said}"
    return int(match.group(1))


def test_a_report_forged_on_the_report_pipe_before_exiting_is_rejected():
    report, reason, tail, said = run_forger("exit")
    assert "found 0 key candidate(s)" in said, f"the snippet could read the key channel: {said}"
    assert report is None, f"a forged report was accepted ({sandbox.isolation().method}): {report}"
    # Every forged line reached the parent's report pipe, and none of them counted.
    expected = f"sent no authenticated report: {forged_lines(said)} line(s) on its report pipe, none signed"
    assert reason.startswith(expected), (reason, tail)
    assert reason.endswith("exited with code 0)"), reason


def test_forged_lines_before_the_real_report_make_it_untrusted():
    report, reason, tail, said = run_forger("measure")
    assert report is None, f"a report whose pipe carried forged lines was accepted: {report}"
    expected = f"its report pipe carried {forged_lines(said)} line(s) besides the signed report: something else wrote"
    assert reason.startswith(expected), (reason, tail)


def test_a_signed_line_verifies_only_unchanged_with_its_own_key_and_nonce():
    report = Report(status="ok", reason="naïve\u2028line", modes={})  # U+2028: split("\n") keeps it one line
    secret, other = new_secret(), new_secret()
    key, nonce = secret[:32], secret[32:]
    line = sealed(report, key, nonce)
    assert line.endswith("\n") and line.count("\n") == 1
    body = opened(line.removesuffix("\n"), key, nonce)
    assert body is not None and Report.model_validate_json(body) == report
    assert opened(line.removesuffix("\n"), other[:32], nonce) is None, "another key verified"
    assert opened(line.removesuffix("\n"), key, other[32:]) is None, "another run's nonce verified"
    tampered = line.replace('"ok"', '"OK"').removesuffix("\n")
    assert opened(tampered, key, nonce) is None, "a changed report verified"
    assert opened(report.model_dump_json(), key, nonce) is None, "an unsigned report verified"


def test_the_key_channel_is_closed_once_read_and_must_hold_exactly_the_secret():
    read_end, write_end = os.pipe()
    os.write(write_end, new_secret())
    os.close(write_end)
    key, nonce = read_secret(read_end)
    assert len(key) + len(nonce) == SECRET_BYTES
    with pytest.raises(OSError):
        os.fstat(read_end)  # closed: nothing after the worker's first step can read it
    read_end, write_end = os.pipe()
    os.write(write_end, b"short")
    os.close(write_end)
    with pytest.raises(ValueError, match=f"carried 5 bytes, not {SECRET_BYTES}"):
        read_secret(read_end)


def test_a_worker_without_a_key_channel_refuses_to_run(tmp_path):
    job = Job(snippet=str(FORGER), framework="python", device="cpu", modes=["a"], params={"then": "exit"})
    proc = subprocess.run([sys.executable, "-m", "ramverk.measure.worker", job.model_dump_json()], cwd=tmp_path,
                          env=sandbox.child_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == "", (proc.returncode, proc.stdout)
    assert "--key-fd=N" in proc.stderr, proc.stderr
    assert "forger" not in proc.stderr  # it stopped before importing the snippet
