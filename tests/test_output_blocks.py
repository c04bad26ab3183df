"""The declared variations of shown outputs (ramverk/render/output_blocks.py, VARIES): each names a
section a page shows, and its mask frees only its own part of the output."""

from __future__ import annotations

import re

import helpers


def test_each_declared_variation_names_a_shown_section_and_its_mask_finds_something():
    from ramverk.render import notebooks, output_blocks

    for target, varies in output_blocks.VARIES.items():
        snippet, section = target.split(":")
        assert section in notebooks.snippet_sections(helpers.ROOT / snippet), f"VARIES names no section: {target}"
        assert varies.why, target
    masked = [e for e in output_blocks.expected_by_code().values() if e.mask]
    assert masked, "no shown output has a mask: the test of the masks found nothing to test"
    for expected in masked:
        assert re.search(expected.mask, expected.stdout), f"{expected.where}: the mask {expected.mask!r} masks nothing"


def test_a_mask_frees_only_its_own_part_of_the_output():
    from ramverk.render import output_blocks

    mask = output_blocks.VARIES["snippets/hardware/tensor_cores.py:precision"].mask
    shown = "float32   relative error 2.4e-07\nbfloat16  relative error 2.9e-03"
    assert output_blocks.comparable(shown, mask) == output_blocks.comparable(shown.replace("2.4e", "2.9e"), mask)
    assert output_blocks.comparable(shown, mask) != output_blocks.comparable(shown.replace("e-07", "e-05"), mask)
