"""The writer's loop, timed: from saving one page to the served page showing the change.

Run with the site served (./scripts/serve.sh, or `python -m ramverk serve -a HOST:PORT`):
    .venv/bin/python scripts/bench_serve.py [--url http://127.0.0.1:8000] [--page docs/execution/overview.en.md]
It opens the page in Debian's Chromium (Playwright), appends a line to the Markdown file, and waits
until the open page (reloaded by the server's live reload) shows it; then it puts the file back. A
benchmark figure, not a test: it prints each save's seconds and the load average.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

SHOWS = "m => !!document.body && document.body.innerText.includes(m)"  # no body while the page reloads
GONE = "m => !!document.body && !document.body.innerText.includes(m)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--page", default="docs/execution/overview.en.md")
    parser.add_argument("--saves", type=int, default=3)
    args = parser.parse_args()
    root = Path(os.environ.get("RAMVERK_ROOT") or Path(__file__).resolve().parents[1])
    source = root / args.page
    lang, path = args.page.removeprefix("docs/").removesuffix(".md").rsplit(".", 1)[::-1]
    address = f"{args.url}/{'' if lang == 'sv' else lang + '/'}{path.removesuffix('index')}/".replace("//", "/")
    address = address.replace(":/", "://", 1)
    original = source.read_text(encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(address)
        try:
            for save in range(args.saves):
                marker = f"Benchmark line {save} {time.time_ns()}"
                started = time.perf_counter()
                source.write_text(original + f"\n{marker}\n", encoding="utf-8")
                page.wait_for_function(SHOWS, arg=marker, timeout=120_000, polling=50)
                print(f"save {save + 1}: {time.perf_counter() - started:.2f} s from save to the reloaded page")
                source.write_text(original, encoding="utf-8")
                page.wait_for_function(GONE, arg=marker, timeout=120_000, polling=50)
        finally:
            source.write_text(original, encoding="utf-8")
            browser.close()
    print(f"load average {' '.join(open('/proc/loadavg').read().split()[:3])} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
