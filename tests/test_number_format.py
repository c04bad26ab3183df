"""How the pages write numbers (ramverk/render/number_format.py): three significant digits, the unit
chosen for the value shown, each language's decimal sign, thousands and percent, no-break spaces."""

from __future__ import annotations

import pytest
from ramverk.render import number_format as nf

NBSP = "\u00a0"


@pytest.mark.parametrize("value, lang, text", [
    (1.3245, "sv", "1,32"), (1.3245, "en", "1.32"), (0.012345, "en", "0.0123"), (132.4, "en", "132"),
    (98765.4, "en", "98,765"), (0.0, "en", "0.00"), (-2.5, "en", "-2.50"),
])
def test_number_has_three_significant_digits_in_the_pages_language(value, lang, text):
    assert nf.number(value, lang) == text


@pytest.mark.parametrize("value, text", [(9.996, "10.0"), (0.9996, "1.00"), (99.96, "100"), (0.009996, "0.0100"),
                                         (-9.996, "-10.0"), (9.994, "9.99")])
def test_a_rounding_that_carries_still_shows_three_significant_digits(value, text):
    assert nf.number(value, "en") == text


@pytest.mark.parametrize("seconds, text", [(0.0009996, "1.00 ms"), (0.9996, "1.00 s"), (9.996e-7, "1.00 µs"),
                                           (0.000999, "999 µs")])
def test_the_unit_is_chosen_for_the_value_shown(seconds, text):
    assert nf.duration(seconds, "en") == text.replace(" ", NBSP)  # not "1,000 µs"
    assert nf.rate(999.6e9, "FLOP/s", "en") == f"1.00{NBSP}TFLOP/s"


def test_swedish_groups_thousands_with_a_space():
    grouped = nf.number(98765.4, "sv")
    assert grouped.replace("\u00a0", " ").replace("\u202f", " ") == "98 765"


@pytest.mark.parametrize("seconds, lang, text", [
    (0.00132, "sv", "1,32 ms"), (0.00132, "en", "1.32 ms"), (2.5, "en", "2.50 s"), (950e-6, "en", "950 µs"),
    (5e-9, "en", "5.00 ns"), (0.001, "en", "1.00 ms"),
])
def test_duration_picks_the_unit(seconds, lang, text):
    assert nf.duration(seconds, lang) == text.replace(" ", NBSP)


def test_duration_with_a_forced_unit_for_a_whole_column():
    assert nf.duration(95e-6, "en", unit="ms") == f"0.0950{NBSP}ms"
    assert nf.time_unit(3e-5) == ("µs", 1e6)


def test_ratio_rate_and_percent():
    assert nf.ratio(9.06, "sv") == "9,06×" and nf.ratio(9.06, "en") == "9.06×"
    assert nf.rate(3.2e10, "FLOP/s", "sv") == f"32,0{NBSP}GFLOP/s"
    assert nf.rate(4.8e12, "B/s", "en") == f"4.80{NBSP}TB/s"
    assert nf.rate(500.0, "FLOP/s", "en") == f"500{NBSP}FLOP/s"
    assert nf.percent(0.412, "en") == "41%"
    assert nf.percent(0.05, "en") == "5.0%"
    assert nf.percent(0.05, "sv") == f"5,0{NBSP}%"


@pytest.mark.parametrize("fraction, lang, text", [
    (0.412, "sv", "41 %"), (0.412, "en", "41%"), (1.25, "sv", "125 %"), (1.25, "en", "125%"),
    (0.05, "sv", "5,0 %"), (0.05, "en", "5.0%"), (12.5, "sv", "1 250 %"), (12.5, "en", "1,250%"),
    (0.0, "sv", "0,0 %"), (0.0, "en", "0.0%"),
])
def test_percent_as_each_locale_writes_it(fraction, lang, text):
    # Swedish: a no-break space before the sign (Babel's sv pattern '#,##0\u00a0%'), as between a number and
    # its unit and in its thousands groups on the rest of the site; English: none.
    assert nf.percent(fraction, lang) == text.replace(" ", NBSP)


def test_swedish_percent_has_a_space_as_documented():
    assert nf.percent(0.412, "sv") == f"41{NBSP}%"
    assert nf.percent(0.412, "sv").replace(NBSP, " ") == "41 %"  # what percent()'s docstring promises


@pytest.mark.parametrize("value, lang, text", [(1234, "sv", "1 234"), (1234, "en", "1,234"), (7, "sv", "7"),
                                               (1234567, "en", "1,234,567")])
def test_count_groups_whole_numbers_as_the_locale_does(value, lang, text):
    assert nf.count(value, lang).replace(NBSP, " ") == text


@pytest.mark.parametrize("value, lang, text", [(0.5, "sv", "0,5"), (0.5, "en", "0.5"), (2.0, "en", "2"),
                                               (1500.0, "en", "1,500"), (0.125, "sv", "0,125")])
def test_axis_ticks_have_no_fixed_digits(value, lang, text):
    assert nf.tick(value, lang).replace(NBSP, " ") == text


@pytest.mark.parametrize("seconds, unit", [(1.0, "s"), (0.999, "ms"), (1e-3, "ms"), (9.99e-4, "µs"), (1e-6, "µs"),
                                           (5e-10, "ns"), (0.0, "ns"), (-0.002, "ms")])
def test_time_unit_thresholds(seconds, unit):
    assert nf.time_unit(seconds)[0] == unit


@pytest.mark.parametrize("per_second, text", [(1e12, "1.00 TFLOP/s"), (999e9, "999 GFLOP/s"), (1e9, "1.00 GFLOP/s"),
                                              (2.5e6, "2.50 MFLOP/s"), (0.0, "0.00 FLOP/s")])
def test_rate_prefix_thresholds(per_second, text):
    assert nf.rate(per_second, "FLOP/s", "en") == text.replace(" ", NBSP)


def test_every_number_keeps_number_and_unit_together():
    for text in (nf.duration(0.00132, "sv"), nf.rate(3.2e10, "B/s", "sv"), nf.percent(0.5, "sv")):
        assert " " not in text, repr(text)  # only no-break spaces: a line never breaks between them


def test_significant_is_what_the_value_marker_and_the_noise_note_show():
    assert nf.significant(41.7, "en", 2) == "42" and nf.significant(4.17, "sv", 2) == "4,2"
    assert nf.significant(2048, "en") == "2,048"  # a size is never rounded to 2,050
    assert nf.significant(0.0123, "sv") == "0,0123" and nf.significant(9.96, "en", 2) == "10"
