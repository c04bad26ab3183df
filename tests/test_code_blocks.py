"""Every python code block a reader can see runs, after snippet expansion, each as its own program.

The pages are dealt into a few batches. A batch's blocks run page by page, each page in the reader's
order, in one sandboxed process that imports their packages once and forks a child per block
(ramverk.checks.code_blocks.run_page): every block still starts from a clean state in its own empty
directory, and any block that does not pass there is run again in a fresh interpreter of its own,
whose verdict is the one reported. Each block is its own test, named by page and line; the batch's
run happens once per session, on the first of its tests.
"""

from __future__ import annotations

import functools
import html
import re

import helpers
import pytest
from ramverk.checks import code_blocks
from ramverk.render import output_blocks

BLOCKS = code_blocks.unique_blocks()
PAGES = code_blocks.by_page(BLOCKS)
SHOWN_OUTPUT = output_blocks.expected_by_code()  # code -> where its output is shown, and what


# A process per batch, not per page: the framework imports (about 4 s) are paid four times, not
# once per page. The slowest pages each lead a batch, so the batches take similar times.
SLOWEST = ("docs/execution/torch-compile.en.md", "docs/execution/fusion.en.md",
           "docs/execution/launch-overhead.en.md", "docs/execution/mnist-experiment.en.md")
BATCHES = helpers.batches(list(PAGES), SLOWEST, len(SLOWEST), "pages")
BATCH_OF = {page: batch for batch, pages in BATCHES.items() for page in pages}


@functools.cache
def _batch_outcomes(batch: str) -> dict[str, code_blocks.BlockOutcome]:
    blocks = [block for page in BATCHES[batch] for block in PAGES[page]]
    return {b.test_id: outcome for b, outcome in zip(blocks, code_blocks.run_page(blocks), strict=True)}


# One xdist group per batch: with `--dist loadgroup` (scripts/test.sh) a batch's blocks go to one
# worker, so its process runs once. The timeout covers the batch's whole run, paid by its first test.
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("block", [pytest.param(b, id=b.test_id, marks=pytest.mark.xdist_group(BATCH_OF[page]))
                                   for page, group in PAGES.items() for b in group])
def test_code_block(block, record_property):
    outcome = _batch_outcomes(BATCH_OF[block.page])[block.test_id]
    record_property("run_seconds", outcome.seconds)
    if not outcome.ok:
        pytest.fail(
            f"code block failed (shown at {', '.join(block.pages)}):\n{outcome.stderr}", pytrace=False
        )
    if outcome.forked_failure:  # passed on its own but not in the batch's process: worth a look, not a failure
        print(f"\n{block.test_id}: passed in a fresh process; in the batch's process: {outcome.forked_failure[:500]}")
    expected = SHOWN_OUTPUT.get(output_blocks.code_key(block.code))
    if expected and expected.stdout is None:
        assert outcome.stdout.strip(), f"{expected.where}: the block printed nothing, but the page shows an output"
    elif expected:
        now, shown = (output_blocks.comparable(out, expected.mask) for out in (outcome.stdout, expected.stdout))
        assert now == shown, (
            f"{expected.where}: the block's output differs from the one the page shows (from outputs/); if the "
            f"change is right, run `python -m ramverk outputs --refresh`, or declare the section in "
            f"ramverk/render/output_blocks.py VARIES.\nshown:\n{expected.stdout}\nnow:\n{outcome.stdout}")
        record_property("output_verified", expected.where)  # counted at the end of the run (conftest.py)


def test_every_shown_output_belongs_to_a_verified_block():
    codes = {output_blocks.code_key(b.code) for b in BLOCKS}
    orphans = [expected.where for code, expected in SHOWN_OUTPUT.items() if code not in codes]
    assert not orphans, f"output blocks under code the tests do not run: {orphans}"


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


# ```bash blocks that pass the shell-block check (ramverk/pages/shell_blocks.py) run too, each in an empty
# temporary directory under the same sandbox; ```console blocks are display-only.
SHELL_BLOCKS = code_blocks.shell_blocks()


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=[b.test_id for b in SHELL_BLOCKS])
def test_shell_block(block):
    from ramverk.pages import shell_blocks

    problems = shell_blocks.lint_bash(block.code)
    assert not problems, f"shell block at {', '.join(block.pages)} breaks the policy: {problems}"
    proc = code_blocks.run_bash(block.code)
    if proc.returncode != 0:
        pytest.fail(f"shell block failed (shown at {', '.join(block.pages)}):\n{proc.stderr[-3000:]}", pytrace=False)
