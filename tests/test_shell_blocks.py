"""The ```bash block check (ramverk/pages/shell_blocks.py): what a hostile block wrote to get past it (issue 24, item 10)."""

from __future__ import annotations

import pytest
from ramverk.pages import shell_blocks


@pytest.mark.parametrize("code, refusal", [
    ('env bash -c "cat /etc/passwd"', "runs `bash`"),
    ("env curl x", "runs `curl`, which uses the network"),
    ("env -i FOO=1 -u BAR -- sh -c 'id'", "runs `sh`"),
    ("FOO=1 env python3 -m pip install x", "runs `python -m pip`"),
    ("env -S 'bash -c id'", "uses `env -S`"),
    ("env --chdir=sub ls", "uses `env --chdir=sub`"),
    ("python -mhttp.server", "runs `python -m http.server`"),
    ("python -Im http.server 8000", "runs `python -m http.server`"),
    ("python -W ignore -m venv v", "runs `python -m venv`"),
    ("python3 -Bmramverk check", "runs `python -m ramverk`"),
    ("sort --compress-program=curl data.txt", "uses `sort --compress-program=curl`"),
    ("bash -c 'ls'", "runs `bash`"),
    ("printf x | env python -m ensurepip", "runs `python -m ensurepip`"),
])
def test_a_command_hidden_behind_an_allowed_one_is_refused(code, refusal):
    problems = shell_blocks.lint_bash(code)
    assert any(refusal in problem for problem in problems), problems


@pytest.mark.parametrize("code", [
    "printf 'a\\nb\\n' > data.txt\nsort data.txt | head -n 1\nwc -l < data.txt",
    "env",  # prints the (sandboxed) environment
    "env LC_ALL=C sort data.txt",
    "python -c 'print(2)'",
    "python -W ignore script.py -m pip",  # -m after the script is the script's own argument
    "python3 -m json.tool data.json",
    "FOO=1 python -X dev -c 'print(1)'",
])
def test_what_the_pages_need_still_passes(code):
    assert shell_blocks.lint_bash(code) == []
