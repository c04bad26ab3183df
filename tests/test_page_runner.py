"""ramverk.checks.code_blocks.run_page: a page's blocks share one process's imports, never its state or verdicts."""

from __future__ import annotations

import subprocess

import pytest
from ramverk.checks import code_blocks


def _blocks(*codes: str) -> list[code_blocks.UniqueBlock]:
    return [code_blocks.UniqueBlock(code, (f"docs/t/page.en.md:{10 * (i + 1)}",)) for i, code in enumerate(codes)]


def test_blocks_are_grouped_by_their_first_page_in_the_readers_order():
    blocks = [code_blocks.UniqueBlock("b", ("docs/a.en.md:30", "docs/a.sv.md:31")),
              code_blocks.UniqueBlock("a", ("docs/a.en.md:4",)),
              code_blocks.UniqueBlock("c", ("docs/b.en.md:9", "docs/a.en.md:50"))]
    groups = code_blocks.by_page(blocks)
    assert list(groups) == ["docs/a.en.md", "docs/b.en.md"]
    assert [b.code for b in groups["docs/a.en.md"]] == ["a", "b"]
    assert blocks[0].test_id == "a.en.md:30" and blocks[0].line == 30


def test_preloads_are_the_third_party_packages_in_order_of_first_import():
    codes = ["import os\nimport numpy as np\nfrom torch import nn", "import jax.numpy as jnp\nimport numpy\n",
             "from . import sibling\nnot python (", "def f():\n    import tensorflow as tf\n"]
    assert code_blocks.preloads(codes) == ["numpy", "torch", "jax", "tensorflow"]


def test_each_block_starts_clean_in_its_own_empty_directory():
    first = ("import os, sys\nos.environ['LEAKED'] = '1'\nsys.path.append('/nowhere')\nopen('made.txt', 'w').write('x')\n"
             "SHARED = 1\nprint('first')\n")
    second = ("import os, sys, pathlib\nassert 'LEAKED' not in os.environ\nassert '/nowhere' not in sys.path\n"
              "assert sorted(p.name for p in pathlib.Path('.').iterdir()) == ['block.py'], list(pathlib.Path('.').iterdir())\n"
              "assert 'SHARED' not in globals()\nassert __name__ == '__main__' and __file__.endswith('block.py')\n"
              "assert sys.argv == [__file__] and sys.path[0] == os.path.dirname(__file__)\n")
    outcomes = code_blocks.run_page(_blocks(first, second), fresh=_no_fresh_run)
    assert [(o.ok, o.how) for o in outcomes] == [(True, "forked"), (True, "forked")], outcomes


def _no_fresh_run(code):
    raise AssertionError(f"a block that passed in the page's process was run again:\n{code}")


def test_failures_are_each_blocks_own_and_the_rest_still_run():
    outcomes = code_blocks.run_page(_blocks(
        "raise ValueError('the first block is wrong')",
        "print('fine')",
        "import os\nos._exit(3)  # dies without a traceback",
        "import sys\nsys.exit(0)",
        "import sys\nsys.exit('a message and status 1')",
        "print('still fine')",
    ))
    assert [o.ok for o in outcomes] == [False, True, False, True, False, True]
    assert "ValueError: the first block is wrong" in outcomes[0].stderr
    assert outcomes[0].how == "fresh" and outcomes[0].forked_failure.startswith("exit 1")
    assert outcomes[1].stdout == "fine\n"
    assert outcomes[2].forked_failure.startswith("exit 3")
    assert "a message and status 1" in outcomes[4].stderr


def test_a_block_ends_as_the_interpreter_would():
    """The forked child skips only the interpreter's module teardown: threads are joined, atexit runs, streams flush."""
    code = ("import atexit, sys, threading, time\n"
            "atexit.register(lambda: print('atexit ran'))\n"
            "threading.Thread(target=lambda: (time.sleep(0.5), print('thread joined'))).start()\n"
            "sys.stdout.write('no newline, ')\n")
    pool = ("from concurrent.futures import ThreadPoolExecutor\n"  # idle workers stop when told to, at exit
            "pool = ThreadPoolExecutor(2)\nprint(pool.submit(pow, 2, 10).result())\n")
    outcomes = code_blocks.run_page(_blocks(code, "import sys\nsys.exit(None)", pool), timeout=20, fresh=_no_fresh_run)
    assert [(o.ok, o.how) for o in outcomes] == [(True, "forked")] * 3, outcomes
    assert outcomes[0].stdout == "no newline, thread joined\natexit ran\n"
    assert outcomes[2].stdout == "1024\n" and outcomes[2].seconds < 10


def test_the_fresh_process_has_the_last_word():
    """A block the page's process fails is judged again on its own, and that verdict is reported."""
    judged = []

    def judge(code):
        judged.append(code)
        return subprocess.CompletedProcess(["python"], 0, "", "")

    outcomes = code_blocks.run_page(_blocks("print(1)", "import sys\nsys.exit(4)"), fresh=judge)
    assert judged == ["import sys\nsys.exit(4)"]
    assert outcomes[1].ok and outcomes[1].how == "fresh" and outcomes[1].forked_failure.startswith("exit 4")


def test_a_block_that_hangs_is_killed_and_reported():
    outcomes = code_blocks.run_page(_blocks("import time\ntime.sleep(600)", "print('after')"), timeout=1.5)
    assert not outcomes[0].ok and "timed out after 1.5 s" in outcomes[0].stderr
    assert outcomes[0].forked_failure.startswith("timed out")
    assert outcomes[1].ok and outcomes[1].how == "forked"


def test_framework_settings_do_not_leak_between_blocks():
    pytest.importorskip("torch")
    outcomes = code_blocks.run_page(_blocks(
        "import torch\ntorch.set_default_dtype(torch.float64)\ntorch.set_grad_enabled(False)\ntorch.manual_seed(1)\n",
        "import torch\nassert torch.get_default_dtype() == torch.float32\nassert torch.is_grad_enabled()\n"
        "assert torch.initial_seed() != 1\n",
    ), fresh=_no_fresh_run)
    assert all(o.ok for o in outcomes), outcomes


def test_scripts_run_as_python_script_would(tmp_path):
    folder = tmp_path / "scripts"
    folder.mkdir()
    (folder / "helper_module.py").write_text("VALUE = 42\n")
    (folder / "main.py").write_text(
        "import os, sys\nfrom helper_module import VALUE  # a sibling, found through sys.path[0]\n"
        "assert os.listdir('.') == [], os.listdir('.')\nopen('out.txt', 'w').write('mine')\n"
        "assert sys.argv == [__file__] and __name__ == '__main__'\nprint('value', VALUE)\n")
    (folder / "fails.py").write_text("import sys\nprint('partial')\nsys.exit(5)\n")
    outcomes = code_blocks.run_scripts([folder / "main.py", folder / "fails.py", folder / "main.py"])
    assert [(o.ok, o.how) for o in outcomes] == [(True, "forked"), (False, "fresh"), (True, "forked")], outcomes
    assert outcomes[0].stdout == "value 42\n" and outcomes[2].stdout == "value 42\n"  # the second run's folder was empty too
    assert outcomes[1].stdout == "partial\n" and outcomes[1].forked_failure.startswith("exit 5")
    assert not (folder / "out.txt").exists()
