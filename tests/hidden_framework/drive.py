"""Drive many snippets in one sandboxed process, so the framework imports are paid once.

    python drive.py main SNIPPET...          run each as `python SNIPPET` would (quick sizes)
    python drive.py build DEVICE SNIPPET...  load each as the runner's worker does, one framework at a
                                             time, and call every build(framework, mode, DEVICE) once
    python drive.py main SNIPPET... --build DEVICE SNIPPET...   both, in one process

Frameworks hidden with RAMVERK_HIDE (see sitecustomize.py) are skipped. Prints one JSON line per
case: {"case": ..., "ok": bool, "error": str, "skipped": [...], "devices": [...]}.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import sys
import traceback
import types
from pathlib import Path

from ramverk import sections
from ramverk.contract import frameworks, snippet_spec


def _emit(**fields) -> None:
    print(json.dumps(fields), file=sys.__stdout__, flush=True)


def run_main(path: Path) -> None:
    module = types.ModuleType("__main__")
    module.__file__ = str(path)
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = module  # what multiprocessing and pickling look up
    sys.path.insert(0, str(path.parent))
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            skipped = sections.execute(path, module.__dict__)
        _emit(case=str(path), ok=True, error="", skipped=[s.line() for s in skipped], output=out.getvalue()[-500:])
    except BaseException as error:  # noqa: BLE001 - reported per snippet
        _emit(case=str(path), ok=False, error=f"{type(error).__name__}: {error}\n{traceback.format_exc()[-2000:]}",
              skipped=[], output=out.getvalue()[-500:])
    finally:
        sys.modules["__main__"] = saved
        sys.path.remove(str(path.parent))
        _reset_global_settings()


def _reset_global_settings() -> None:
    """What a snippet may switch on for its whole process, switched back before the next one runs."""
    if "jax" in sys.modules:
        sys.modules["jax"].config.update("jax_enable_x64", False)
    if "torch" in sys.modules:
        sys.modules["torch"].set_default_dtype(sys.modules["torch"].float32)


def _devices_of(value) -> set[str]:
    """Where the arrays in a build's output live: torch 'meta'/'cpu', jax 'TFRT_CPU_0', ..."""
    found = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif type(item).__module__.startswith("torch") and hasattr(item, "device"):
            found.add(item.device.type)
        elif hasattr(item, "devices") and callable(item.devices):  # a jax.Array
            found.update(f"{d.platform}:{d.id}" for d in item.devices())
    return found


def run_builds(device: str, path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    spec = snippet_spec.load(path, root).benchmark
    for key in spec.frameworks:
        if not frameworks.available(key) or device.split(":")[0] not in {*frameworks.get(key).devices, "meta"}:
            continue
        if device == "meta" and key != "torch":
            continue
        if key == "jax":  # uncommitted arrays would land on the last CPU device, the build's on the first
            import jax

            jax.config.update("jax_default_device", jax.devices("cpu")[-1])
        sys.path.insert(0, str(path.parent))
        try:
            module, _ = sections.load(path, f"snippet_{path.stem}_{key}", sections.only_framework(key))
            if key == "torch":
                import torch

                # These builds check that a mode builds and runs with a framework missing, and where its
                # tensors live ("meta" stands in for cuda), not kernels: aot_eager traces the same graph
                # without Inductor's C++ compile (seconds per graph; the runner's quick run in test_snippets
                # compiles it), and Inductor makes no code for meta tensors (its constant folding failed on
                # scan_unroll's loop). The sections above ran with the real torch.compile.
                torch.compile = functools.partial(torch.compile, backend="aot_eager")  # put back below
            for mode in spec.modes[key]:
                step = module.build(key, mode, device, **spec.sizes["quick"])
                if mode in os.environ.get("RAMVERK_DRIVE_NO_CALL", "").split(","):  # built, not compiled
                    _emit(case=f"{path}:{key}/{mode}", ok=callable(step), error="", skipped=[], devices=[])
                    continue
                out = step()
                _emit(case=f"{path}:{key}/{mode}", ok=True, error="", skipped=[], devices=sorted(_devices_of(out)))
        except BaseException as error:  # noqa: BLE001 - reported per snippet
            _emit(case=f"{path}:{key}", ok=False, error=f"{type(error).__name__}: {error}\n"
                  f"{traceback.format_exc()[-2000:]}", skipped=[], devices=[])
        finally:
            sys.path.remove(str(path.parent))
            if key == "torch" and "torch" in sys.modules and isinstance(sys.modules["torch"].compile, functools.partial):
                sys.modules["torch"].compile = sys.modules["torch"].compile.func


def main(argv: list[str]) -> None:
    os.environ.setdefault("RAMVERK_QUICK", "1")
    # Three host devices for JAX (set before it is imported), so a build that forgets to commit its
    # arrays to jax.devices(device)[0] is caught: the default device is made the last one, which a build
    # that shards over two devices (model_parallelism's shard_map) does not use either.
    os.environ["XLA_FLAGS"] = os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=3"
    if argv[0] == "main":
        scripts, _, rest = " ".join(argv[1:]).partition(" --build ")
        for name in scripts.split():
            run_main(Path(name).resolve())
        if rest:
            main(["build", *rest.split()])
    elif argv[0] == "build":
        for name in argv[2:]:
            run_builds(argv[1], Path(name).resolve())
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(0)  # frameworks' exit handlers are slow; the results are printed
