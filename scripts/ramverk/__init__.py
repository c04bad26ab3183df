"""Ramverk's tooling: the snippet runner, the page checks and the MkDocs hooks."""
