"""`build`: the site as published, each language built by its own MkDocs process, side by side.

Each process loads mkdocs.yml through MkDocs' public API (`load_config` with overrides) with
static-i18n's own `build_only_locale`, so it builds one language at the root of its own folder,
with that language's search index, sitemap and 404 page; the English site's address is the site's
+ `en/`. The language links (`extra.alternate`, Material's documented setting) point at the
language roots; hooks/language_links.py makes the header's links per page. Each language is built
into a temporary folder beside the site folder, and the site is assembled by renaming once all
succeeded: the default language at the root, the others in their folder. A failed build leaves
the old site as it was. On Linux the language processes are forked after this one has imported
what they all need (see _side_by_side). `serve` (scripts/serve.sh) serves both, one process per language.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit

import yaml


def setup(parser) -> None:
    parser.add_argument("-f", "--config-file", default="mkdocs.yml", metavar="FILE",
                        help="the site's mkdocs.yml (default: ./mkdocs.yml)")
    parser.add_argument("-d", "--site-dir", help="where the site goes (default: mkdocs.yml's site_dir)")
    parser.add_argument("--language", help=argparse.SUPPRESS)  # one language into --site-dir: a worker's job
    parser.set_defaults(run=run)


def languages(raw: dict) -> list[dict]:
    """static-i18n's languages that are built, the default first."""
    i18n = _i18n(raw)
    built = [lang for lang in i18n["languages"] if lang.get("build", True)]
    return sorted(built, key=lambda lang: not lang.get("default", False))


def language_overrides(raw: dict, locale: str, site_dir: str) -> dict:
    """load_config's overrides that build one language: its address, site folder and language links."""
    site_url = raw.get("site_url") or "/"
    root = urlsplit(site_url).path or "/"
    langs = languages(raw)
    default = langs[0]["locale"]
    folder = "" if locale == default else f"{locale}/"
    plugins = copy.deepcopy(raw["plugins"])
    _i18n({"plugins": plugins})["build_only_locale"] = locale
    # MkDocs' mapping form of the plugins list: load_config leaves it as it was (it empties a list's
    # entries), so `serve` can load it again on every rebuild.
    plugins = {name: settings for entry in plugins for name, settings in
               ((entry, {}) if isinstance(entry, str) else next(iter(entry.items())),)}
    # The search index's stemmer and stop words: this language's only (the search plugin would take
    # mkdocs.yml's theme language, and static-i18n adds the built one).
    plugins["search"] = {**(plugins.get("search") or {}), "lang": [locale]}
    alternate = [{"name": lang["name"], "link": root + ("" if lang["locale"] == default else lang["locale"] + "/"),
                  "lang": lang["locale"]} for lang in langs]
    return {"site_url": site_url + folder, "site_dir": site_dir, "plugins": plugins, "strict": True,
            "extra": {**(raw.get("extra") or {}), "alternate": alternate}}


def _i18n(raw: dict) -> dict:
    for plugin in raw.get("plugins") or []:
        if isinstance(plugin, dict) and "i18n" in plugin:
            return plugin["i18n"]
    raise SystemExit("build: mkdocs.yml has no i18n plugin (mkdocs-static-i18n) in its plugins list")


def run(args) -> int:
    config_file = Path(args.config_file).resolve()
    raw = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    if args.language:
        return _build_one(config_file, raw, args.language, args.site_dir)
    site = Path(args.site_dir or config_file.parent / raw.get("site_dir", "site")).resolve()
    site.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{site.name}-building-", dir=site.parent))
    started = time.perf_counter()
    try:
        langs = [lang["locale"] for lang in languages(raw)]
        failed = _side_by_side(config_file, raw, langs, work)
        if failed:
            print(f"build: the {', '.join(failed)} build failed (its messages are above); {site} is unchanged",
                  file=sys.stderr)
            return 1
        default = work / langs[0]
        for locale in langs[1:]:
            (work / locale).rename(default / locale)
        write_sitemaps(default, raw)
        if site.exists():
            site.rename(work / "previous")
        default.rename(site)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"build: {', '.join(langs)} built side by side into {site} in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    return 0


def _side_by_side(config_file: Path, raw: dict, langs: list[str], work: Path) -> list[str]:
    """Build each language in a process of its own, all at once; the languages whose build failed.

    On Linux each process is forked from this one after it has loaded mkdocs.yml once (MkDocs, the
    theme, every plugin and hook, imported in mkdocs.yml's order): a language's process then starts
    with them imported, about a second of each build. Each process loads the configuration again
    with its language's overrides and builds through MkDocs' public API, exactly as a process started
    afresh does. Elsewhere each is a new Python (`--language`): Windows cannot fork, and on macOS a
    fork is unsafe once system libraries have started threads (Python's multiprocessing spawns there)."""
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    if not (sys.platform == "linux" and hasattr(os, "fork")):
        workers = {locale: subprocess.Popen(
            [sys.executable, "-m", "ramverk", "build", "-f", str(config_file), "--language", locale,
             "-d", str(work / locale)]) for locale in langs}
        return [locale for locale, worker in workers.items() if worker.wait() != 0]
    _preload(config_file, raw, langs[0], work)
    sys.stdout.flush()
    sys.stderr.flush()
    pids = {}
    for locale in langs:
        pid = os.fork()
        if pid == 0:  # the language's process: it never returns into the caller's code
            code = 1
            try:
                code = _build_one(config_file, raw, locale, str(work / locale))
            except BaseException:  # noqa: BLE001 - reported, and the process fails
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        pids[locale] = pid
    return [locale for locale, pid in pids.items() if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0]


def _preload(config_file: Path, raw: dict, locale: str, work: Path) -> None:
    """Import what every language's build imports: load mkdocs.yml once (plugins and hooks load in its order)."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    here, logger = os.getcwd(), logging.getLogger("mkdocs")
    os.chdir(config_file.parent)
    logger.disabled = True  # each language's process loads it again and reports what is wrong, once
    try:
        load_config(str(config_file), **language_overrides(raw, locale, str(work / "preload")))
    except (Abort, ConfigurationError):
        pass
    finally:
        logger.disabled = False
        os.chdir(here)


URL_ENTRY = re.compile(r"    <url>\n.*?</url>\n", re.S)


def write_sitemaps(site: Path, raw: dict) -> None:
    """One sitemap of every language's pages, each page with its address in every language (hreflang, its own first),
    at the site's root and in each language's folder, where Material's language switch reads it."""
    site_url = raw.get("site_url") or "/"
    langs = languages(raw)
    roots = {lang["locale"]: site_url + ("" if i == 0 else lang["locale"] + "/") for i, lang in enumerate(langs)}
    folders = {locale: site / root.removeprefix(site_url) for locale, root in roots.items()}
    entries = []
    for locale, folder in folders.items():
        text = (folder / "sitemap.xml").read_text(encoding="utf-8")
        head, tail = text[:text.index("    <url>")], text[text.rindex("</url>\n") + len("</url>\n"):]
        for entry in URL_ENTRY.findall(text):
            path = re.search(r"<loc>(.*?)</loc>", entry)[1].removeprefix(roots[locale])
            links = "".join(f'        <xhtml:link rel="alternate" hreflang="{other}" href="{root}{path}"/>\n'
                            for other, root in sorted(roots.items(), key=lambda item: item[0] != locale))
            entries.append(_with_links(entry, links))
    sitemap = head + "".join(entries) + tail
    for folder in folders.values():
        (folder / "sitemap.xml").write_text(sitemap, encoding="utf-8")
        with gzip.GzipFile(folder / "sitemap.xml.gz", "wb", mtime=0) as packed:
            packed.write(sitemap.encode("utf-8"))


def _with_links(entry: str, links: str) -> str:
    """The <url> entry with its hreflang lines replaced by links."""
    kept = "".join(line for line in entry.splitlines(keepends=True) if "<xhtml:link" not in line)
    return kept.replace("    </url>\n", links + "    </url>\n")


def _build_one(config_file: Path, raw: dict, locale: str, site_dir: str) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"{locale}: %(levelname)-7s - %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if os.environ.get("RAMVERK_BUILD_VERBOSE") else logging.WARNING)
    os.chdir(config_file.parent)  # as `mkdocs build` run in the checkout
    try:
        config = load_config(str(config_file), **language_overrides(raw, locale, site_dir))
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (Abort, ConfigurationError) as error:
        logger.error(str(error))
        return 1
    return 0
