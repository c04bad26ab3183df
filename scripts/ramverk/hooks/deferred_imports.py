"""A MkDocs plugin, listed first in mkdocs.yml, that defers two of mkdocs-jupyter's imports.

When MkDocs loads mkdocs-jupyter, the plugin imports jupytext (which reads .md and .py notebooks;
this site renders only .ipynb) and its converter, which imports nbconvert (needed only for a
notebook that is not in mkdocs-jupyter's cache). Together they are about 0.4 s of every build, a
tenth of a warm one. Loaded before mkdocs-jupyter, this plugin puts a stand-in for each of the two
modules in sys.modules; the first name read from a stand-in imports the real module. A cold build
converts notebooks exactly as before.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

from mkdocs.plugins import BasePlugin

DEFERRED = ("jupytext", "mkdocs_jupyter.convert")


class _ImportedOnFirstUse(types.ModuleType):
    def __getattr__(self, name: str):  # only names the stand-in lacks: all until the first use
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        self.__dict__.update(real.__dict__)  # whoever holds the stand-in now reads the real module
        return getattr(real, name)


def defer(module: str) -> None:
    """Put a stand-in for module in sys.modules, unless it is imported already or not installed."""
    if module in sys.modules:
        return
    spec = importlib.util.find_spec(module)  # what the import system checks; runs none of the module's code
    if spec is None:
        return
    stand_in = _ImportedOnFirstUse(module)
    # What code that walks sys.modules reads (the import system, inspect, linecache) is there
    # without importing; no __path__, so importing a submodule imports the real package first.
    stand_in.__spec__, stand_in.__loader__, stand_in.__file__ = spec, spec.loader, spec.origin
    sys.modules[module] = stand_in


class DeferredImports(BasePlugin):
    def __init__(self):
        super().__init__()
        for module in DEFERRED:
            defer(module)
