"""Audit a built site with two engines nobody here wrote, and print the counts per rule.

    .venv/bin/python scripts/audit_site.py SITE_DIR [--json OUT.json] [--widths 1280,390]

axe-core (node_modules/axe-core, pinned by package-lock.json) runs inside Debian's Chromium on every
built page, at each width; html-validate (node_modules/.bin/html-validate, the same lock) checks every
page's HTML with .htmlvalidate.cjs. Both are installed by scripts/setup.sh (`npm ci`).
"""

from __future__ import annotations

import argparse
import collections
import functools
import http.server
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
HTML_VALIDATE = ROOT / "node_modules" / ".bin" / "html-validate"
CONFIG = ROOT / ".htmlvalidate.cjs"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def pages(site: Path) -> list[str]:
    """Every built page as a URL path, the 404 pages included (the server serves them as files)."""
    found = []
    for html in sorted(site.rglob("*.html")):
        relative = html.relative_to(site).as_posix()
        if relative.startswith("assets/"):
            continue
        found.append("/" + (relative[: -len("index.html")] if relative.endswith("index.html") else relative))
    return found


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def axe_violations(tab, axe_source: str) -> list[dict]:
    """The whole engine's violations on the loaded page (every rule; filtering by impact is the caller's)."""
    tab.evaluate(axe_source)
    return tab.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
                        "v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => ({target: n.target.join(' '),"
                        " html: n.html.slice(0, 160), summary: n.failureSummary}))})))")


def run_axe(site: Path, widths: list[int]) -> dict:
    from playwright.sync_api import sync_playwright

    axe_source = AXE.read_text(encoding="utf-8")
    server, base = serve(site)
    found: dict = {"by_rule": collections.Counter(), "impact": {}, "hits": []}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
            for width in widths:
                context = browser.new_context(viewport={"width": width, "height": 900})
                tab = context.new_page()
                for path in pages(site):
                    tab.goto(base + path, wait_until="load")
                    for violation in axe_violations(tab, axe_source):
                        found["by_rule"][violation["id"]] += len(violation["nodes"])
                        found["impact"][violation["id"]] = violation["impact"]
                        for node in violation["nodes"]:
                            found["hits"].append({"page": path, "width": width, "rule": violation["id"],
                                                  "impact": violation["impact"], **node})
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return found


def run_html_validate(site: Path, config: Path = CONFIG) -> dict:
    files = [str(p) for p in sorted(site.rglob("*.html")) if "assets" not in p.relative_to(site).parts]
    with tempfile.TemporaryDirectory() as scratch:
        report_file = Path(scratch) / "report.json"  # not stdout: node cuts a long pipe write at exit
        result = subprocess.run([str(HTML_VALIDATE), "--config", str(config), "--formatter",
                                 f"json={report_file}", *files], cwd=ROOT,
                                capture_output=True, text=True)
        if not report_file.exists():
            raise SystemExit(f"html-validate wrote no report (exit {result.returncode}): {result.stderr}")
        reports = json.loads(report_file.read_text(encoding="utf-8"))
    by_rule: collections.Counter = collections.Counter()
    hits = []
    for report in reports:
        for message in report["messages"]:
            by_rule[message["ruleId"]] += 1
            hits.append({"file": str(Path(report["filePath"]).relative_to(site)), "rule": message["ruleId"],
                         "line": message.get("line"), "message": message["message"],
                         "selector": message.get("selector")})
    return {"by_rule": by_rule, "hits": hits, "files": len(files)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--json", type=Path, help="write every hit here")
    parser.add_argument("--widths", default="1280,390")
    parser.add_argument("--skip-axe", action="store_true")
    parser.add_argument("--skip-html", action="store_true")
    parser.add_argument("--config", type=Path, default=CONFIG, help="html-validate's configuration")
    args = parser.parse_args()
    for needed in (AXE, HTML_VALIDATE):
        if not needed.exists():
            sys.exit(f"{needed} is missing: run ./scripts/setup.sh (it runs npm ci)")
    started = time.monotonic()
    html = None
    if not args.skip_html:
        html = run_html_validate(args.site, args.config)
        print(f"html-validate over {html['files']} files:")
        for rule, count in html["by_rule"].most_common():
            print(f"  {rule:32} {count}")
    axe = None
    if not args.skip_axe:
        widths = [int(w) for w in args.widths.split(",")]
        axe = run_axe(args.site, widths)
        print(f"axe-core over {len(pages(args.site))} pages x widths {widths}:")
        for rule, count in axe["by_rule"].most_common():
            print(f"  {rule:32} {axe['impact'][rule]:9} {count}")
    print(f"({time.monotonic() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps({"html_validate": html, "axe": axe}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
