"""Numbers for the page's language, by Babel: `1,32 ms` in Swedish, `1.32 ms` in English. Always with units."""

from __future__ import annotations

import math
import re

from babel import Locale
from babel.numbers import format_decimal, format_percent

NBSP = "\u00a0"  # between a number and its unit, so they never wrap apart
# (threshold in seconds, unit, factor): the first whose threshold the value reaches is used.
TIME_UNITS = ((1.0, "s", 1.0), (1e-3, "ms", 1e3), (1e-6, "µs", 1e6), (0.0, "ns", 1e9))
RATE_UNITS = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (0.0, ""))
NUMBER_PATTERN = re.compile(r"[#,0.]+")  # the digits of a CLDR pattern such as '#,##0\u00a0%'


def _decimals(value: float, digits: int) -> int:
    """Decimals so that `digits` significant digits show (0.0123, 1.32, 132); never fewer than the integer part."""
    return max(0, digits - 1 - math.floor(math.log10(abs(value)))) if value else digits - 1


def _significant(value: float, digits: int = 3) -> float:
    """`value` rounded to the digits number() shows, so a unit is chosen for what is shown (0.9996 ms is 1.00 ms)."""
    return float(f"{value:.{digits}g}")


def number(value: float, lang: str, digits: int = 3) -> str:
    """`value` with `digits` significant digits (at least the integer part), grouped and localised."""
    decimals = _decimals(value, digits)
    rounded = round(value, decimals)
    if rounded and _decimals(rounded, digits) < decimals:  # the rounding carried: 9.996 is 10.0, not 10.00
        decimals = _decimals(rounded, digits)
        rounded = round(value, decimals)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(rounded, format=pattern, locale=lang)


def time_unit(seconds: float) -> tuple[str, float]:
    for threshold, unit, factor in TIME_UNITS:
        if abs(seconds) >= threshold:
            return unit, factor
    return "ns", 1e9


def duration(seconds: float, lang: str, unit: str | None = None) -> str:
    """`0.00132` -> `1,32 ms` (sv) / `1.32 ms` (en). `unit` forces one unit for a whole column."""
    unit = unit or time_unit(_significant(seconds))[0]
    factor = next(f for _, u, f in TIME_UNITS if u == unit)
    return f"{number(seconds * factor, lang)}{NBSP}{unit}"


def ratio(value: float, lang: str) -> str:
    """`9.06` -> `9,06×`."""
    return f"{number(value, lang)}×"


def rate(per_second: float, unit: str, lang: str) -> str:
    """`3.2e10, "FLOP/s"` -> `32,0 GFLOP/s`."""
    for threshold, prefix in RATE_UNITS:
        if _significant(per_second) >= threshold:
            scaled = per_second / threshold if threshold else per_second
            return f"{number(scaled, lang)}{NBSP}{prefix}{unit}"
    return f"{number(per_second, lang)}{NBSP}{unit}"


def percent(fraction: float, lang: str) -> str:
    """`0.412` -> `41 %` (sv, a no-break space like the site's other Swedish numbers) / `41%` (en).

    The locale's own pattern gives the sign's place and spacing; only the digits are chosen here
    (whole percent from 10 %, one decimal below)."""
    digits = "#,##0" if fraction >= 0.1 else "#,##0.0"
    pattern = Locale.parse(lang).percent_formats[None].pattern.split(";")[0]
    return format_percent(fraction, format=NUMBER_PATTERN.sub(digits, pattern, count=1), locale=lang)


def significant(value: float, lang: str, digits: int = 3) -> str:
    """`value` with `digits` significant digits, and a value that needs no decimals at that precision as
    the whole number nearest it (a size of 2048 stays 2 048): `41.7` -> `42` at two digits, `4.17` ->
    `4,2` (sv). What the value marker shows with digits=N (render/values.py)."""
    if float(f"{value:.{digits}g}").is_integer():
        return count(round(value), lang)
    return number(value, lang, digits)


def count(value: int, lang: str) -> str:
    """A whole number as the locale groups it: `1234` -> `1 234` (sv) / `1,234` (en)."""
    return format_decimal(value, format="#,##0", locale=lang)


def tick(value: float, lang: str) -> str:
    """An axis tick as written (`0.5` -> `0,5` in Swedish): no fixed digits, no trailing zeros."""
    return format_decimal(value, format="#,##0.######", locale=lang)

