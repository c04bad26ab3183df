"""Publish only what is safe: includes by the rules, no symbolic links, active static files or
notebooks in docs/ or snippets/, plain-text strings in mkdocs.yml, every page's content through the
sanitiser (ramverk/pages/sanitise.py), and, last, every published HTML file judged whole.

Contributor text is hostile. The page content is cleaned with an allowlist and the build fails,
naming page and line, on anything the cleaning removed, on markup in front matter or in headings
once decoded (the theme shows titles as HTML) and on refused includes; all pages' problems are
reported together. The project's own charts (data: images drawn from results by the timing
marker) and trace timelines (inline SVG the trace marker drew, exactly) are set aside before
rendering and put back after. The theme prints mkdocs.yml's strings
(nav titles, their translations, copyright, extra) as HTML: on_config fails on any that is not
plain text, naming its line. The last step reads the .html files this language's build wrote (its
own folder) and fails, naming the file and removing it, on
anything a page may not run or load: scripts other than the theme's own, handlers, javascript:
URLs, frames, <base>, meta refresh, in the title, navigation, header or footer as in the content.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path
from urllib.parse import urlparse

from markdown.extensions import Extension
from pymdownx.snippets import SnippetExtension
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.plugins import event_priority
from ramverk.contract import build_memo, site_config
from ramverk.pages import page_source, sanitise
from ramverk.render import trace_timeline

CHART = re.compile(r'<figure class="ramverk-chart"><img [^<>]*></figure>|<figure class="ramverk-trace">.*?</figure>')
NONCE = secrets.token_hex(8)  # per build: a page cannot forge a placeholder
PLACEHOLDER = re.compile(rf"(?:<p>)?ramverkchart{NONCE}x(\d+)(?:</p>)?")
MEMO_PLACEHOLDER = "ramverkchartmemox"  # a placeholder in the build memo's keys
_charts: dict[str, list[str]] = {}
_build_started = 0.0  # time.time() at this build's start, less a margin (on_pre_build)
log = get_plugin_logger("publish_safety")
_problems: list[str] = []  # file:line: message, from every page, raised together in on_env


SNIPPET_PRIORITY = 32  # where pymdownx.snippets registers its preprocessor (tests/test_site_build.py pins it)


class _GuardIncludes(Extension):
    """Puts the project's GuardedSnippets, which reads only files the include rules accept, in the
    place of pymdownx.snippets' preprocessor, with the same settings (Python-Markdown's registry)."""

    def extendMarkdown(self, md):
        snippets = next(ext for ext in md.registeredExtensions if isinstance(ext, SnippetExtension))
        md.preprocessors.deregister("snippet")
        md.preprocessors.register(page_source.GuardedSnippets(snippets.getConfigs(), md), "snippet", SNIPPET_PRIORITY)


def on_config(config):
    problems = sanitise.config_problems(site_config.for_build(config.config_file_path))
    if problems:
        raise PluginError("strings the theme would print as HTML:\n  " + "\n  ".join(problems))
    config.markdown_extensions.append(_GuardIncludes())
    return config


def on_pre_build(config):
    global _build_started
    # Coarse file clocks can stamp a file a few ms before time.time() said: judge some files twice, none never.
    _build_started = time.time() - 2
    problems = sanitise.static_file_problems(site_config.for_build(config.config_file_path).root)
    if problems:
        raise PluginError("files that cannot be published:\n  " + "\n  ".join(problems))


@event_priority(-100)  # after the marker hook drew its charts
def on_page_markdown(markdown, page, config, files):
    rel, source = f"docs/{page.file.src_uri}", page.file.content_string
    found = build_memo.cached("source", (rel, source), lambda: {  # page.meta is read from source
        "refused": page_source.include_problems(rel, source),
        "other": sanitise.meta_problems(rel, page.meta, source) + sanitise.heading_problems(rel, source)})
    refused = found["refused"]
    _problems.extend(refused + found["other"])
    if refused:
        return ""  # render nothing of a page whose includes are refused; on_env fails the build
    charts = []

    def set_aside(m: re.Match) -> str:
        if m[0] in source:  # written by the contributor, not drawn by the marker: judged like the rest
            return m[0]
        if m[0].startswith('<figure class="ramverk-trace"') and not trace_timeline.drawn(m[0]):
            return m[0]  # inline SVG that the trace marker did not draw, exactly: judged (and refused)
        charts.append(m[0])
        return f"ramverkchart{NONCE}x{len(charts) - 1}"

    markdown = CHART.sub(set_aside, markdown)
    _charts[page.file.src_uri] = charts
    return markdown


@event_priority(-100)  # after the MathML hook: its output is judged too
def on_page_content(html, page, config, files):
    judged = _judged(f"docs/{page.file.src_uri}", page.file.content_string, html)
    _problems.extend(judged["problems"])
    charts = _charts.pop(page.file.src_uri, [])
    return PLACEHOLDER.sub(lambda m: charts[int(m[1])], judged["clean"])


def _judged(rel: str, source: str, html: str) -> dict:
    """The page's problems and its cleaned content, from the build memo when the same page was judged
    before. The memo is keyed with this build's placeholders written one fixed way and keeps the
    cleaned content with the placeholders of the build that judged it, both random, none a page can write."""
    def judge() -> dict:
        return {"problems": sanitise.page_problems(rel, source, html), "clean": sanitise.clean(html), "nonce": NONCE}

    mine = f"ramverkchart{NONCE}x"
    if MEMO_PLACEHOLDER in html:
        return judge()  # written in the page: the key must not confuse it with a placeholder
    done = build_memo.cached("sanitise", (rel, source, html.replace(mine, MEMO_PLACEHOLDER)), judge)
    return {**done, "clean": done["clean"].replace(f"ramverkchart{done['nonce']}x", mine)}


def on_env(env, config, files):
    """Every page is rendered by now and none is written yet: fail with all problems at once."""
    if _problems:
        problems = list(dict.fromkeys(_problems))
        _problems.clear()
        raise PluginError("content the site does not publish:\n  " + "\n  ".join(problems))
    return env


@event_priority(-50)  # after every page and template is written, before static-i18n (-100) builds another language
def on_post_build(config):
    """Judge every .html file this language's build wrote, whole; remove those that fail, and fail."""
    started = time.perf_counter()
    i18n = config.plugins["i18n"]
    root = Path(config.site_dir)  # this language's own site: `ramverk build` builds one per process
    default = next(lang.locale for lang in i18n.config.languages if lang.default)
    # A plain `mkdocs build` builds every language into one folder, one after the other.
    here = root if i18n.current_language == default else root / i18n.current_language
    others = {lang for lang in i18n.build_languages if lang != i18n.current_language}
    scripts = sanitise.theme_script_sources(config.extra_javascript)
    prefix = urlparse(config.site_url or "/").path or "/"
    problems, refused = [], []
    for folder, dirs, names in os.walk(here):
        if Path(folder) == root:
            dirs[:] = [d for d in dirs if d not in others]  # judged by their own build
        for name in names:
            if name.endswith(".html"):
                path = Path(folder) / name
                if path.stat().st_mtime < _build_started:
                    continue  # written, and judged, by an earlier build: `mkdocs serve`'s rebuilds write changed pages only
                rel = path.relative_to(root).as_posix()
                text = path.read_text(encoding="utf-8", errors="replace")
                found = build_memo.cached("document", (rel, text, *sorted(scripts), prefix),
                                          lambda: sanitise.document_problems(rel, text, scripts, prefix))
                if found:
                    address = (prefix + rel).lstrip("/")  # named as the reader asks for it: en/… in the English build
                    problems += [address + problem.removeprefix(rel) for problem in found]
                    refused.append(path)
    for path in refused:
        path.unlink()  # never served, by `mkdocs serve` or a deploy of the failed build's folder
    log.debug(f"published HTML of {i18n.current_language} judged in {time.perf_counter() - started:.2f} s")
    if problems:
        raise PluginError(f"published files that would run or load what a page may not (removed from {root}):\n  "
                          + "\n  ".join(problems))
