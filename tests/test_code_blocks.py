"""Every python code block a reader can see runs, after snippet expansion, each in a fresh process."""

from __future__ import annotations

import html
import re

import pytest

from ramverk import code_blocks

BLOCKS = code_blocks.unique_blocks()


@pytest.mark.parametrize("block", BLOCKS, ids=[b.test_id for b in BLOCKS])
def test_code_block(block):
    proc = code_blocks.run_python(block.code)
    if proc.returncode != 0:
        pytest.fail(
            f"code block failed (shown at {', '.join(block.pages)}):\n{proc.stderr[-3000:]}", pytrace=False
        )


PY_BLOCK = re.compile(r'<div class="language-python highlight"><pre[^>]*>(?:<span></span>)?<code>(.*?)</code></pre>', re.S)
LINE_ANCHOR = re.compile(r'<a id="__codelineno-[^"]*" name="[^"]*" href="[^"]*"></a>')


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", LINE_ANCHOR.sub("", fragment)))


def _normalise(code: str) -> str:
    """Compare code, not layout: Markdown drops blank lines inside indented blocks (tabs, `???`)."""
    return "\n".join(line.rstrip() for line in code.strip().splitlines() if line.strip())


def test_every_python_block_in_the_built_site_is_verified(built_site):
    """The site shows no python block that the test above does not run."""
    verified = {_normalise(b.code) for b in BLOCKS}
    shown = []
    for page in sorted(built_site.rglob("*.html")):
        shown += [(page.relative_to(built_site), _normalise(_text(m))) for m in PY_BLOCK.findall(page.read_text())]
    unverified = [f"{where}: {code.splitlines()[0] if code else '(empty)'}" for where, code in shown if code not in verified]
    assert shown, "no python blocks found in the built site: the HTML pattern is out of date"
    assert not unverified, "python blocks in the site that no test ran:\n" + "\n".join(unverified)
    print(f"\n{len(shown)} python blocks in the built site, all among the {len(verified)} verified unique blocks")


# ```bash blocks that pass the shell-block check (ramverk/shell_blocks.py) run too, each in an empty
# temporary directory under the same sandbox; ```console blocks are display-only.
SHELL_BLOCKS = code_blocks.shell_blocks()


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=[b.test_id for b in SHELL_BLOCKS])
def test_shell_block(block):
    from ramverk import shell_blocks

    problems = shell_blocks.lint_bash(block.code)
    assert not problems, f"shell block at {', '.join(block.pages)} breaks the policy: {problems}"
    proc = code_blocks.run_bash(block.code)
    if proc.returncode != 0:
        pytest.fail(f"shell block failed (shown at {', '.join(block.pages)}):\n{proc.stderr[-3000:]}", pytrace=False)
