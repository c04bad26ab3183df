"""Turning results into page content: markers and their handlers, timing tables, charts, claims, the
benchmarks page, number formats, notebooks, traced graphs, maths and the theme templates' compile cache.
May import: contract, executor, results, pages, ramverk.sections."""
