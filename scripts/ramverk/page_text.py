"""The words the generated tables and charts use, in each language (numbers go through number_format)."""

from __future__ import annotations

TEXT = {
    "sv": {
        "case": "Fall",
        "first_call": "första anropet",
        "speedup_vs": "uppsnabbning mot {baseline}",
        "stale": "inaktuell",
        "stale_title": "Kodsnutten har ändrats sedan mätningen. Kör: python -m ramverk run --only {snippet}",
        "measured_on": "Mätt",
        "on": "på",
        "threads": "tråd(ar)",
        "spread": "Median av n mätningar; ± är halva kvartilavståndet (IQR/2). Uppsnabbningen är parad: fallen körs växelvis A B A B i samma process.",
        "raw": "Rådata",
        "noise": "Två delade kärnor ger stort brus: läs skillnader under ungefär 10 % som osäkra.",
        "of_peak": "av taket",
        "chart_title": "Tid per anrop (median, felstaplar = IQR)",
        "chart_axis": "tid per anrop",
        "claim_ok": "uppmätt",
        "no_gpu": "Inte mätt på en GPU än. På en maskin med en NVIDIA-GPU: `{command}`",
    },
    "en": {
        "case": "Case",
        "first_call": "first call",
        "speedup_vs": "speedup vs {baseline}",
        "stale": "stale",
        "stale_title": "The snippet changed after it was measured. Run: python -m ramverk run --only {snippet}",
        "measured_on": "Measured",
        "on": "on",
        "threads": "thread(s)",
        "spread": "Median of n samples; ± is half the interquartile range (IQR/2). Speedups are paired: the cases run alternately A B A B in one process.",
        "raw": "Raw data",
        "noise": "Two shared cores make the noise large: read differences below about 10 % as uncertain.",
        "of_peak": "of the limit",
        "chart_title": "Time per call (median, error bars = IQR)",
        "chart_axis": "time per call",
        "claim_ok": "measured",
        "no_gpu": "Not measured on a GPU yet. On a machine with an NVIDIA GPU: `{command}`",
    },
}


def t(lang: str, key: str, **values) -> str:
    table = TEXT.get(lang) or TEXT["en"]
    return table[key].format(**values)
