"""Atomic file writes and advisory file locks: the one home for "write a temporary file beside the
target, then rename it" and for "one writer at a time on this file".

Temporary files are created with mode ``0666`` minus the process umask, as ``open(path, "w")`` would,
so a written file gets the user's usual permissions (not ``mkstemp``'s ``0600``). Their names carry the
host and process id (``.<name>.<host>~<pid>~<random>.tmp``); a temporary file left by a process of this
host that no longer runs (killed mid-write) is removed by the next write to the same target.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import socket
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Callable, Union

try:  # POSIX; absent on Windows
    import fcntl
except ImportError:  # pragma: no cover - exercised only on Windows
    fcntl = None  # type: ignore[assignment]

PathLike = Union[str, "os.PathLike[str]"]

_HOST = re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname())[:64] or "host"


def _temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{_HOST}~{os.getpid()}~{secrets.token_hex(6)}.tmp")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return True
    return True


def stale_temp_files(path: PathLike) -> list[Path]:
    """Temporary files of earlier writes to ``path`` whose writer (a process of this host) has ended.
    Temporary files of other hosts or of running processes are never listed."""
    path = Path(path)
    pattern = re.compile(r"^\." + re.escape(path.name) + r"\.(?P<host>[A-Za-z0-9_-]+)~(?P<pid>\d+)~[0-9a-f]+\.tmp$")
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    out = []
    for name in names:
        m = pattern.match(name)
        if m and m["host"] == _HOST and int(m["pid"]) != os.getpid() and not _pid_alive(int(m["pid"])):
            out.append(path.parent / name)
    return sorted(out)


def remove_stale_temp_files(path: PathLike) -> list[Path]:
    """Removes :func:`stale_temp_files` of ``path``; returns the ones removed."""
    removed = []
    for p in stale_temp_files(path):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
            removed.append(p)
    return removed


def atomic_write(path: PathLike, write: Callable[[str], object]) -> Path:
    """Calls ``write(tmp)`` with a temporary path in ``path``'s folder, then renames it onto ``path``.

    A reader never sees a half-written file: on any error the temporary file is removed and the target
    is left as it was. Parent folders are created. The file gets mode ``0666 & ~umask``. Stale temporary
    files of dead writers of ``path`` are removed first. Returns ``path`` as a ``Path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(path)
    tmp = _temp_name(path)
    # os.open applies the umask to 0o666, exactly as a plain open(..., "w") does.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    os.close(fd)
    try:
        write(str(tmp))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def atomic_write_bytes(path: PathLike, write: Callable[[object], object]) -> Path:
    """Like ``atomic_write`` but hands ``write`` an open binary file object instead of a path."""

    def to_file(tmp: str) -> None:
        with open(tmp, "wb") as f:
            write(f)

    return atomic_write(path, to_file)


def lock_path(path: PathLike) -> Path:
    """The lock file that guards ``path``: ``<path>.lock`` beside it (kept after use; never remove it
    while writers may run, or two of them could lock different files)."""
    path = Path(path)
    return path.with_name(path.name + ".lock")


@contextlib.contextmanager
def file_lock(path: PathLike) -> Iterator[Path]:
    """Holds an exclusive advisory lock (``fcntl.flock``) on :func:`lock_path` of ``path`` for the
    ``with`` block, waiting for other holders. Every forgetscope writer of ``path`` takes it around its
    read–modify–write, so concurrent writers queue instead of overwriting each other. The lock is
    released when the block ends or the process dies. Without ``fcntl`` (Windows) it warns and does not
    lock."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lp = lock_path(path)
    if fcntl is None:  # pragma: no cover - Windows
        warnings.warn(f"{lp}: no fcntl on this platform, concurrent writers of {path} are not serialised", RuntimeWarning, stacklevel=3)
        yield lp
        return
    fd = os.open(lp, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                break
            except OSError as e:  # EINTR on an interrupted wait: try again
                if e.errno != errno.EINTR:
                    raise OSError(e.errno, f"cannot lock {lp} ({e.strerror}); concurrent writers of {path} need a file "
                                  "system with working flock (local disks do; some network mounts do not)") from e
        try:
            yield lp
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
