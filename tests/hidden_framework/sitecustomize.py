"""Put on a child's PYTHONPATH with RAMVERK_HIDE=torch,jax to make those packages unimportable there.

A finder first on sys.meta_path answers "No module named ..." for them, as on a machine without
them. (`sys.modules[name] = None` would do that too, but libraries such as scipy take a name in
sys.modules as proof that it was imported and then fail on the None.)
"""

import os
import sys

_HIDDEN = frozenset(filter(None, os.environ.get("RAMVERK_HIDE", "").split(",")))


class _Hidden:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in _HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


if _HIDDEN:
    sys.meta_path.insert(0, _Hidden)
