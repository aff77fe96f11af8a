"""Atomic file writes: the one home for "write a temporary file beside the target, then rename it"."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable, Union

PathLike = Union[str, "os.PathLike[str]"]


def atomic_write(path: PathLike, write: Callable[[str], object]) -> Path:
    """Calls ``write(tmp)`` with a temporary path in ``path``'s folder, then renames it onto ``path``.

    A reader never sees a half-written file: on any error the temporary file is removed and the target
    is left as it was. Parent folders are created. Returns ``path`` as a ``Path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def atomic_write_bytes(path: PathLike, write: Callable[[object], object]) -> Path:
    """Like ``atomic_write`` but hands ``write`` an open binary file object instead of a path."""

    def to_file(tmp: str) -> None:
        with open(tmp, "wb") as f:
            write(f)

    return atomic_write(path, to_file)
