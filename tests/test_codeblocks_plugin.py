"""`pytest --codeblocks docs/<page>.md` with ramverk.checks.pytest_codeblocks_includes: includes expanded as the
build expands them, each block run as tests/test_code_blocks.py runs it, tests named by source line.

Each test runs pytest in a subprocess on a tiny checkout in a temporary directory (a mkdocs.yml, one
page, one snippet), so it needs no framework and takes a few seconds.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

MKDOCS_YML = """\
site_name: t
docs_dir: docs
plugins:
  - i18n:
      docs_structure: suffix
      languages:
        - locale: en
          name: English
          default: true
markdown_extensions:
  - pymdownx.snippets:
      base_path: ["."]
      check_paths: true
      restrict_base_path: true
      dedent_subsections: true
"""
PYPROJECT = "[tool.ramverk.runner]\nmemory_limit_gib = 4\n"
SNIPPET = """\
# --8<-- [start:ok]
greeting = "ok"
suffix = " from the snippet"
print(greeting + suffix)
# --8<-- [end:ok]

# --8<-- [start:bad]
raise ValueError("boom from the snippet")
# --8<-- [end:bad]
"""
# The python fences open on lines 5 and 15 of the source and the bash fence on line 19; the first
# include adds two lines, so in the expanded text the later fences open on lines 17 and 21.
PAGE = """\
# A page

Text.

```python
--8<-- "snippets/t/s.py:ok"
```

<!-- pytest-codeblocks:expected-output -->

```text
ok from the snippet
```

```python
--8<-- "snippets/t/s.py:bad"
```

```bash
echo hello > out.txt
cat out.txt
```
"""


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML)
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "snippets" / "t").mkdir(parents=True)
    (tmp_path / "snippets" / "t" / "s.py").write_text(SNIPPET)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.en.md").write_text(PAGE)
    return tmp_path


def pytest_codeblocks(checkout: Path, *args: str, plugin: bool = True) -> subprocess.CompletedProcess:
    options = ["-p", "ramverk.checks.pytest_codeblocks_includes"] if plugin else []
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-rA",
                           *options, "--codeblocks", *args], cwd=checkout, capture_output=True, text=True, timeout=300)


def test_includes_are_expanded_and_each_block_is_named_by_its_source_line(checkout):
    proc = pytest_codeblocks(checkout, "docs/page.en.md")
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "PASSED docs/page.en.md::line 5" in out
    assert "FAILED docs/page.en.md::line 15" in out
    assert "PASSED docs/page.en.md::line 19" in out  # the bash block, run under the shell-block policy
    assert "docs/page.en.md:15: the python block failed" in out and "ValueError: boom from the snippet" in out
    assert "bad operand type for unary -" not in out
    assert "1 failed, 2 passed" in out


def test_without_the_plugin_the_include_line_itself_runs(checkout):
    """What the plugin fixes: pytest-codeblocks alone executes `--8<-- "..."` as Python."""
    proc = pytest_codeblocks(checkout, "docs/page.en.md", plugin=False)
    assert proc.returncode == 1
    assert "bad operand type for unary -: 'str'" in proc.stdout


def test_a_wrong_expected_output_fails_with_both_texts(checkout):
    page = checkout / "docs" / "page.en.md"
    page.write_text(PAGE.replace("ok from the snippet\n```", "something else\n```"))
    proc = pytest_codeblocks(checkout, "docs/page.en.md::line 5")
    assert proc.returncode == 1
    assert "docs/page.en.md:5: expected output\nsomething else" in proc.stdout
    assert "but it printed\nok from the snippet" in proc.stdout


def test_a_missing_include_is_a_collection_error_naming_page_and_line(checkout):
    page = checkout / "docs" / "page.en.md"
    page.write_text(PAGE.replace("snippets/t/s.py:bad", "snippets/t/missing.py"))
    proc = pytest_codeblocks(checkout, "docs/page.en.md")
    assert proc.returncode != 0
    assert "docs/page.en.md:16:" in proc.stdout and "missing.py" in proc.stdout


def test_a_shell_block_outside_the_policy_fails_without_running(checkout):
    page = checkout / "docs" / "page.en.md"
    page.write_text(PAGE.replace("echo hello > out.txt", "curl https://example.invalid > out.txt"))
    proc = pytest_codeblocks(checkout, "docs/page.en.md::line 19")
    assert proc.returncode == 1
    assert "docs/page.en.md:19: the shell block breaks the policy" in proc.stdout and "curl" in proc.stdout


def test_markdown_outside_the_docs_folder_stays_with_pytest_codeblocks(checkout):
    (checkout / "README.md").write_text(textwrap.dedent("""\
        # Readme

        ```python
        print("plain block")
        ```
        """))
    proc = pytest_codeblocks(checkout, "README.md")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASSED README.md::line 3" in proc.stdout


def test_a_block_in_a_framework_tab_is_named_after_the_tab():
    """`...::PyTorch tab, line 45` says which tab failed; a block outside tabs keeps `line N`."""
    from ramverk.checks.pytest_codeblocks_includes import block_name

    text = ('Intro\n\n```python\nprint(1)\n```\n\n=== "PyTorch"\n\n    Some text.\n\n    ```python\n    x = 1\n'
            '    ```\n\n=== "JAX"\n\n    ```python\n    y = 2\n    ```\n\nAfter the tabs:\n\n```python\nz = 3\n```\n')
    fences = [i + 1 for i, line in enumerate(text.splitlines()) if line.strip() == "```python"]
    assert [block_name(text, line) for line in fences] == [
        "line 3", "PyTorch tab, line 11", "JAX tab, line 17", "line 23"]
