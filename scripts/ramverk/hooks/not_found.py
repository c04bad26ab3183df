"""A 404 page in each language: /404.html in the default language, /<locale>/404.html in the others.

MkDocs writes the theme's 404.html (scripts/ramverk/theme/404.html, worded by the build's theme
language) to the root of the site on every build, and mkdocs-static-i18n builds each language into
the same site folder, so each language would write over the others' (at the same time, with
hooks/languages_in_parallel.py). The other languages write theirs under their own folder instead;
MkDocs writes no template whose output is empty.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs import utils
from mkdocs.plugins import event_priority
from ramverk.contract import site_config


@event_priority(-150)  # after static-i18n's on_config (-100) put the language links back
def on_config(config):
    # static-i18n sets each page's language links as an attribute, config.extra.alternate, and at the
    # next language's on_config puts back only the key; the attribute, which the theme reads first,
    # would give that language's 404 page (written before its pages) the last page's links.
    vars(config.extra).pop("alternate", None)
    return config


def on_post_template(output_content, template_name, config):
    lang = config.theme.get("language") or ""
    if template_name != "404.html" or lang == site_config.for_build(config.config_file_path).languages[0]:
        return output_content
    utils.write_file(output_content.encode("utf-8"), str(Path(config.site_dir) / lang / "404.html"))
    return ""
