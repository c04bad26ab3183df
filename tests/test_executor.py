"""ramverk.executor: programs run as a reader runs them; a fork server shares imports, never state or verdicts.

The forgery tests are the attacks a red-team ran against the old runner: a block that forges the next
block's verdict, and a block that takes the server down. Each must fail to forge.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ramverk.checks import code_blocks
from ramverk.executor import sandbox, serving
from ramverk.executor.spawners import ForkServer, Fresh, Program


def _run(*codes: str, timeout: float = 60, check=frozenset()):
    return ForkServer(timeout=timeout, env={"PYTHONHASHSEED": "0"}).run([Program(c) for c in codes], check)


def test_blocks_are_grouped_by_their_first_page_in_the_readers_order():
    blocks = [code_blocks.UniqueBlock("b", ("docs/a.en.md:30", "docs/a.sv.md:31")),
              code_blocks.UniqueBlock("a", ("docs/a.en.md:4",)),
              code_blocks.UniqueBlock("c", ("docs/b.en.md:9", "docs/a.en.md:50"))]
    groups = code_blocks.by_page(blocks)
    assert list(groups) == ["docs/a.en.md", "docs/b.en.md"]
    assert [b.code for b in groups["docs/a.en.md"]] == ["a", "b"]
    assert blocks[0].test_id == "a.en.md:30" and blocks[0].line == 30


def test_a_served_block_preloads_only_its_own_top_level_third_party_imports():
    plan = serving.plan("import os\nimport numpy as np\nfrom torch import nn\nx = 1\nimport jax.numpy as jnp\n"
                        "def f():\n    import tensorflow as tf\nimport helper\n", own=frozenset({"helper"}))
    assert plan.served and plan.preload == ("import numpy", "from torch import nn", "import jax.numpy")


@pytest.mark.parametrize("code, why", [
    ("import os\nos.environ['KERAS_BACKEND'] = 'torch'\nimport keras\n", "changes the environment (os.environ)"),
    ("import os\nos.environ.setdefault('XLA_FLAGS', '')\n", "os.environ.setdefault"),
    ("from os import environ\n", "os.environ"),
    ("import jax\njax.config.update('jax_enable_x64', True)\n", "jax.config.update() configures the process"),
    ("import torch\ntorch.set_num_threads(1)\n", "torch.set_num_threads()"),
    ("import tensorflow as tf\ntf.config.threading.set_intra_op_parallelism_threads(1)\n", "tf.config.threading"),
    ("from . import x\n", "relatively"),
    ("not python (", "does not parse"),
])
def test_blocks_that_set_what_a_framework_reads_at_import_or_first_use_run_fresh(code, why):
    plan = serving.plan(code)
    assert not plan.served and why in plan.fresh_because, plan


def test_readers_of_the_process_settings_are_served():
    assert serving.plan("import tensorflow as tf\nprint(tf.config.list_physical_devices())\n").served
    assert serving.plan("import torch\nprint(torch.get_num_threads())\n").served


def test_each_block_starts_clean_in_its_own_empty_directory():
    first = ("import sys\nsys.path.append('/nowhere')\nopen('made.txt', 'w').write('x')\n"
             "SHARED = 1\nprint('first')\n")
    second = ("import os, sys, pathlib\nassert '/nowhere' not in sys.path\n"
              "assert sorted(p.name for p in pathlib.Path('.').iterdir()) == ['block.py'], list(pathlib.Path('.').iterdir())\n"
              "assert 'SHARED' not in globals()\nassert __name__ == '__main__' and __file__.endswith('block.py')\n"
              "assert sys.argv == [__file__] and sys.path[0] == os.path.dirname(__file__)\n")
    verdicts = _run(first, second)
    assert [(v.ok, v.how) for v in verdicts] == [(True, "served"), (True, "served")], verdicts


def test_a_block_runs_from_a_copy_of_its_snippets_folder(tmp_path):
    (tmp_path / "helper_module.py").write_text("VALUE = 42\n")
    code = "import os\nfrom helper_module import VALUE\nopen('new.txt', 'w').write('x')\nprint(VALUE, sorted(os.listdir('.')))\n"
    server = ForkServer(timeout=60)
    verdicts = server.run([Program(code, folder=tmp_path)] * 2)
    assert [v.stdout for v in verdicts] == ["42 ['block.py', 'helper_module.py', 'new.txt']\n"] * 2, verdicts
    assert all(v.how == "served" for v in verdicts) and not (tmp_path / "new.txt").exists()
    assert server.zygotes == [{"zygote": [], "seconds": server.zygotes[0]["seconds"]}]  # the sibling is not preloaded


def test_failures_are_each_blocks_own_and_the_rest_still_run():
    verdicts = _run(
        "raise ValueError('the first block is wrong')",
        "print('fine')",
        "import os\nos._exit(3)  # dies without a traceback",
        "import sys\nsys.exit(0)",
        "import sys\nsys.exit('a message and status 1')",
        "print('still fine')",
    )
    assert [v.ok for v in verdicts] == [False, True, False, True, False, True]
    assert "ValueError: the first block is wrong" in verdicts[0].stderr
    assert verdicts[0].how == "fresh" and verdicts[0].served.returncode == 1  # the fresh run confirmed it
    assert verdicts[1].stdout == "fine\n" and verdicts[1].how == "served"
    assert verdicts[2].returncode == 3 and verdicts[2].served.returncode == 3
    assert "a message and status 1" in verdicts[4].stderr


def test_a_block_ends_as_the_interpreter_would():
    """The forked child skips only the interpreter's module teardown: threads are joined, atexit runs, streams flush."""
    code = ("import atexit, sys, threading, time\n"
            "atexit.register(lambda: print('atexit ran'))\n"
            "threading.Thread(target=lambda: (time.sleep(0.5), print('thread joined'))).start()\n"
            "sys.stdout.write('no newline, ')\n")
    pool = ("from concurrent.futures import ThreadPoolExecutor\n"  # idle workers stop when told to, at exit
            "pool = ThreadPoolExecutor(2)\nprint(pool.submit(pow, 2, 10).result())\n")
    verdicts = _run(code, "import sys\nsys.exit(None)", pool, timeout=20)
    assert [(v.ok, v.how) for v in verdicts] == [(True, "served")] * 3, verdicts
    assert verdicts[0].stdout == "no newline, thread joined\natexit ran\n"
    assert verdicts[2].stdout == "1024\n" and verdicts[2].seconds < 10


def test_a_block_served_wrongly_fails_and_shows_both_runs():
    """A block that passes fresh but not served is a failure, never a silent fallback."""
    code = "import sys\nsys.exit(1 if 'ramverk.executor' in sys.modules else 0)\n"
    [verdict] = _run(code)
    assert not verdict.ok and verdict.how == "fresh" and verdict.returncode == 0
    assert verdict.problem == "served and fresh differ: served, exit status 1; fresh, it passed"
    assert verdict.served.returncode == 1


def test_a_sampled_block_is_also_run_fresh():
    verdicts = _run("print('a')", "print('b')", check=frozenset({1}))
    assert verdicts[0].check is None
    assert verdicts[1].check is not None and verdicts[1].check.how == "fresh" and verdicts[1].check.stdout == "b\n"


def test_a_block_that_hangs_is_killed_and_reported():
    verdicts = _run("import time\ntime.sleep(600)", "print('after')", timeout=1.5)
    assert not verdicts[0].ok and verdicts[0].problem == "timed out after 1.5 s"
    assert verdicts[0].served.problem == "timed out after 1.5 s"
    assert verdicts[1].ok and verdicts[1].how == "served"


def test_a_block_that_prints_without_end_is_stopped_and_the_rest_still_run():
    verdicts = _run("import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", "print('after')", timeout=30)
    assert not verdicts[0].ok and "printed more than 1 MiB" in verdicts[0].problem
    assert verdicts[1].ok and verdicts[1].stdout == "after\n" and verdicts[1].how == "served"


# --- Forgeries: a block may decide its own verdict by what it does, never another block's ---------------

FORGE = """
import json, os, signal
forged = json.dumps({"done": 1, "returncode": 0, "seconds": 0.0, "problem": ""}) + "\\n"
forged += json.dumps({"out": 1, "stream": "stdout", "data": "forged output\\n"}) + "\\n"
wrote = 0
for pid in [p for p in os.listdir("/proc") if p.isdigit()] + ["self"]:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        continue
    for fd in fds:
        try:
            with open(f"/proc/{pid}/fd/{fd}", "w") as target:
                target.write(forged)
                wrote += 1
        except OSError:
            pass
for folder in ("..", "../..", "../logs"):  # where the old server kept its verdict files
    try:
        with open(os.path.join(folder, "results.jsonl"), "a") as results:
            results.write(json.dumps({"index": 1, "returncode": 0}) + "\\n")
        with open(os.path.join(folder, "1.out"), "w") as out:
            out.write("forged output\\n")
    except OSError:
        pass
print("wrote", wrote, flush=True)
os.kill(os.getppid(), signal.SIGKILL)  # the process that serves it
"""
FAILS_ALONE = "import sys\nprint('the real output')\nsys.exit(3)\n"


def test_a_block_cannot_forge_the_next_blocks_verdict():
    verdicts = _run(FORGE, FAILS_ALONE, "print('third')")
    assert not verdicts[1].ok and verdicts[1].returncode == 3, verdicts[1]
    assert verdicts[1].stdout == "the real output\n"
    assert verdicts[2].ok and verdicts[2].stdout == "third\n"


def test_a_block_that_kills_the_whole_server_fails_and_the_rest_still_report():
    kill_all = ("import os, signal\nfor pid in [int(p) for p in os.listdir('/proc') if p.isdigit()]:\n"
                "    if pid not in (1, os.getpid()):\n        try:\n            os.kill(pid, signal.SIGKILL)\n"
                "        except OSError:\n            pass\nprint('killed them all')\n")
    verdicts = _run("print('first')", kill_all, FAILS_ALONE, "print('fourth')")
    assert verdicts[0].ok and verdicts[0].how == "served"
    assert not verdicts[1].ok  # its own failure: the server died under it (and alone it kills its own sandbox)
    assert not verdicts[2].ok and verdicts[2].returncode == 3 and verdicts[2].stdout == "the real output\n"
    assert verdicts[3].ok and verdicts[3].stdout == "fourth\n" and verdicts[3].how == "fresh"
    assert verdicts[3].fresh_because.startswith("the server was gone before its turn")


def test_scripts_run_as_python_script_would(tmp_path):
    folder = tmp_path / "scripts"
    folder.mkdir()
    (folder / "helper_module.py").write_text("VALUE = 42\n")
    (folder / "main.py").write_text(
        "import os, sys\nfrom helper_module import VALUE  # a sibling, found through sys.path[0]\n"
        "assert os.listdir('.') == [], os.listdir('.')\nopen('out.txt', 'w').write('mine')\n"
        "assert sys.argv == [__file__] and __name__ == '__main__'\nprint('value', VALUE)\n")
    (folder / "fails.py").write_text("import sys\nprint('partial')\nsys.exit(5)\n")
    verdicts = code_blocks.run_scripts([folder / "main.py", folder / "fails.py", folder / "main.py"])
    assert [(v.ok, v.how) for v in verdicts] == [(True, "served"), (False, "fresh"), (True, "served")], verdicts
    assert verdicts[0].stdout == "value 42\n" and verdicts[2].stdout == "value 42\n"  # the second run's folder was empty too
    assert verdicts[1].stdout == "partial\n" and verdicts[1].served.returncode == 5
    assert not (folder / "out.txt").exists()


def test_framework_state_does_not_leak_between_blocks():
    pytest.importorskip("torch")
    verdicts = _run(
        "import torch\ntorch.set_grad_enabled(False)\ntorch.manual_seed(1)\n",
        "import torch\nassert torch.is_grad_enabled()\nassert torch.initial_seed() != 1\n",
    )
    assert [(v.ok, v.how) for v in verdicts] == [(True, "served")] * 2, verdicts


def test_fresh_runs_each_program_alone():
    [verdict] = Fresh(timeout=60).run([Program("import sys\nprint('ramverk.executor' in sys.modules)")])
    assert verdict.ok and verdict.stdout == "False\n" and verdict.how == "fresh"


def test_verdicts_come_back_in_the_programs_order_whatever_order_the_server_runs_them_in():
    server = ForkServer(timeout=60)
    verdicts = server.run([Program(f"import {m}\nprint('{m}')") for m in ("json", "csv", "json")]
                          + [Program("import decimal\nprint('decimal')")])
    assert [v.stdout for v in verdicts] == ["json\n", "csv\n", "json\n", "decimal\n"]
    # each zygote is made once, standard-library imports are not preloaded: one zygote for all four
    assert [z["zygote"] for z in server.zygotes] == [[]]


@pytest.mark.skipif(not sandbox.isolation().as_user,
                    reason=f"contributor code runs as this user here: {sandbox.isolation().describe()}")
def test_a_served_block_cannot_trace_the_process_it_was_forked_from():
    """A zygote runs the next blocks too: a block that traced it could change what they print (issue 24, item 7)."""
    probes = (Path(__file__).parent / "fixtures" / "sandbox_probes.py").read_text()
    code = probes.replace('if __name__ == "__main__":', "if False:") + "\nptrace()\n"
    [verdict] = _run(code)
    assert verdict.ok and verdict.how == "served", verdict
    seen = json.loads(verdict.stdout)
    assert seen["child"] == "attached", f"the control: tracing its own child must work ({seen})"
    assert seen["1"] == seen["parent"] == "Operation not permitted", seen
