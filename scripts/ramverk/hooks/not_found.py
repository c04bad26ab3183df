"""A 404 page in each language: /404.html in the default language, /<locale>/404.html in the others.

MkDocs writes the theme's 404.html (scripts/ramverk/theme/404.html, worded by the build's theme language) to
the root of the site on every build, and mkdocs-static-i18n builds each language into the same
site folder, so the last language built would overwrite the default's. After the default
language's build its page is kept; after each other language's build, its page is moved under
its own folder and the default's is put back.
"""

from __future__ import annotations

from pathlib import Path

from ramverk.contract import site_config

_default_page: dict[str, bytes] = {}  # site_dir -> the default language's 404.html


def on_post_build(config):
    site = Path(config.site_dir)
    page = site / "404.html"
    if not page.is_file():
        return
    lang = config.theme.get("language") or ""
    default = site_config.for_build(config.config_file_path).languages[0]
    if lang == default:
        _default_page[str(site)] = page.read_bytes()
        return
    kept = _default_page.get(str(site))
    if kept is None:  # this language was built on its own: leave its page where MkDocs put it
        return
    (site / lang).mkdir(exist_ok=True)
    page.replace(site / lang / "404.html")
    page.write_bytes(kept)
