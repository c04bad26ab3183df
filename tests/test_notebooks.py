"""Each page's snippets as notebook pages (ramverk/render/notebooks.py, hooks/notebooks.py, mkdocs-jupyter).

The built site has, for every page that includes a snippet, a notebook page in both languages with
the cells rendered as HTML (not the notebook's JSON), the outputs recorded at build time, no
outside requests, and a downloadable .ipynb that nbformat validates.
"""

from __future__ import annotations

import html
import json
import re

import helpers
import nbformat
import pytest
from ramverk.contract import page_text
from ramverk.render import marker_handlers, markers, notebooks, values
from ramverk.results import outputs_store, results_view

pytestmark = pytest.mark.slow

NOTEBOOKS = notebooks.all_notebooks()


def _html(site, nb):
    prefix = "" if nb.lang == "sv" else "en/"
    return (site / f"{prefix}notebooks/{nb.stem}/{nb.name}/index.html").read_text(encoding="utf-8")


def _download(site, nb):
    prefix = "" if nb.lang == "sv" else "en/"
    return site / f"{prefix}{nb.download_uri}"


def test_every_page_with_snippets_has_notebooks_in_both_languages():
    langs = {(nb.stem, nb.snippet): set() for nb in NOTEBOOKS}
    for nb in NOTEBOOKS:
        langs[(nb.stem, nb.snippet)].add(nb.lang)
    assert len(langs) > 20
    assert all(found == {"sv", "en"} for found in langs.values()), langs


def test_a_notebook_has_its_own_title_the_page_prose_and_the_sections_as_displayed():
    nb = next(n for n in NOTEBOOKS if n.page == "execution/overview.en.md" and n.name == "same_math")
    assert nb.heading == "same_math — Execution models"
    assert nb.cells[0].kind == "markdown" and nb.cells[0].source.startswith("Every deep-learning framework")
    code = [c for c in nb.cells if c.kind == "code"]
    assert [c.section for c in code] == ["python", "torch", "tensorflow", "jax"]
    text = "\n".join(c.source for c in nb.cells)
    assert "--8<--" not in text and "BENCHMARK" not in text and "def build(" not in text
    assert "Pick a framework in the tabs" not in text  # only true on the web page
    assert "$x$" in text  # TeX as Jupyter writes it


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda nb: f"{nb.lang}:{nb.stem}:{nb.name}")
def test_the_notebook_page_shows_cells_and_outputs_not_json(built_site, nb):
    page = _html(built_site, nb)
    assert '"cell_type"' not in page and '"nbformat"' not in page, "the notebook was published as raw JSON"
    body = page.split('<div class="jupyter-wrapper">', 1)
    assert len(body) == 2, "mkdocs-jupyter's notebook markup is missing"
    body[1] = body[1].split("</article>", 1)[0]  # the notebook, not the theme's page around it
    document = nbformat.read(_download(built_site, nb), as_version=4)
    code_cells = [c for c in document.cells if c.cell_type == "code"]
    # One rendered cell per notebook cell (mkdocs-jupyter wraps each code cell in a second jp-CodeCell div),
    # its id one that the theme's copy button can build a CSS selector from (not nbconvert's "cell-id=cell-4").
    assert len(re.findall(r'jp-CodeCell jp-Notebook-cell[^"]*" id="cell-\d+"', body[1])) == len(code_cells)
    assert (len(re.findall(r'jp-MarkdownCell jp-Notebook-cell[^"]*" id="cell-\d+"', body[1]))
            == len(document.cells) - len(code_cells))
    # Each code cell once, as the theme's code block (its colours, font and copy button); not a second time
    # as mkdocs-jupyter's plain-text copy, which without its CSS showed as a run-on paragraph.
    assert len(re.findall(r'<div class="language-python highlight"><pre><span></span><code>', body[1])) \
        == len(code_cells)
    assert "clipboard-copy-txt" not in body[1]
    # The page is titled for its notebook: a page's notebooks each have their own title.
    assert f"<title>{html.escape(nb.heading, quote=False)} - Ramverk</title>" in page
    assert re.search(rf"<h1 [^>]*>{re.escape(html.escape(nb.heading, quote=False))}<", body[1])
    for cell in code_cells:
        for output in cell.outputs:
            if output.output_type == "stream" and output.text.strip():
                first = output.text.strip().splitlines()[0]
                # the output is plain text (it may hold "<snippets/…>"): only its spacing is squashed
                assert re.sub(r"\s+", " ", first) in _visible(body[1]), f"output {first!r} is not on the page"
    # The page's title and the note on outputs, in the page's language.
    assert page_text.t(nb.lang, "notebook_outputs_note").split(":")[0] in _visible(body[1])
    # No outside requests: no script or stylesheet of mkdocs-jupyter's template, no MathJax, no CDN.
    assert not re.search(r"<(script|style|link)\b", body[1])
    assert not re.search(r'(src|href)="(https?:)?//', page.split("<body", 1)[1].split("</article>", 1)[0]
                         .replace('href="https://', 'href="x:'))  # outbound links are fine, loads are not
    assert "mathjax" not in page.lower() and "require.js" not in page.lower()
    assert f'href="{nb.name}.ipynb"' in page  # the download, beside the page


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda nb: f"{nb.lang}:{nb.stem}:{nb.name}")
def test_the_download_is_a_valid_notebook_in_the_page_language(built_site, nb):
    path = _download(built_site, nb)
    document = nbformat.read(path, as_version=4)
    nbformat.validate(document)
    assert document.cells[0].cell_type == "markdown"
    assert document.cells[0].source.startswith(f"# {nb.heading}\n")
    assert page_text.t(nb.lang, "notebook_outputs_note") in document.cells[0].source
    assert json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]["language"] == "python"


def test_same_math_outputs_are_the_real_ones_in_both_languages(built_site):
    for nb in (n for n in NOTEBOOKS if n.page.startswith("execution/overview.") and n.name == "same_math"):
        assert "plain Python: 0.9866" in _visible(_html(built_site, nb))


def test_pages_link_their_notebook_pages(built_site):
    for prefix in ("", "en/"):
        page = (built_site / f"{prefix}execution/overview/index.html").read_text(encoding="utf-8")
        assert 'href="../../notebooks/execution/overview/same_math/"' in page or \
            'href="../notebooks/execution/overview/same_math/"' in page
        assert "same_math/same_math.ipynb" in page


def test_search_finds_the_page_and_not_its_notebook_copy(built_site):
    for prefix in ("", "en/"):
        index = json.loads((built_site / prefix / "search" / "search_index.json").read_text())
        locations = [d["location"] for d in index["docs"]]
        assert "execution/overview/" in locations
        assert not [loc for loc in locations if loc.startswith("notebooks/")], "notebook pages are in the search index"
    assert NOTEBOOKS and all(_download(built_site, nb).with_name("index.html").is_file() for nb in NOTEBOOKS)


def _visible(html: str) -> str:
    import html as html_lib

    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", html)))


def test_a_build_runs_no_snippet_it_says_what_is_not_captured_yet(tmp_path, monkeypatch):
    """Without outputs/<key>.json the notebook gets a note, not a run: builds stay fast and code runs
    only through `python -m ramverk outputs`."""
    from ramverk.render import marker_handlers, markers, notebooks, values

    monkeypatch.setattr(outputs_store, "outputs_dir", lambda: tmp_path)
    snippet = tmp_path / "boom.py"
    snippet.write_text('# --8<-- [start:a]\nraise SystemExit("this must not run in a build")\n# --8<-- [end:a]\n')
    outputs = notebooks.execute(snippet, ("a",))
    assert outputs["a"].not_run == outputs_store.NOT_CAPTURED and not list(tmp_path.glob("*.json"))


@pytest.mark.parametrize("lang, prefix", [("sv", ""), ("en", "en/")])
def test_the_built_page_shows_what_each_section_prints_under_its_code(built_site, lang, prefix):
    import html as html_lib

    from ramverk.render import output_blocks

    source = (helpers.ROOT / "docs" / "execution" / f"overview.{lang}.md").read_text(encoding="utf-8")
    shown = output_blocks.shown_outputs(source, f"execution/overview.{lang}.md", lang)
    assert shown, "the overview page shows snippet sections; each should have its output"
    page = (built_site / prefix / "execution" / "overview" / "index.html").read_text(encoding="utf-8")
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", page))
    assert text.count(page_text.t(lang, "output")) >= len(shown)
    for block in shown:
        for line in block.stdout.splitlines():
            assert line.strip() in text, f"{line!r} of {block.targets} is not on the built page"


def test_no_marker_is_left_as_a_comment_in_a_notebook():
    """Jupyter's Markdown drops a comment's value and, at a line that starts with `<!--`, ends the paragraph
    and shows the rest of the line raw: the notebook's prose has the values and claims as the page shows them."""
    left = [f"{nb.lang}:{nb.stem}:{nb.name}: {m[0]}" for nb in NOTEBOOKS for cell in notebooks.notebook(nb)["cells"]
            if cell["cell_type"] == "markdown" for m in markers.MARKER.finditer(cell["source"])]
    assert not left, left[:10]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_notebook_intro_shows_the_values_of_the_page_intro(built_site, lang):
    nb = next(n for n in NOTEBOOKS if n.page == f"execution/profiling.{lang}.md" and n.name == "profiling")
    marker = markers.Marker("value", "snippets/execution/profiling.py", {"expr": "hidden"}, lang=lang)
    hidden = re.sub(r"<[^>]+>", "", values.value(marker))
    page = _html(built_site, nb)
    intro = page[page.index("jp-RenderedMarkdown"):]
    intro = html.unescape(re.sub(r"<[^>]+>", "", intro[:intro.index("</div>")]))
    assert f"784-{hidden}-10" in intro, intro[:600]
    assert "<!--" not in intro and "**" not in intro  # a paragraph, not a broken HTML block


def test_a_notebook_written_again_in_one_process_shows_changed_results(monkeypatch):
    """`serve` writes the notebooks again in one process: their cache keys by the results' version too, as
    their prose shows values and claims."""
    nb = next(n for n in NOTEBOOKS if n.page == "execution/profiling.en.md" and n.name == "profiling")
    before = notebooks.notebook_json(nb)
    monkeypatch.setitem(marker_handlers.HANDLERS, "value", lambda marker: '<span class="ramverk-value">424242</span>')
    assert notebooks.notebook_json(nb) == before  # the same results: from the cache
    monkeypatch.setattr(results_view, "version", lambda: (("m.json", 1),))  # a results file changed
    assert "424242" in notebooks.notebook_json(nb) and "424242" not in before


def test_pictures_and_site_links_leave_the_notebook_prose_even_with_brackets_in_their_text():
    text = ("A ![x[:, 1] holds 1 and 4](../assets/a.svg) picture, a [link [with] brackets](../x.md) "
            "and [an outside one](https://docs.jax.dev/).")
    assert notebooks._notebook_markdown(text) == (
        "A  picture, a link [with] brackets and [an outside one](https://docs.jax.dev/).")


# --- Sections that cannot share a kernel; the capture is what Jupyter shows ------------------------

def test_sections_that_cannot_share_a_kernel_get_notebooks_of_their_own_that_say_why():
    """Keras' backend tabs each set KERAS_BACKEND before importing keras, which the page's earlier sections
    imported already: in one kernel only the first setting would count."""
    for lang in ("sv", "en"):
        nbs = [nb for nb in NOTEBOOKS if nb.page == f"execution/keras.{lang}.md"]
        assert [nb.name for nb in nbs] == ["keras_basics", "keras_basics-backend_torch",
                                           "keras_basics-backend_tensorflow", "keras_basics-backend_jax"]
        first, *parts = nbs
        assert not [s for s in first.sections if s.startswith("backend_")]
        names = ", ".join(f"`{nb.name}`" for nb in parts)
        assert f"*{page_text.t(lang, 'notebook_split_away', notebooks=names)}*" in [c.source for c in first.cells]
        note = page_text.t(lang, "notebook_split_here", variables="`KERAS_BACKEND`", packages="`keras`",
                           first="`keras_basics`")
        for nb in parts:
            assert nb.sections == (f"backend_{nb.name.rsplit('_', 1)[1]}",)
            markdown = [c.source for c in nb.cells if c.kind == "markdown"]
            assert f"*{note}*" in markdown
            assert len([m for m in markdown if m.startswith("## ")]) == 1, "the heading the section sits under"
            assert markdown[-1].startswith("**"), "the tab's label, right above the code"


def test_the_split_is_read_from_the_code():
    Cell = notebooks.Cell
    cells = [Cell("markdown", "## A"), Cell("code", "import foo\nfoo.run()", "a"),
             Cell("code", "import os\nimport foo\nos.environ['X'] = '1'", "b"),  # set after the import: shares
             Cell("code", "import os\nos.environ.setdefault('FOO_MODE', 'fast')\nimport bar", "c"),  # bar is new
             Cell("markdown", "**Tab**", label=True),
             Cell("code", "import os\nos.environ['FOO_MODE'] = 'slow'\nimport foo.sub", "d"),  # foo again
             Cell("code", "print(foo.sub)", "e")]  # follows d into its notebook
    parts = notebooks._split(cells)
    assert [(first, [c.section for c in cs if c.kind == "code"], clash) for first, cs, clash in parts] == [
        ("", ["a", "b", "c"], ((), ())), ("d", ["d", "e"], (("FOO_MODE",), ("foo",)))]
    assert [c.source for c in parts[1][1] if c.kind == "markdown"] == ["## A", "**Tab**"]


def test_each_split_notebook_has_the_outputs_of_its_own_kernel():
    for nb in (n for n in NOTEBOOKS if n.lang == "en" and n.name.startswith("keras_basics-backend_")):
        section = nb.sections[0]
        out = notebooks.execute(helpers.ROOT / nb.snippet, nb.sections)[section]
        assert out.stdout.startswith(section.removeprefix("backend_") + " "), (nb.name, out)


def test_the_capture_shows_what_jupyter_shows_and_stops_at_an_error(tmp_path, monkeypatch):
    """A value a cell ends with is displayed; "Run All" stops at an error, so the cells after it are not run."""
    monkeypatch.setattr(outputs_store, "outputs_dir", lambda: tmp_path / "outputs")
    folder = tmp_path / "topic"
    folder.mkdir()
    snippet = folder / "demo.py"
    snippet.write_text("# --8<-- [start:a]\nx = 6\nprint('printed')\nx * 7\n# --8<-- [end:a]\n"
                       "# --8<-- [start:b]\nraise ValueError('stop here')\n# --8<-- [end:b]\n"
                       "# --8<-- [start:c]\nprint('never')\n# --8<-- [end:c]\n", encoding="utf-8")
    outputs = notebooks.execute(snippet, ("a", "b", "c"), run=True)
    assert [o["output_type"] for o in outputs["a"].outputs] == ["stream", "execute_result"]
    assert outputs["a"].stdout == "printed\n" and outputs["a"].outputs[1]["data"] == {"text/plain": "42"}
    assert outputs["b"].error[:2] == ("ValueError", "stop here")
    assert "raised ValueError" in outputs["c"].not_run and not outputs["c"].stdout
