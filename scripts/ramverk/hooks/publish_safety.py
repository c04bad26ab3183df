"""Publish only what is safe: includes by the rules, no symbolic links or active static files in
docs/ or snippets/, and every page's content through the sanitiser (ramverk/pages/sanitise.py).

Contributor text is hostile. The page content is cleaned with an allowlist and the build fails,
naming page and line, on anything the cleaning removed, on markup in front matter (the theme
shows titles as HTML) and on refused includes; all pages' problems are reported together.
The project's own charts (data: images drawn from results by the timing marker) are set aside
before rendering and put back after.
"""

from __future__ import annotations

import re
import secrets

from markdown.extensions import Extension
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from ramverk.contract import site_config
from ramverk.pages import page_source, sanitise

CHART = re.compile(r'<figure class="ramverk-chart"><img [^<>]*></figure>')
NONCE = secrets.token_hex(8)  # per build: a page cannot forge a placeholder
PLACEHOLDER = re.compile(rf"(?:<p>)?ramverkchart{NONCE}x(\d+)(?:</p>)?")
_charts: dict[str, list[str]] = {}
_problems: list[str] = []  # file:line: message, from every page, raised together in on_env


class _GuardIncludes(Extension):
    """Makes the page renderer's pymdownx.snippets read only files the include rules accept."""

    def extendMarkdown(self, md):
        md.preprocessors["snippet"].__class__ = page_source.GuardedSnippets


def on_config(config):
    config.markdown_extensions.append(_GuardIncludes())
    return config


def on_pre_build(config):
    problems = sanitise.static_file_problems(site_config.for_build(config.config_file_path).root)
    if problems:
        raise PluginError("files that cannot be published:\n  " + "\n  ".join(problems))


@event_priority(-100)  # after the marker hook drew its charts
def on_page_markdown(markdown, page, config, files):
    rel, source = f"docs/{page.file.src_uri}", page.file.content_string
    refused = page_source.include_problems(rel, source)
    _problems.extend(refused + sanitise.meta_problems(rel, page.meta, source))
    if refused:
        return ""  # render nothing of a page whose includes are refused; on_env fails the build
    charts = []

    def set_aside(m: re.Match) -> str:
        if m[0] in source:  # written by the contributor, not drawn by the marker: judged like the rest
            return m[0]
        charts.append(m[0])
        return f"ramverkchart{NONCE}x{len(charts) - 1}"

    markdown = CHART.sub(set_aside, markdown)
    _charts[page.file.src_uri] = charts
    return markdown


@event_priority(-100)  # after the MathML hook: its output is judged too
def on_page_content(html, page, config, files):
    _problems.extend(sanitise.page_problems(f"docs/{page.file.src_uri}", page.file.content_string, html))
    charts = _charts.pop(page.file.src_uri, [])
    return PLACEHOLDER.sub(lambda m: charts[int(m[1])], sanitise.clean(html))


def on_env(env, config, files):
    """Every page is rendered by now and none is written yet: fail with all problems at once."""
    if _problems:
        problems = list(dict.fromkeys(_problems))
        _problems.clear()
        raise PluginError("content the site does not publish:\n  " + "\n  ".join(problems))
    return env
