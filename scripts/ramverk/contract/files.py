"""Writing a file that someone else may be reading: the results files, the captured outputs and the
build's caches all go through write_atomic. It lives in contract/ so that every room can use it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str, durable: bool = True) -> None:
    """Write text so that whoever reads path (a killed run's next start, another build reading a
    cache) sees the old file or the new one, both complete: a temporary file in the same folder,
    fsync'ed, os.replace, the folder fsync'ed. durable=False leaves out the fsyncs, for a cache whose
    loss costs only time (the build memo writes hundreds of entries a build)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; results and caches are read by others
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if not durable:
        return
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
