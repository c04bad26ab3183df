"""Every python code block a reader can see runs as the reader runs it, and prints what the page shows.

The pages are dealt into a few batches. A batch's blocks go to one fork server (ramverk.executor:
ramverk.checks.code_blocks.run_page), which serves each block from a process that has run only that
block's own leading imports, where ramverk.executor.serving says that gives what a fresh interpreter
gives, and runs every other block in a fresh interpreter of its own. A served block that fails is run
fresh too; if that passes, the block fails all the same (served and fresh differ). Each run also runs a
rotating sample of served blocks fresh and compares the two outputs. Each block is its own test, named by
page and line; the batch's run happens once per session, on the first of its tests.
"""

from __future__ import annotations

import datetime
import functools
import html
import os
import re

import helpers
import pytest
from ramverk.checks import code_blocks
from ramverk.executor import serving
from ramverk.render import output_blocks

BLOCKS = code_blocks.unique_blocks()
PAGES = code_blocks.by_page(BLOCKS)
SHOWN_OUTPUT = output_blocks.expected_by_code()  # code -> where its output is shown, and what


# A process per batch, not per page: the framework imports (about 4 s) are paid a few times, not
# once per page. The slowest pages each lead a batch, so the batches take similar times.
SLOWEST = ("docs/execution/torch-compile.en.md", "docs/execution/fusion.en.md",
           "docs/execution/launch-overhead.en.md", "docs/execution/mnist-experiment.en.md")
BATCHES = helpers.batches(list(PAGES), SLOWEST, len(SLOWEST), "pages")
BATCH_OF = {page: batch for batch, pages in BATCHES.items() for page in pages}

# The rotating sample: served blocks that also run fresh in this test run, spread over the pages. It moves
# on by one block a day, so every served block is sampled within len(SERVED) / SAMPLE_SIZE days;
# RAMVERK_FRESH_SAMPLE=N picks day N's sample (to reproduce one).
SAMPLE_SIZE = 4
SERVED = sorted(b.test_id for b in BLOCKS if serving.plan(b.code).served)
DAY = int(os.environ.get("RAMVERK_FRESH_SAMPLE") or datetime.date.today().toordinal())
SAMPLE = {SERVED[(DAY + j * len(SERVED) // SAMPLE_SIZE) % len(SERVED)] for j in range(min(SAMPLE_SIZE, len(SERVED)))}


@functools.cache
def _batch_verdicts(batch: str) -> dict[str, code_blocks.Verdict]:
    blocks = [block for page in BATCHES[batch] for block in PAGES[page]]
    check = frozenset(i for i, b in enumerate(blocks) if b.test_id in SAMPLE)
    verdicts, _server = code_blocks.run_page(blocks, check=check)
    return {b.test_id: verdict for b, verdict in zip(blocks, verdicts, strict=True)}


def _mask(block) -> str | None:
    expected = SHOWN_OUTPUT.get(output_blocks.code_key(block.code))
    return expected.mask if expected else None


# One xdist group per batch: with `--dist loadgroup` (scripts/test.sh) a batch's blocks go to one
# worker, so its server runs once. The timeout covers the batch's whole run, paid by its first test.
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("block", [pytest.param(b, id=b.test_id, marks=pytest.mark.xdist_group(BATCH_OF[page]))
                                   for page, group in PAGES.items() for b in group])
def test_code_block(block, record_property):
    verdict = _batch_verdicts(BATCH_OF[block.page])[block.test_id]
    record_property("run_seconds", verdict.seconds)
    record_property("ran", verdict.how)
    if not verdict.ok:
        served = (f"\nserved run ({verdict.served.failure()}), stdout:\n{verdict.served.stdout[-1500:]}\nstderr:\n"
                  f"{verdict.served.stderr[-1500:]}" if verdict.served else "")
        pytest.fail(f"code block failed (shown at {', '.join(block.pages)}): {verdict.failure()}\n"
                    f"{verdict.stderr[-3000:]}{served}", pytrace=False)
    if verdict.check is not None:
        fresh = verdict.check
        assert fresh.ok, (f"{block.test_id}: passed served, but fails in a fresh interpreter ({fresh.failure()}):\n"
                          f"{fresh.stderr[-3000:]}")
        expected = SHOWN_OUTPUT.get(output_blocks.code_key(block.code))
        varies = expected is not None and expected.stdout is None  # VARIES frees all of it: both ran, that is all
        served_out, fresh_out = (output_blocks.comparable(v.stdout, _mask(block)) for v in (verdict, fresh))
        assert varies or served_out == fresh_out, (f"{block.test_id}: served and fresh runs print different things "
                                         f"(ramverk.executor.serving should not have served it)\nserved:\n"
                                         f"{verdict.stdout}\nfresh:\n{fresh.stdout}")
        record_property("sample_compared", block.test_id)
    expected = SHOWN_OUTPUT.get(output_blocks.code_key(block.code))
    if expected and expected.stdout is None:
        assert verdict.stdout.strip(), f"{expected.where}: the block printed nothing, but the page shows an output"
    elif expected:
        now, shown = (output_blocks.comparable(out, expected.mask) for out in (verdict.stdout, expected.stdout))
        assert now == shown, (
            f"{expected.where}: the block's output differs from the one the page shows (outputs/blocks/: what it "
            f"prints run alone); if the change is right, run `python -m ramverk outputs`, or declare the section in "
            f"ramverk/render/output_blocks.py VARIES.\nshown:\n{expected.stdout}\nnow ({verdict.how}):\n"
            f"{verdict.stdout}")
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
