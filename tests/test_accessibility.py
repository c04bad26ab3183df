"""Every built page, in both languages, audited by two engines nobody here wrote (issue 26): axe-core
in Debian's Chromium at a desktop and a phone width (a third of the pages each run, in turn), and
html-validate on the HTML of every page. Both are pinned by
package-lock.json and installed by scripts/setup.sh (npm ci); scripts/audit_site.py prints the counts
per rule. The theme's templates that had to change are overridden in scripts/ramverk/theme/partials/,
and the last test pins what each override replaced, so a Material upgrade fails here, loudly."""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
from pathlib import Path

import helpers
import pytest

ROOT = helpers.ROOT
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
HTML_VALIDATE = ROOT / "node_modules" / ".bin" / "html-validate"
AXE_VERSION = "4.14.1"
FAILING_IMPACTS = ("serious", "critical")
WIDTHS = (1280, 390)

needs_npm = pytest.mark.skipif(not AXE.exists() or not HTML_VALIDATE.exists(),
                               reason="node_modules lacks axe-core or html-validate: run ./scripts/setup.sh")


def built_pages(site: Path) -> list[str]:
    """Every page of the build as the URL path a reader opens (404 pages included), both languages."""
    paths = []
    for html in sorted(site.rglob("*.html")):
        relative = html.relative_to(site).as_posix()
        if not relative.startswith("assets/"):
            paths.append("/" + relative.removesuffix("index.html"))
    return paths


def test_the_pinned_engines_are_the_ones_installed():
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/axe-core"]["version"] == AXE_VERSION
    if AXE.exists():
        assert AXE.read_text(encoding="utf-8", errors="replace")[:40].startswith(f"/*! axe v{AXE_VERSION}"), \
            "node_modules/axe-core is not the locked version: run ./scripts/setup.sh"


# An audit costs about a CPU second and a half per page and width, and the test suite has a time budget:
# each run audits a third of the pages, a different third each day, so three days cover every one
# (RAMVERK_AXE_SHARE=N picks day N's third, to reproduce one; "all" audits every page).
SHARES = 3


def audited_pages(site: Path, lang: str) -> list[str]:
    """One language's pages: its note pages, and of the notebook pages (about half the site, all from one
    template, mkdocs-jupyter's) the first, then today's third of them; html-validate reads them all, and
    scripts/audit_site.py audits them all with axe-core."""
    own = [p for p in built_pages(site) if p.startswith("/en/") == (lang == "en")]
    notebooks = [p for p in own if "/notebooks/" in p]
    pages = [p for p in own if p not in notebooks] + notebooks[:1]
    share = os.environ.get("RAMVERK_AXE_SHARE") or str(datetime.date.today().toordinal())
    if share == "all":
        return pages
    return [p for i, p in enumerate(pages) if i % SHARES == int(share) % SHARES]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not helpers.CHROMIUM.exists(), reason="Debian's chromium is missing: run ./scripts/setup.sh")
@needs_npm
@pytest.mark.parametrize("lang", [pytest.param("sv", marks=pytest.mark.xdist_group("axe-sv")),
                                  pytest.param("en", marks=pytest.mark.xdist_group("axe-en"))])
def test_no_serious_accessibility_violation(built_site, site_url, lang):
    """The whole axe-core engine on each page after its scripts ran, at 1280 and at 390 px; serious and
    critical violations fail, named by page, width, rule and element. One Chromium and one tab per
    language (the two languages may run on two workers)."""
    axe_source = AXE.read_text(encoding="utf-8")
    pages = audited_pages(built_site, lang)
    assert len(pages) > 10, f"only {len(pages)} {lang} pages in today's share"
    found, audited = [], 0
    with helpers.chromium() as browser:
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
        context.set_default_timeout(helpers.WAIT_MS)
        context.set_default_navigation_timeout(helpers.WAIT_MS)
        context.add_init_script(script=axe_source)
        tab = context.new_page()
        for path in pages:
            for width in WIDTHS:
                # Loaded afresh at each width: audited right after a resize, the theme's drawer and table
                # wrappers are caught half-way (grey nav text, scroll boxes not yet focusable).
                tab.set_viewport_size({"width": width, "height": 900})
                response = tab.goto(site_url + path, wait_until="load")
                assert response is not None and response.status == 200, f"{path}: HTTP {response and response.status}"
                result = tab.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => ({version: "
                                      "axe.version, violations: r.violations.map(v => ({id: v.id, impact: v.impact, "
                                      "nodes: v.nodes.map(n => n.target.join(' ') + '  ' + n.html.slice(0, 120))}))}))")
                assert result["version"] == AXE_VERSION
                audited += 1
                found += [f"{path} at {width} px: {v['id']} ({v['impact']}): {node}"
                          for v in result["violations"] if v["impact"] in FAILING_IMPACTS for node in v["nodes"]]
        context.close()
    assert audited == len(pages) * len(WIDTHS)
    assert not found, f"{len(found)} serious or critical axe-core violations:\n" + "\n".join(found[:60])


@pytest.mark.slow
@needs_npm
def test_every_page_is_valid_html(built_site):
    """html-validate (recommended rules, less what .htmlvalidate.cjs turns off and says why) on every
    page; each error named by file, line, rule and message."""
    files = [p for p in sorted(built_site.rglob("*.html")) if "assets" not in p.relative_to(built_site).parts]
    assert len(files) > 50
    report = built_site.parent / "html-validate.json"
    result = subprocess.run([str(HTML_VALIDATE), "--config", str(ROOT / ".htmlvalidate.cjs"),
                             "--formatter", f"json={report}", *map(str, files)],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert report.exists(), f"html-validate wrote no report (exit {result.returncode}): {result.stderr[-2000:]}"
    errors = [f"{Path(r['filePath']).relative_to(built_site)}:{m['line']}: {m['ruleId']}: {m['message']}"
              for r in json.loads(report.read_text(encoding="utf-8")) for m in r["messages"]]
    assert not errors, f"{len(errors)} html-validate errors:\n" + "\n".join(errors[:60])
    assert result.returncode == 0, result.stderr[-2000:]


# The theme overrides: each is Material's partial with exactly these replacements (and a comment of its
# own in place of the generated-file header). A new Material that changed the text fails here.
MATERIAL_VERSION = "9.8.1"
GENERATED_HEADER = "{#-\n  This file was automatically generated - do not edit\n-#}\n"
OVERRIDES = {
    "partials/search.html": [(  # axe-core aria-dialog-name
        '<div class="md-search" data-md-component="search" role="dialog">',
        '<div class="md-search" data-md-component="search" role="dialog" aria-label="{{ lang.t(\'search\') }}">')],
    "partials/nav-item.html": [  # tabindex="" on a section's label: invalid HTML
        ('          {% set tabindex = "0" if not is_section %}\n'
         '          <label class="md-nav__link" for="{{ path }}" id="{{ path }}_label" tabindex="{{ tabindex }}">',
         '          <label class="md-nav__link" for="{{ path }}" id="{{ path }}_label"'
         '{% if not is_section %} tabindex="0"{% endif %}>'),
        ('              {% set tabindex = "0" if not is_section %}\n'
         '              <label class="md-nav__link {{ class }}" for="{{ path }}" id="{{ path }}_label"'
         ' tabindex="{{ tabindex }}">',
         '              <label class="md-nav__link {{ class }}" for="{{ path }}" id="{{ path }}_label"'
         '{% if not is_section %} tabindex="0"{% endif %}>'),
        ('      {% if toc %}\n        {% include "partials/toc.html" %}',  # the copy inside the site nav
         '      {% if toc %}\n        {% set toc_in_site_nav = true %}\n        {% include "partials/toc.html" %}')],
    "partials/toc.html": [  # no second "table of contents" landmark
        ('<nav class="md-nav md-nav--secondary" aria-label="{{ title | e }}">',
         '{% if toc_in_site_nav %}\n<div class="md-nav md-nav--secondary">\n{% else %}\n'
         '<nav class="md-nav md-nav--secondary" aria-label="{{ title | e }}">\n{% endif %}'),
        ('  {% endif %}\n</nav>', '  {% endif %}\n{{ "</div>" if toc_in_site_nav else "</nav>" }}')],
    "partials/toc-item.html": [  # a heading's sub-list is no landmark of its own
        ('    <nav class="md-nav" aria-label="{{ toc_item.title | striptags | e }}">', '    <div class="md-nav">'),
        ("      </ul>\n    </nav>", "      </ul>\n    </div>")],
}


def test_theme_overrides_are_materials_partials_with_only_the_listed_changes():
    import material

    assert material.__version__ == MATERIAL_VERSION, (
        f"Material is {material.__version__}, the overrides in scripts/ramverk/theme/partials/ were made from "
        f"{MATERIAL_VERSION}: compare each with the new partial, then update OVERRIDES and MATERIAL_VERSION")
    upstream_dir = Path(material.__file__).parent / "templates"
    theme = ROOT / "scripts" / "ramverk" / "theme"
    assert sorted(p.relative_to(theme).as_posix() for p in theme.glob("partials/*.html")) == sorted(OVERRIDES)
    for name, changes in OVERRIDES.items():
        expected = (upstream_dir / name).read_text(encoding="utf-8")
        assert expected.startswith(GENERATED_HEADER), name
        expected = expected[len(GENERATED_HEADER):]
        for old, new in changes:
            assert expected.count(old) == 1, f"Material's {name} no longer has, once: {old!r}"
            expected = expected.replace(old, new)
        override = (theme / name).read_text(encoding="utf-8")
        comment = re.match(r"\{#-.*?-#\}\n", override, re.S)
        assert comment and f"Material {MATERIAL_VERSION}'s {name}" in comment.group(), f"{name}: no header comment"
        assert override[comment.end():] == expected, f"{name} differs from Material's with the listed changes"
