"""The verbs of `python -m ramverk` (cli.VERBS names each one's module): each parses its options and
calls into the rooms below. May import: checks, contract, contrib, executor, measure, pages, render, results.
"""
