"""`[[wikilinks]]` resolve to relative links in the page's own language (ramverk/pages/wikilinks.py)."""

from __future__ import annotations

import pytest
from ramverk.pages import wikilinks


def test_wikilink_forms_resolve_to_the_same_language():
    targets = [
        wikilinks.Target("execution/overview", "en", "Execution models", frozenset({"the-whole-picture"})),
        wikilinks.Target("about/how-it-works", "en", "How this knowledge base works", frozenset({"snippets"})),
    ]
    text = ("[[overview]] [[execution/overview#The whole picture|whole]] [[Execution models]]"
            " [[how-it-works#snippets]] `[[code]]`")
    out = wikilinks.resolve(text, "about/contributing", "en", "docs/about/contributing.en.md", targets)
    assert out == ("[overview](../execution/overview.md) [whole](../execution/overview.md#the-whole-picture)"
                   " [Execution models](../execution/overview.md) [how-it-works – snippets](how-it-works.md#snippets)"
                   " `[[code]]`")
    with pytest.raises(wikilinks.WikilinkError, match=r"docs/x.en.md:2: wikilink \[\[missing\]\] names no en page"):
        wikilinks.resolve("ok\n[[missing]]", "x", "en", "docs/x.en.md", targets)
    with pytest.raises(wikilinks.WikilinkError, match="has no heading 'Nope'"):
        wikilinks.resolve("[[overview#Nope]]", "x", "en", "docs/x.en.md", targets)
