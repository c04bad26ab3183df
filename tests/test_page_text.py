"""The catalogue of words the build adds to pages (ramverk/contract/page_text.py): every key in every
language, with the same placeholders."""

from __future__ import annotations

import re


def test_the_text_catalogue_has_every_key_in_every_language():
    from ramverk.contract import site_config
    from ramverk.contract import page_text

    languages = site_config.load().languages
    assert set(page_text.TEXT) == set(languages)
    keys = {lang: set(page_text.TEXT[lang]) for lang in languages}
    for lang in languages:
        for other in languages:
            assert not keys[lang] - keys[other], f"in {lang} but not in {other}: {sorted(keys[lang] - keys[other])}"
    for lang in languages:  # the same placeholders on both sides
        for key, text in page_text.TEXT[lang].items():
            assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", page_text.TEXT["en"][key])), key
