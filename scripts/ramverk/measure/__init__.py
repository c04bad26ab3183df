"""Measuring snippets: the runner plans and launches one sandboxed worker per group, the worker times
the snippet's builds (timing), and devices/fidelity describe and check the machine.
May import: contract, executor, results, ramverk.sections."""
