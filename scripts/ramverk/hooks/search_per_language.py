"""One search index per language, so a search on an English page finds English pages.

static-i18n builds every language into one site and merges all pages into the root
search/search_index.json. After its last build we split that index: the default language
keeps search/, every other language gets <lang>/search/ with locations relative to <lang>/.
Each page's Material config gets "base" pointing at its language root, which is where
Material's search fetches the index and resolves result links, and where it reads sitemap.xml.

Material's search reads each page's HTML with Python's HTMLParser, and most of the tags are the
highlighter's: a <span> per token and a line anchor per line inside each <pre>. They add no
text, so the index is read from the page without them (the same entries; a third of the time).
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
from pathlib import Path

from mkdocs.plugins import event_priority

PRE = re.compile(r"<pre\b[^>]*>.*?</pre>", re.S)
# What Pygments puts inside <pre> (pymdownx.highlight with anchor_linenums): spans with a class, and
# an empty anchor per line, with the rel= publish_safety's sanitiser (run before search) adds to links.
HIGHLIGHT_TAG = re.compile(r'<span(?: class="[^"<>]*")?>|</span>'
                           r'|<a id="__codelineno-[^"<>]*" name="__codelineno-[^"<>]*" href="#__codelineno-[^"<>]*"'
                           r'(?: rel="[^"<>]*")?></a>')
HEAD_ALTERNATE = re.compile(r'(<link rel="alternate" href=")[^"]*(" hreflang=")([a-z]{2})(">)')
CONFIG_SCRIPT = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def _languages(config) -> tuple[str, list[str]]:
    i18n = config.plugins["i18n"]
    default = next(lang.locale for lang in i18n.config.languages if lang.default)
    others = [lang.locale for lang in i18n.config.languages if not lang.default and lang.build]
    return default, others


@event_priority(-150)  # after the search plugin (0) and static-i18n (-100) made this build's index
def on_config(config):
    index = config.plugins["material/search"].search_index
    add_entry = index.add_entry_from_context
    index.add_entry_from_context = lambda page: add_entry(_WithoutHighlighting(page))
    return config


def _lean(pre: re.Match) -> str:
    lean = HIGHLIGHT_TAG.sub("", pre[0])
    return pre[0] if "<span" in lean or "</span>" in lean else lean  # a span it does not know: all kept


class _WithoutHighlighting:
    """The page as the search index reads it: its content without the highlighter's tags."""

    def __init__(self, page):
        self._page = page
        self.content = PRE.sub(_lean, page.content)

    def __getattr__(self, name):
        return getattr(self._page, name)


@event_priority(-200)  # after static-i18n has rewritten the page
def on_post_page(output, page, config):
    default, _ = _languages(config)
    lang = getattr(page.file, "locale", default)
    config_json = CONFIG_SCRIPT.search(output)
    site_root = json.loads(config_json[2])["base"]  # relative path from this page to the site root

    def language_root(code: str) -> str:
        return posixpath.join(site_root, "" if code == default else code, "")

    # Material fetches sitemap.xml beside every <link rel="alternate"> and expects language roots
    # there (as in its own extra.alternate docs); static-i18n puts per-page links. The visible
    # language switcher keeps its per-page links, so the reader stays on the same page.
    output = HEAD_ALTERNATE.sub(lambda m: m[1] + language_root(m[3]) + m[2] + m[3] + m[4], output)
    if lang == default:
        return output

    def rebase(m: re.Match) -> str:
        data = json.loads(m[2])
        # Material resolves "search/search_index.json" and "sitemap.xml" against base: keep the slash.
        data["base"] = language_root(lang)
        return m[1] + json.dumps(data, ensure_ascii=False) + m[3]

    return CONFIG_SCRIPT.sub(rebase, output, count=1)


@event_priority(-200)  # after static-i18n's own on_post_build wrote the merged index
def on_post_build(config):
    i18n = config.plugins["i18n"]
    if i18n.building:  # a nested per-language build: the merged index is not written yet
        return
    default, others = _languages(config)
    site = Path(config.site_dir)
    merged_path = site / "search" / "search_index.json"
    merged = json.loads(merged_path.read_text(encoding="utf-8"))
    docs = merged["docs"]
    for lang in others:
        prefix = f"{lang}/"
        mine = [dict(d, location=d["location"][len(prefix):]) for d in docs if d["location"].startswith(prefix)]
        _write(site / lang / "search" / "search_index.json", merged["config"], lang, mine)
        # Material's language switch reads the sitemap beside the search index.
        shutil.copyfile(site / "sitemap.xml", site / lang / "sitemap.xml")
    foreign = tuple(f"{lang}/" for lang in others)
    _write(merged_path, merged["config"], default, [d for d in docs if not d["location"].startswith(foreign)])


def _write(path: Path, search_config: dict, lang: str, docs: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    index = {"config": dict(search_config, lang=[lang]), "docs": docs}
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
