"""Put on a child's PYTHONPATH with RAMVERK_HIDE=torch,jax to make those packages unimportable there.

The path finder is wrapped so that it does not find them, as on a machine without them: `import`
raises ModuleNotFoundError and `importlib.util.find_spec` returns None. (`sys.modules[name] = None`
is not faithful: scipy takes a name in sys.modules as proof of an import and then fails on the None,
and torch's compiler probes optional packages with find_spec, which then raises.)
"""

import os
import sys
from importlib.machinery import PathFinder

_HIDDEN = frozenset(filter(None, os.environ.get("RAMVERK_HIDE", "").split(",")))


class _Hiding:
    def __init__(self, finder):
        self._finder = finder

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in _HIDDEN:
            return None
        return self._finder.find_spec(name, path, target)

    def __getattr__(self, attribute):  # invalidate_caches and the rest
        return getattr(self._finder, attribute)


if _HIDDEN:
    sys.meta_path[:] = [_Hiding(f) if f is PathFinder else f for f in sys.meta_path]
