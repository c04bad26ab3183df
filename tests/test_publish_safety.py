"""Every hostile payload of fixtures/payloads.yml is reported by `check`, flagged by the sanitiser and
fails the strict build, naming file and line; legitimate content still passes both.

(The browser half, nothing runs and nothing loads, is in test_browser.py.)
"""

from __future__ import annotations

import helpers
import pytest
from fixtures.payloads_site import GOOD, LINE, PAYLOADS, build, config_line, make_site, page_text, run_check
from ramverk.checks import page_safety
from ramverk.pages import page_source, sanitise

CONFIG_LEVEL = [p for p in PAYLOADS if "config_line" in p]
FILE_LEVEL = [p for p in PAYLOADS if p.get("symlinks") or any(f.startswith("docs/") for f in p.get("files") or {})]
PAGE_LEVEL = [p for p in PAYLOADS if p not in FILE_LEVEL + CONFIG_LEVEL]
ONLY_TEXT = [p for p in PAGE_LEVEL if not (p.get("files") or p.get("sizes")) and "--8<--" not in p.get("page", "")]
ids = [p["id"] for p in PAYLOADS]


def expected_where(payload: dict, page: str) -> str:
    """The file:line prefix the report must carry ('' where the message names its own file)."""
    if "at" in payload:
        return f"{page}:{payload['at']}: "
    if "page" in payload:
        return f"{page}:{LINE + payload.get('line', 1) - 1}: "
    return ""


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """One tiny site holding every payload on its own page (and its settings in mkdocs.yml), and one
    `check` over it."""
    root = make_site(tmp_path_factory.mktemp("probe-check"), PAYLOADS)
    return root, run_check(root, "snippets", "safety", "files")


@pytest.mark.parametrize("payload", PAYLOADS, ids=ids)
def test_check_reports_the_payload_at_its_line(checked, payload):
    root, checked = checked
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "Traceback" not in checked.stdout + checked.stderr
    where = (f"mkdocs.yml:{config_line(root, payload)}: " if "config_line" in payload
             else expected_where(payload, f"docs/p/{payload['id']}.en.md"))
    lines = [line for line in checked.stdout.splitlines() if line.startswith(where)]
    assert any(payload["expect"] in line for line in lines), \
        f"expected {where}...{payload['expect']!r} in:\n{checked.stdout}"


@pytest.mark.parametrize("payload", ONLY_TEXT, ids=[p["id"] for p in ONLY_TEXT])
def test_sanitiser_flags_the_payload(payload):
    text = page_text(payload)
    problems = page_safety.lint_safety("x.md", text)
    assert any(payload["expect"] in p for p in problems), problems
    if "page" in payload and not payload.get("title"):
        html = page_safety.render("x.md", page_source.expand(text, lenient=True))
        assert sanitise.findings(html), html
        assert not sanitise.findings(sanitise.clean(html)), "what the site publishes is clean"


def _assert_named(proc, payloads, page_of):
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    missing = []
    for payload in payloads:
        # static-i18n builds Swedish first; the build stops there, so either language may be named
        places = [expected_where(payload, page_of(payload, lang)) for lang in ("sv", "en")]
        wanted = payload.get("build", payload["expect"])
        if not any(where in line and wanted in line for line in output.splitlines() for where in places):
            missing.append(f"{payload['id']}: {places[0]}{wanted}")
    assert not missing, "the build did not name:\n" + "\n".join(missing) + "\n\n" + output[-6000:]


@pytest.mark.slow
def test_strict_build_fails_naming_every_page_payload(tmp_path):
    root = make_site(tmp_path / "src", PAGE_LEVEL)
    proc = build(root, tmp_path / "site")
    _assert_named(proc, PAGE_LEVEL, lambda p, lang: f"docs/p/{p['id']}.{lang}.md")
    assert not (tmp_path / "site" / "p").exists(), "no payload page may be written"


@pytest.mark.slow
def test_strict_build_fails_naming_every_config_payload(tmp_path):
    """Strings of mkdocs.yml the theme prints: on_config stops the build before any page, naming each line."""
    root = make_site(tmp_path / "src", CONFIG_LEVEL)
    proc = build(root, tmp_path / "site")
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    for payload in CONFIG_LEVEL:
        where = f"mkdocs.yml:{config_line(root, payload)}: "
        assert any(where in line and payload["expect"] in line for line in output.splitlines()), \
            f"{payload['id']}: {where}{payload['expect']}\n\n{output[-4000:]}"
    assert not any((tmp_path / "site").rglob("*.html")), "nothing is published"


# A template override (a hostile pull request may change the theme too): only the final pass sees it.
FOOTER_OVERRIDE = ('{% extends "base.html" %}\n{% block footer %}{% if config.theme.language == "LANG" %}'
                   '<img src=x onerror=console.log(\'pwned\')><script src="https://evil.example/x.js"></script>'
                   '{% endif %}{% endblock %}\n')


@pytest.mark.slow
@pytest.mark.parametrize("lang, prefix", [("sv", ""), ("en", "en/")])
def test_the_final_pass_fails_the_build_on_either_languages_published_html(tmp_path, lang, prefix):
    """The last step judges every written .html file of each language (English is built in a forked
    process), names each and removes it; the theme's own scripts pass."""
    root = make_site(tmp_path / "src")
    (root / "overrides").mkdir()
    (root / "overrides" / "main.html").write_text(FOOTER_OVERRIDE.replace("LANG", lang), encoding="utf-8")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace("  font: false\n", "  font: false\n  custom_dir: overrides\n"),
                                     encoding="utf-8")
    proc = build(root, tmp_path / "site")
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    page = f"{prefix}index.html"
    assert f"\n  {page}: event handler onerror= on <img>" in output, output[-4000:]
    assert f"\n  {page}: <script> that is not the theme's own (src='https://evil.example/x.js')" in output
    assert not (tmp_path / "site" / page).exists(), f"{page} was left published"
    assert output.count("<script> that is not the theme's own") == output.count("evil.example/x.js"), output[-4000:]


def test_final_pass_allows_the_theme_and_refuses_what_template_strings_carry():
    scripts = sanitise.theme_script_sources(["assets/javascripts/sortable-tables.js"])
    ok = ('<!doctype html><html lang="en"><head><title>x &lt; y - Site</title>'
          '<script src="../assets/javascripts/sortable-tables.js"></script>'
          '<script id="__config" type="application/json">{"base": ".."}</script>'
          '<script>var target=document.getElementById(location.hash.slice(1));target&&target.name&&'
          '(target.checked=target.name.startsWith("__tabbed_"))</script>'
          '<link rel="canonical" href="https://example.org/x/"></head><body><a href="https://example.org/">a</a>'
          '<img alt="a chart" src="data:image/svg+xml;base64,PHN2Zy8+"></body></html>')
    assert sanitise.document_problems("x/index.html", ok, scripts) == []
    hostile = {
        "<title>Evil </title><svg onload=alert('nbtitle')> - Ramverk</title>": "event handler onload= on <svg>",
        '<nav><a href="java&#x09;script:alert(1)">Hem</a></nav>': "javascript: URL in <a href>",
        '{"cells": [{"outputs": [{"data": {"text/html": "<img src=x onerror=alert(1)>"}}]}]}':
            "event handler onerror= on <img>",
        '<body onload="alert(1)">': "event handler onload= on <body>",
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">': "<meta http-equiv='refresh'>",
        '<script src="../assets/javascripts/other.js"></script>': "<script> that is not the theme's own",
        "<script>var target=1;alert(1)</script>": "<script> that is not the theme's own",
        '<iframe src="x.html"></iframe>': "<iframe> is not allowed",
        '<link rel="stylesheet" href="//evil.example/x.css">': "loads from another host",
        '<img src="https://evil.example/p.png">': "loads from another host",
    }
    for document, expected in hostile.items():
        problems = sanitise.document_problems("x/index.html", document, scripts)
        assert any(expected in p and p.startswith("x/index.html: ") for p in problems), (document, problems)


def test_new_note_refuses_titles_with_markup(tmp_path):
    from ramverk.contrib import new_note

    for option, title in (("title_sv", "<svg onload=alert(1)>"), ("title_en", "&lt;b&gt;bold&lt;/b&gt;"),
                          ("section_en", 'A "quoted" section')):
        with pytest.raises(ValueError, match="--" + option.replace("_", "-")):
            new_note.create(tmp_path, "hardware/x", **{option: title})
    assert not any(tmp_path.rglob("*")), "nothing is written"


def test_an_output_block_never_expands_includes():
    """Shown output is data: include and section markers in it are shown as printed, not expanded."""
    import markdown
    from ramverk.render import output_blocks

    printed = ('hello\n--8<-- "snippets/nowhere/evil_inc.md"\n;--8<-- "x"\n--8<--\n/etc/passwd\n--8<--\n'
               "# --8<-- [start:x]\n````\nend")
    lines = output_blocks._block(output_blocks.Shown(1, 2, "", (), printed), "en")
    md = markdown.Markdown(extensions=["pymdownx.snippets", "pymdownx.superfences"],
                           extension_configs={"pymdownx.snippets": {"base_path": ["."], "check_paths": True}})
    html = md.convert("\n".join(lines))
    shown = html.split("<code>", 1)[1].split("</code>", 1)[0]
    assert shown.replace("&lt;", "<").rstrip("\n") == printed, html


@pytest.mark.slow
def test_a_problem_only_in_the_english_page_fails_the_build(tmp_path):
    """Each language is built by its own process (`python -m ramverk build`): what the English one
    reports reaches the output, and the build fails."""
    root = make_site(tmp_path / "src")
    (root / "docs" / "index.en.md").write_text(GOOD + '\n<p onclick="steal()">Click</p>\n', encoding="utf-8")
    proc = build(root, tmp_path / "site")
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    assert f"docs/index.en.md:{LINE}: inline event handler onclick=" in output, output[-3000:]
    assert "build: the en build failed" in output, output[-3000:]


@pytest.mark.slow
def test_strict_build_fails_naming_every_file_payload(tmp_path):
    root = make_site(tmp_path / "src", FILE_LEVEL)
    proc = build(root, tmp_path / "site")
    # The build stops before any page, naming each file (so the messages carry their own file:line).
    file_only = [{k: v for k, v in p.items() if k not in ("page", "line")} for p in FILE_LEVEL]
    _assert_named(proc, file_only, lambda p, lang: "")
    assert not (tmp_path / "site").exists() or not any((tmp_path / "site").rglob("x.html"))


LEGIT = """---
tags: [autodiff, graphs]
---

# Legitimate content: x &lt; y &amp;&amp; y &gt; z

## Heading with `a < b` in code &amp; an entity

Escaped markup in text stays text: &lt;img src=x onerror=console.log('pwned')&gt;.

Text with **bold**, *emphasis*, `inline <b>code</b>`, a [link](https://docs.jax.dev/), a
[relative link](#heading), <kbd>Ctrl</kbd>, <sub>2</sub>, a footnote[^1] and an HTML abbreviation.

*[HTML]: HyperText Markup Language

[^1]: The footnote.

![a relative picture](plot.png){ width="300" }

| Left | Right |
| :--- | ----: |
| a    | 1     |

Term
:   Definition.

!!! note "A note"

    Inside.

??? success "Solution"

    Hidden.

=== "PyTorch"

    ```python
    print("<script>alert(1)</script>")
    ```

=== "JAX"

    ```python
    print(2)
    ```

<div class="ramverk-sortable" markdown>

Inline math \\(x^2 + \\frac{a}{b}\\) and a block:

\\[
\\sum_{i=1}^{n} x_i
\\]

</div>

<details open><summary>More</summary>Text.</details>

    an indented code block with <script>alert(1)</script>

```html
<script src="https://evil.example/x.js"></script>
```
"""


def test_legitimate_content_passes_check_and_sanitiser(tmp_path):
    assert page_safety.lint_safety("x.md", LEGIT) == []


@pytest.mark.slow
def test_legitimate_content_passes_the_strict_build(tmp_path):
    root = make_site(tmp_path / "src")
    for lang in ("en", "sv"):
        (root / "docs" / f"legit.{lang}.md").write_text(LEGIT, encoding="utf-8")
    (root / "docs" / "plot.png").write_bytes(b"\x89PNG\r\n")
    proc = build(root, tmp_path / "site")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    built = (tmp_path / "site" / "legit" / "index.html").read_text(encoding="utf-8")
    assert 'class="tabbed-set tabbed-alternate"' in built and "<math" in built and 'class="footnote"' in built
    assert "<script>alert" not in built.split('<div class="md-content"', 1)[1].split("</article>", 1)[0]


def test_check_never_crashes_on_a_broken_include(tmp_path):
    """A missing file, a directory and binary data as includes: reported at their lines, no traceback."""
    root = make_site(tmp_path, [{"id": "x", "page": '--8<-- "snippets/nowhere.md"\n--8<-- "snippets"\n'
                                                    '--8<-- "snippets/blob.md"\n'}], one_page=True)
    (root / "snippets" / "blob.md").write_bytes(b"\xff\xfe\x00binary")
    proc = run_check(root)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    page = "docs/topic/page.en.md"
    for line, message in [(LINE, "snippets/nowhere.md, which does not exist"),
                          (LINE + 1, "snippets is not a regular file"), (LINE + 2, "cannot be read as text")]:
        assert any(x.startswith(f"{page}:{line}: ") and message in x for x in proc.stdout.splitlines()), proc.stdout


def test_parity_compares_the_code_not_only_the_count(tmp_path):
    root = make_site(tmp_path)
    (root / "docs" / "index.en.md").write_text("# T\n\n```python\nprint(1)\n```\n", encoding="utf-8")
    (root / "docs" / "index.sv.md").write_text("# T\n\n```python\nprint(2)\n```\n", encoding="utf-8")
    proc = run_check(root, "translations")
    assert proc.returncode == 1
    assert "runnable block 1 (python) differs from block 1 of docs/index.en.md:3" in proc.stdout, proc.stdout


def test_the_include_size_cap_is_one_number():
    assert page_source.MAX_INCLUDE_BYTES == 256 * 1024


def test_a_rebuild_judges_the_pages_it_wrote(tmp_path):
    """`mkdocs serve`'s dirty rebuilds write only the pages that changed: the final pass judges what this
    build wrote (and removes what fails), and leaves the files an earlier build wrote, and judged, unread."""
    import importlib.util
    import os
    import time
    from types import SimpleNamespace

    from mkdocs.exceptions import PluginError

    spec = importlib.util.spec_from_file_location("publish_safety_hook",
                                                  helpers.ROOT / "scripts/ramverk/hooks/publish_safety.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    i18n = SimpleNamespace(config=SimpleNamespace(languages=[SimpleNamespace(locale="sv", default=True)]),
                           current_language="sv", build_languages=["sv"])
    config = SimpleNamespace(config_file_path=str(helpers.ROOT / "mkdocs.yml"), plugins={"i18n": i18n},
                             site_dir=str(tmp_path), extra_javascript=[], site_url="http://127.0.0.1:8000/")
    hostile = '<!doctype html><html><body><img src=x onerror="alert(1)"></body></html>'
    earlier = tmp_path / "earlier" / "index.html"
    earlier.parent.mkdir()
    earlier.write_text(hostile, encoding="utf-8")  # stands in for a page an earlier build wrote (and judged)
    an_hour_ago = time.time() - 3600
    os.utime(earlier, (an_hour_ago, an_hour_ago))
    hook.on_pre_build(config)
    clean = tmp_path / "clean" / "index.html"
    clean.parent.mkdir()
    clean.write_text("<!doctype html><html><body><p>ok</p></body></html>", encoding="utf-8")
    hook.on_post_build(config)  # only the clean page is this build's
    written = tmp_path / "written" / "index.html"
    written.parent.mkdir()
    written.write_text(hostile, encoding="utf-8")
    with pytest.raises(PluginError) as failed:
        hook.on_post_build(config)
    assert "written/index.html: event handler onerror= on <img>" in str(failed.value)
    assert "earlier/" not in str(failed.value) and not written.exists() and earlier.exists() and clean.exists()
