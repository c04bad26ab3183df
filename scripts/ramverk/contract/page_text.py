"""The words the build adds to pages (tables, charts, claims, output blocks, notebooks, the generated
glossary pages), in each language: one catalogue, with a test that every key exists in both. Numbers go
through render/number_format. It lives in contract/ so that every room that writes page words can use it."""

from __future__ import annotations

import re

from ramverk.contract import site_config

TEXT = {
    "sv": {
        "case": "Fall",
        "first_call": "första anropet",
        "speedup_vs": "uppsnabbning mot {baseline}",
        "slower_than": "långsammare än {baseline}",
        "faster": "snabbare",
        "slower": "långsammare",
        "than": "än {baseline}",
        "against": "Mot {baseline}",
        "rate_bytes": "Bandbredd",
        "rate_flops": "FLOP/s",
        "share_of_limit": "% av taket",
        "stale": "mätt på äldre kod{commit}",
        "stale_title": "Koden som fallet kör har ändrats sedan mätningen. Mät om: "
                       ".venv/bin/python -m ramverk run --device {device} --only {snippet}",
        "measured_on": "Mätt",
        "on": "på",
        "spread": "Median av n mätningar; ± är halva kvartilavståndet (IQR/2).",
        "table_caption": "Tid: median ± halva kvartilavståndet (IQR/2), alltså halva bredden på intervallet där den "
                         "mellersta hälften av mätningarna ligger.",
        "baseline_row": "baslinje",
        "paired": "En kvot mot ett annat läge är parad när mätskriptet körde fallen växelvis A B A B i samma process (tabellen anger då ett intervall inom parentes); annars är den kvoten mellan två medianer.",
        "raw": "Rådata",
        "noise": "Få delade kärnor ger stort brus: en kvots mittersta hälft av mätningarna spänner här i median "
                 "±{percent} % kring kvoten (över {n} kvoter på den här maskinen). Läs mindre skillnader som osäkra.",
        "noise_no_ratios": "Få delade kärnor ger stort brus: läs små skillnader som osäkra.",
        "of": "av",
        "limit": "Tak",
        "provenance_title": "Om mätningarna på sidan",
        "chart_title": "Tid per anrop (median, felstaplar = IQR)",
        "chart_axis": "tid per anrop",
        "log_scale": "logaritmisk skala",
        # the profiler timeline of a trace marker (render/trace_timeline.py)
        "trace_title": "Profilerarens tidslinje: ett steg av {snippet} ({framework}, läget {mode})",
        "trace_axis": "tid från stegets början (ms)",
        "trace_thread": "Tråd",
        "trace_idle": "vilar",
        "trace_slowest": "Längst egen tid (tiden utan det som anropas inifrån):",
        "trace_summary": "{lanes} trådar, {spans} händelser på {total}. Längst egen tid: {slowest}. "
                         "Tråden vilar (kör ingen händelse) {idle}.",
        "trace_idle_share": "{share} av steget på tråden {lane}",
        "trace_caption": "{profiler}, ett steg av `{snippet}` ({framework} {version}, läget {mode}, {params}) "
                         "på {device}, maskinen {machine}, {date}, commit {commit}. Lådorna är händelserna, "
                         "en rad per anropsdjup; en ljusröd yta med streckad kant är en lucka där tråden inte "
                         "kör någon händelse.",
        "trace_deeper": " Händelser djupare än {depth} nivåer ritas inte ({n} st.).",
        "trace_stale": " Koden har ändrats sedan profilen togs: ta om den med "
                       "`python -m ramverk trace {snippet} --framework {framework} --mode {mode}`.",
        "claim_ok": "uppmätt",
        "no_gpu": "Inte mätt på en GPU än. På en maskin med en NVIDIA-GPU: `{command}`",
        "no_gpu_several": "Inte mätta på en GPU än: {snippets}. På en maskin med en NVIDIA-GPU: "
                          "{commands}",
        "used_on": "Visas på",
        "machine": "Maskin",
        "details": "n\u00a0=\u00a0{n} · första anropet {first}",
        "details_no_first": "n\u00a0=\u00a0{n}",
        "thread": "tråd",
        "threads_plural": "trådar",
        "output": "Utdata",
        "output_more": "… {n} rader till (hela utdatan finns i notebooken)",
        "notebook_link": "Öppna som notebook",
        "notebook_download_short": "ladda ner .ipynb",
        "notebook_outputs_note": "Utdata under cellerna spelades in med python -m ramverk outputs: cellerna kördes "
                                 "uppifrån och ned i en och samma Jupyter-kernel. Tider och slumptal blir andra på "
                                 "din dator.",
        "notebook_not_run": "Cellen ovan kördes inte när utdatan spelades in: {reason}.",
        "notebook_back": "Från sidan",
        "notebook_download": "Ladda ner notebooken",
        "notebook_split_away": "En del av sidans kod ligger i egna notebooks ({notebooks}): den sätter en "
                               "miljövariabel innan den importerar ett paket som en tidigare cell redan har "
                               "importerat. Jupyter kör en notebooks celler i en och samma Python-process, som "
                               "importerar ett paket bara en gång, så i den här notebooken skulle inställningen inte "
                               "få någon effekt.",
        "notebook_split_here": "Den här notebooken är utbruten ur {first} (sidans övriga celler): dess första cell "
                               "sätter {variables} innan den importerar {packages}, som en tidigare cell på sidan "
                               "redan har importerat. Jupyter kör en notebooks celler i en och samma Python-process, "
                               "som importerar ett paket bara en gång, så i en notebook med de cellerna skulle "
                               "inställningen inte få någon effekt.",
        "not_measured": "Inte mätt än",
        "limit_line": "Procenten är av taket {limit}{device} ({what}).",
        # the CPU's FLOP/s ceiling (results/roofline.py): measured by the FMA test, with the data-sheet figure beside it
        "ceiling_measured": "{threads} × {core}, uppmätt på maskinen med mätskriptets FMA-test (oberoende kedjor "
                            "av FMA-instruktioner på {bits} bitar breda vektorer i en tråd, den snabbaste av många "
                            "korta körningar). {beside}",
        "ceiling_measured_short": "uppmätt, FMA-test",
        "ceiling_beside": "Databladsvärdet bredvid: {sheet}",
        "ceiling_no_sheet": "Tabellen över kärnkonstruktioner har inget databladsvärde för den här processorn.",
        "ceiling_sheet_only": "databladsvärde, inte uppmätt: {sheet}. Ett uppmätt tak ersätter det nästa gång "
                              "mätskriptet körs på maskinen (dess FMA-test)",
        "ceiling_sheet_short": "databladsvärde, inte uppmätt",
        "ceiling_data_sheet": "{design} ({recognised}) har {pipes} FMA-enheter med {bits} bitars databredd, alltså "
                              "{per_cycle} flyttalsoperationer i float32 per klockcykel och kärna (en FMA är en "
                              "multiplikation och en addition); trådar × nominell klockfrekvens × FLOP per cykel = "
                              "{threads} × {ghz} GHz × {per_cycle} = {value} (källa: {source})",
        "ceiling_known_by_model": "känns igen på familj {family}, modell {model}",
        "ceiling_known_by_flags": "känns igen på tillverkare och flaggor, {vendor} med {flags}, eftersom "
                                  "resultatfilen saknar familj och modell",
        "glossary_title": "Ordlista",
        "glossary_intro": (
            "Alla tekniska termer som används på webbplatsen, på svenska och engelska, med en kort förklaring "
            "av vad de betyder. Varje term länkar till sidan som förklarar den närmare. Termerna är bindande: "
            "sidorna använder dem i precis den här formen."
        ),
        "glossary_other_language": "Engelska",
        "glossary_also": "Även",
        "glossary_explained_in": "Förklaras i",
        # the page pair `ramverk new-note` writes (contrib/new_note.py)
        "new_note_intro": "Skriv här vilken fråga sidan besvarar, i en eller två meningar.",
        "new_note_code": "Samma beräkning i varje ramverk",
        "new_note_code_text": "Byt ut beräkningen i `{snippet}` mot din egen. Flikarna är länkade.",
        "new_note_speed": "Hur snabbt går det?",
        "new_note_speed_text": ("Tabellen byggs från de mätningar som finns i `results/`. Beskriv vad den visar, "
                                "och skriv bara ett påstående om den har en claim-markör efter sig."),
        "new_note_try": "Prova själv",
        "new_note_try_text": ("Beskriv en liten övning här. Lösningen nedan körs av testerna, precis som "
                              "kodblocken ovan."),
        "new_note_solution": "Lösning",
        "new_note_docs": "Officiell dokumentation",
    },
    "en": {
        "case": "Case",
        "first_call": "first call",
        "speedup_vs": "speedup vs {baseline}",
        "slower_than": "slower than {baseline}",
        "faster": "faster",
        "slower": "slower",
        "than": "than {baseline}",
        "against": "Against {baseline}",
        "rate_bytes": "Bandwidth",
        "rate_flops": "FLOP/s",
        "share_of_limit": "% of the limit",
        "stale": "measured on earlier code{commit}",
        "stale_title": "The code this case runs changed after it was measured. Re-measure: "
                       ".venv/bin/python -m ramverk run --device {device} --only {snippet}",
        "measured_on": "Measured",
        "on": "on",
        "spread": "Median of n samples; ± is half the interquartile range (IQR/2).",
        "table_caption": "Time: median ± half the interquartile range (IQR/2), that is half the width of the "
                         "interval holding the middle half of the samples.",
        "baseline_row": "baseline",
        "paired": "A ratio to another mode is paired when the runner ran the cases alternately A B A B in one process (the table then gives an interval in brackets); otherwise it is the ratio of two medians.",
        "raw": "Raw data",
        "noise": "A few shared cores make the noise large: the middle half of a ratio's samples spans, in the median, "
                 "±{percent} % around the ratio here (over {n} ratios on this machine). Read smaller differences as "
                 "uncertain.",
        "noise_no_ratios": "A few shared cores make the noise large: read small differences as uncertain.",
        "of": "of",
        "limit": "Limit",
        "provenance_title": "About the measurements on this page",
        "chart_title": "Time per call (median, error bars = IQR)",
        "chart_axis": "time per call",
        "log_scale": "log scale",
        # the profiler timeline of a trace marker (render/trace_timeline.py)
        "trace_title": "Profiler timeline: one step of {snippet} ({framework}, mode {mode})",
        "trace_axis": "time from the step's start (ms)",
        "trace_thread": "Thread",
        "trace_idle": "idle",
        "trace_slowest": "Longest self time (the time without what is called from inside):",
        "trace_summary": "{lanes} threads, {spans} events in {total}. Longest self time: {slowest}. "
                         "Idle (running no event): {idle}.",
        "trace_idle_share": "{share} of the step on thread {lane}",
        "trace_caption": "{profiler}, one step of `{snippet}` ({framework} {version}, mode {mode}, {params}) "
                         "on {device}, machine {machine}, {date}, commit {commit}. The boxes are the events, "
                         "one row per call depth; a pale red area with a dashed edge is a gap in which the "
                         "thread runs no event.",
        "trace_deeper": " Events deeper than {depth} levels are not drawn ({n} of them).",
        "trace_stale": " The code has changed since the profile was taken: take it again with "
                       "`python -m ramverk trace {snippet} --framework {framework} --mode {mode}`.",
        "claim_ok": "measured",
        "no_gpu": "Not measured on a GPU yet. On a machine with an NVIDIA GPU: `{command}`",
        "no_gpu_several": "Not measured on a GPU yet: {snippets}. On a machine with an NVIDIA GPU: "
                          "{commands}",
        "used_on": "Shown on",
        "machine": "Machine",
        "details": "n\u00a0=\u00a0{n} · first call {first}",
        "details_no_first": "n\u00a0=\u00a0{n}",
        "thread": "thread",
        "threads_plural": "threads",
        "output": "Output",
        "output_more": "… {n} more lines (the whole output is in the notebook)",
        "notebook_link": "Open as a notebook",
        "notebook_download_short": "download .ipynb",
        "notebook_outputs_note": "The outputs under the cells were recorded with python -m ramverk outputs: the cells "
                                 "ran top to bottom in one Jupyter kernel. Timings and random numbers will differ on "
                                 "your machine.",
        "notebook_not_run": "The cell above was not run when the outputs were recorded: {reason}.",
        "notebook_back": "From the page",
        "notebook_download": "Download the notebook",
        "notebook_split_away": "Some of the page's code is in notebooks of its own ({notebooks}): it sets an "
                               "environment variable before importing a package that an earlier cell has already "
                               "imported. Jupyter runs a notebook's cells in one Python process, which imports a "
                               "package only once, so in this notebook the setting would have no effect.",
        "notebook_split_here": "This notebook is split off from {first} (the page's other cells): its first cell sets "
                               "{variables} before importing {packages}, which an earlier cell of the page has already "
                               "imported. Jupyter runs a notebook's cells in one Python process, which imports a "
                               "package only once, so in one notebook with those cells the setting would have no "
                               "effect.",
        "not_measured": "Not measured yet",
        "limit_line": "The percentages are of the limit {limit}{device} ({what}).",
        # the CPU's FLOP/s ceiling (results/roofline.py): measured by the FMA probe, with the data-sheet figure beside it
        "ceiling_measured": "{threads} × {core}, measured on this machine by the runner's FMA probe (independent "
                            "chains of FMA instructions on {bits}-bit vectors in one thread, the fastest of many "
                            "short runs). {beside}",
        "ceiling_measured_short": "measured, FMA probe",
        "ceiling_beside": "The data-sheet figure beside it: {sheet}",
        "ceiling_no_sheet": "The table of core designs has no data-sheet figure for this CPU.",
        "ceiling_sheet_only": "data-sheet figure, not measured: {sheet}. A measured ceiling replaces it the next time "
                              "the runner runs on this machine (its FMA probe)",
        "ceiling_sheet_short": "data-sheet figure, not measured",
        "ceiling_data_sheet": "{design} ({recognised}) has {pipes} FMA pipes with a {bits}-bit datapath, so "
                              "{per_cycle} float32 FLOP per cycle per core (an FMA is a multiply and an add); "
                              "threads × nominal clock × FLOP per cycle = {threads} × {ghz} GHz × {per_cycle} = "
                              "{value} (source: {source})",
        "ceiling_known_by_model": "recognised by family {family}, model {model}",
        "ceiling_known_by_flags": "recognised by vendor and flags, {vendor} with {flags}, as the results file "
                                  "records no family or model",
        "glossary_title": "Glossary",
        "glossary_intro": (
            "Every technical term used on the site, in Swedish and English, with a short definition of what "
            "it means. Each term links to the page that explains it in full. The terms are binding: the pages "
            "use them in exactly this form."
        ),
        "glossary_other_language": "Swedish",
        "glossary_also": "Also",
        "glossary_explained_in": "Explained in",
        # the page pair `ramverk new-note` writes (contrib/new_note.py)
        "new_note_intro": "Say here which question this page answers, in a sentence or two.",
        "new_note_code": "The same computation in each framework",
        "new_note_code_text": "Replace the computation in `{snippet}` with yours. The tabs are linked.",
        "new_note_speed": "How fast is it?",
        "new_note_speed_text": ("The table is built from the measurements in `results/`. Say what it shows, "
                                "and state a relation only with a claim marker after it."),
        "new_note_try": "Try it yourself",
        "new_note_try_text": ("Describe a small exercise here. The solution below is run by the tests, like the "
                              "blocks above."),
        "new_note_solution": "Solution",
        "new_note_docs": "Official documentation",
    },
}

# How devices.cpu_name() names a CPU in the results: "AMD EPYC, 1 thread", "Xeon, 4 threads".
CPU_NAME = re.compile(r"^(?P<model>.*), (?P<n>\d+) threads?$")


def language(lang: str | None) -> str:
    """The page's language; a marker or page with none is in the site's default language (mkdocs.yml's
    i18n default, the first of site_config's languages), never silently English."""
    return lang or site_config.load().languages[0]


def t(lang: str, key: str, **values) -> str:
    table = TEXT.get(language(lang)) or TEXT["en"]
    return table[key].format(**values)


def device_name(name: str, lang: str) -> str:
    """A device name as stored in results ("AMD EPYC, 1 thread") in the page's language ("AMD EPYC, 1 tråd").

    Only the thread count's word is translated; GPU names and anything else are shown as stored.
    """
    m = CPU_NAME.match(name)
    if m is None:
        return name
    n = int(m["n"])
    return f"{m['model']}, {n} {t(lang, 'thread' if n == 1 else 'threads_plural')}"
