"""The one Markdown scanner (ramverk/pages/scanner.py) against the build's own rendering.

Each tricky case is rendered with the site's Markdown settings (page_safety.render, what the strict
build renders before the theme) and the scanner must agree on what is code; headings must get the
ids the build gives them. The checks that read pages through the scanner (markers, wikilinks,
images, fences) are tried on the same cases.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ramverk.checks import page_safety
from ramverk.pages import fences, page_source, scanner, wikilinks
from ramverk.render import markers

ROOT = Path(__file__).resolve().parents[1]
WORD = "sentinelword"


def build_html(text: str) -> str:
    return page_safety.render("docs/x.en.md", text)


def build_shows_as_code(text: str) -> bool:
    """Whether the build puts WORD inside a <code> element (code content carries no tags here)."""
    html = build_html(text)
    assert WORD in html, html
    return re.search(rf"<code[^>]*>[^<]*{WORD}", html) is not None


def scanner_sees_code(text: str) -> bool:
    scan = scanner.scan(text)
    (line,) = [n for n, source in enumerate(scan.lines, start=1) if WORD in source]
    prose = dict(scan.prose())
    return line not in prose or WORD not in prose[line]


CASES = {
    "fence at top level": (f"Text.\n\n```python\n{WORD} = 1\n```\n", True),
    "~~~ fence": (f"~~~text\n{WORD}\n~~~\n", True),
    "fence indented four in a list item": (f"- item\n\n    ```python\n    {WORD} = 1\n    ```\n", True),
    "fence indented two under a list item": (f"- item\n\n  ```python\n  {WORD} = 1\n  ```\n", True),
    "fence indented four at top level (indented code)": (f"Text.\n\n    ```python\n    {WORD} = 1\n    ```\n", True),
    # CommonMark reads these lines as the paragraph going on; superfences takes the fence anyway.
    "indented fence right after a paragraph line": (f"Text.\n    ```python\n    {WORD} = 1\n    ```\n", True),
    "fence inside a === tab": (f'=== "PyTorch"\n\n    ```python\n    {WORD} = 1\n    ```\n', True),
    "fence inside ??? details": (f'??? success "Solution"\n\n    ```python\n    {WORD} = 1\n    ```\n', True),
    "fence in a tab in a list": (f'1. Step\n\n    === "A"\n\n        ```python\n        {WORD} = 1\n        ```\n', True),
    # A tab's body is content, not indented code (CommonMark alone would say code).
    "paragraph inside a === tab": (f'=== "PyTorch"\n\n    Text {WORD} here.\n', False),
    "paragraph inside !!! note": (f'!!! note "Note"\n\n    Text {WORD} here.\n', False),
    "indented code inside a tab": (f'=== "PyTorch"\n\n        {WORD} = 1\n', True),
    "fence in a blockquote": (f"> ```python\n> {WORD} = 1\n> ```\n", True),
    # The build shows an unclosed fence as text, and what follows it as Markdown.
    "unclosed fence": (f"Text.\n\n```python\n{WORD} = 1\n", False),
    "closing fence longer than the opening one": (f"```python\nx = 1\n`````\n{WORD}\n", False),
    "closing fence with an info string does not close": (f"```python\nx\n```python\n{WORD}\n```\n", True),
    "fence made of four backticks holding three": (f"````markdown\n```python\n{WORD}\n```\n````\n", True),
    "inline code with a backtick inside": (f"Run ``a ` {WORD}`` now.\n", True),
    "inline code over two lines": (f"Run `a\n{WORD}` now.\n", True),
    "unmatched backticks are text": (f"Three ``` then {WORD}.\n", False),
    "inline code in a table cell": (f"| a | b |\n| --- | --- |\n| `{WORD}` | c |\n", True),
}


@pytest.mark.parametrize("name", CASES)
def test_scanner_and_build_agree_on_what_is_code(name):
    text, code = CASES[name]
    assert build_shows_as_code(text) is code, "the case no longer shows what it claims"
    assert scanner_sees_code(text) is code


def test_code_blocks_have_their_fence_info_and_lines():
    text = '---\ntitle: T\n---\n\n=== "A"\n\n    ```python\n    x = 1\n    ```\n\n~~~text\nout\n~~~\n\n    indented\n'
    scan = scanner.scan(text)
    assert scan.code_blocks == (
        scanner.CodeBlock(7, 9, "```", "python"),
        scanner.CodeBlock(11, 13, "~~~", "text"),
        scanner.CodeBlock(15, 15, "", ""),
    )
    assert scan.meta == {"title": "T"} and scan.body_start == 5  # MkDocs drops the blank lines after it too
    assert not any(line <= 3 for line, _ in scan.prose())  # front matter is not prose


def test_text_without_front_matter_keeps_a_leading_key_value_line():
    text = "Note: this is text\n\n# Title\n"
    assert scanner.scan(text).meta == {"note": "this is text"}  # how MkDocs reads a file
    body = scanner.scan(text, front_matter=False)  # what MkDocs hands the hooks
    assert body.meta == {} and 1 in dict(body.prose())


def test_unclosed_fence_is_a_stray_fence_and_fences_reports_it():
    text = "Text.\n\n```python\nx = 1\n\n# Heading\n"
    scan = scanner.scan(text)
    assert scan.code_blocks == () and [b.start for b in scan.stray_fences] == [3]
    assert [h.text for h in scan.headings] == ["Heading"]  # the build renders it as a heading
    assert fences.lint("x.md", text) == [
        "x.md:3: fence opened but never closed (or a line in it is indented less than the fence), "
        "so the site shows it as text"]


def test_fence_lint_reads_fences_inside_tabs():
    text = '=== "A"\n\n    ```py\n    x = 1\n    ```\n'
    assert fences.lint("x.md", text) == ["x.md:3: fence 'py' is never run by pytest-codeblocks; write ```python"]


HEADINGS = """# Title

## `view` eller `reshape`

## An `nn.Module`: `__init__` and `forward`

## Vad är en ren funktion? {#pure-function}

## Dup

## Dup

Setext heading
--------------

#No space after the hash

=== "Tab"

    ### Inside a tab

```text
# not a heading
```
"""


def test_heading_ids_are_the_ids_the_build_gives():
    built = re.findall(r'<h([1-6]) id="([^"]+)"', build_html(HEADINGS))
    found = [(str(h.level), h.id) for h in scanner.scan(HEADINGS).headings]
    assert found == built
    assert ("2", "pure-function") in found and ("2", "dup_1") in found
    assert ("2", "an-nnmodule-__init__-and-forward") in found  # the old hand-copied slug dropped the '_'


def test_heading_text_has_no_markup_and_no_attribute_list():
    texts = [h.text for h in scanner.scan(HEADINGS).headings]
    assert texts[1:4] == ["view eller reshape", "An nn.Module: __init__ and forward", "Vad är en ren funktion?"]


@pytest.mark.parametrize("page", ["autodiff/pytorch-autograd.en.md", "faq.sv.md", "execution/overview.en.md",
                                  "hardware/tensors-and-memory.sv.md"])
def test_real_pages_headings_and_code_blocks_match_the_build(page):
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    html = build_html(page_source.expand(text, lenient=True))
    scan = scanner.scan(text)
    assert [h.id for h in scan.headings] == re.findall(r'<h[1-6][^>]* id="([^"]+)"', html)
    assert len(scan.code_blocks) == html.count("<pre")


def test_slug_is_the_toc_extensions():
    from markdown.extensions.toc import slugify

    for text in ["Översikt", "CPU, GPU och TPU", "Environment errors vs. math errors", "x_y: z"]:
        assert scanner.slug(text) == slugify(text, "-")


def test_links_and_images_with_their_lines():
    text = "Intro [a `b` link](page.md#part) and\n![Alt **bold**](<my image.png> \"t\")\n\n`![not](an-image.png)`\n"
    assert scanner.scan(text).links == (
        scanner.Link("link", "page.md#part", "a b link", 1),
        scanner.Link("image", "my image.png", "Alt bold", 2),
    )


def test_marker_comments_inside_code_are_left_alone():
    text = ("<!-- timing: snippets/a.py -->\n"
            "`<!-- timing: snippets/inline.py -->`\n\n"
            "    <!-- timing: snippets/indented.py -->\n\n"
            '=== "A"\n\n    ```text\n    <!-- timing: snippets/fenced.py -->\n    ```\n\n'
            "    <!-- timing: snippets/in-tab.py -->\n")
    found = [(index, marker.target) for index, _, marker in markers.find(text)]
    assert found == [(0, "snippets/a.py"), (11, "snippets/in-tab.py")]  # the last is the tab's text


def test_marker_line_numbers_count_the_front_matter():
    source = "---\nterms: [x]\n---\n\n<!-- timing: snippets/a.py -->\n"
    body = source.split("---\n", 2)[2].lstrip("\n")
    offset = scanner.front_matter_lines(source)
    (found,) = markers.find(body, "docs/x.en.md", front_matter=False, line_offset=offset)
    assert found[2].lineno == 5


def test_wikilinks_outside_code_only():
    targets = [wikilinks.Target("execution/overview", "en", "Execution models", frozenset({"the-whole-picture"}))]
    text = ("---\nrelated: '[[nowhere]]'\n---\n\nSee [[overview]], not `[[overview]]`.\n\n"
            '=== "A"\n\n    Tab text [[overview#the-whole-picture]].\n\n        [[nowhere]] in indented code\n')
    out = wikilinks.resolve(text, "about/x", "en", "docs/about/x.en.md", targets)
    assert "See [overview](../execution/overview.md), not `[[overview]]`." in out
    assert "Tab text [overview – the-whole-picture](../execution/overview.md#the-whole-picture)." in out
    assert "'[[nowhere]]'" in out and "    [[nowhere]] in indented code" in out


def test_images_are_checked_outside_code_only(tmp_path):
    (tmp_path / "here.png").write_bytes(b"png")
    text = ("![A plot](here.png)\n\n`![](gone-inline.png)`\n\n```markdown\n![](gone-fenced.png)\n```\n\n"
            '=== "A"\n\n    ![](gone-in-tab.png)\n\n![x][nothing]\n\n![ok][ref]\n\n[ref]: here.png\n')
    problems = page_safety.lint_images("x.md", tmp_path, text)
    assert not any("gone-inline" in p or "gone-fenced" in p for p in problems), problems
    assert any(p.startswith("x.md:11: image 'gone-in-tab.png' has no alt text") for p in problems), problems
    assert "x.md:13: image reference [nothing] is never defined" in problems
    assert not any("here.png" in p for p in problems), problems

