"""Finding and calling the forgetscope engine (the TypeScript package and its CLI) from Python.

How the engine is found (first match wins; :func:`forgetscope_command`):

1. ``$FORGETSCOPE_CLI``: the command, split like a shell, e.g. ``FORGETSCOPE_CLI="node /opt/forgetscope/dist/cli/bin.js"``;
2. the built CLI of the repository checkout this package sits in (``node <repo>/dist/cli/bin.js``; run
   ``npm ci && npm run build`` in the checkout);
3. ``forgetscope`` on ``PATH`` (``npm install -g forgetscope``);
4. ``npx --no-install forgetscope`` (a project-local ``npm install forgetscope``).

Every route needs Node ≥ 22 on ``PATH`` (or the interpreter named in ``$FORGETSCOPE_CLI``); when it is
missing, :class:`EngineNotFoundError` says so and names the fix.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import shutil
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Optional, Union

#: Receives every line the engine writes on stderr (progress, warnings); default: the ``forgetscope.engine`` logger.
Progress = Callable[[str], None]

_log = logging.getLogger("forgetscope.engine")

_NODE_FIX = (
    "install Node.js >= 20 (https://nodejs.org, or `apt-get install nodejs`) and the engine "
    "(`npm install -g forgetscope`, or `npm ci && npm run build` in a repository checkout), "
    "or set FORGETSCOPE_CLI to a command that runs it, e.g. FORGETSCOPE_CLI='node /path/to/dist/cli/bin.js'"
)


def _repo_bin() -> Path:
    return Path(__file__).resolve().parents[2] / "dist" / "cli" / "bin.js"


def forgetscope_command() -> list[str]:
    """The command that runs the forgetscope CLI, first match wins:
    ``$FORGETSCOPE_CLI`` (split like a shell), the built CLI of the repository this package sits in
    (``node <repo>/dist/cli/bin.js``), ``forgetscope`` on PATH, then ``npx --no-install forgetscope``."""
    env = os.environ.get("FORGETSCOPE_CLI")
    if env:
        return shlex.split(env)
    repo_bin = _repo_bin()
    if repo_bin.is_file():
        return ["node", str(repo_bin)]
    on_path = shutil.which("forgetscope")
    if on_path:
        return [on_path]
    return ["npx", "--no-install", "forgetscope"]


class EngineNotFoundError(RuntimeError):
    """Node or the forgetscope engine cannot be found; the message names the fix."""


class ForgetscopeCliError(RuntimeError):
    """The CLI exited with a non-zero status; ``returncode`` and ``stderr`` say why.

    When the engine located the problem, ``file``, ``line`` and ``column`` hold its ``file:line:column``
    prefix (the parts it gave: ``line`` an int or ``None``; ``column`` a 1-based int, a column name, or
    ``None``) and ``message`` the engine's whole error line.
    """

    def __init__(self, args: Sequence[str], returncode: int, stderr: str):
        self.returncode = returncode
        self.stderr = stderr
        self.message = _error_line(stderr)
        self.file, self.line, self.column = _location(self.message)
        super().__init__(f"{self.message} (forgetscope {' '.join(args)} exited with {returncode})")


# The engine's ForgetscopeError prefix: "<file>[:<line>][:<column number or name>]: message".
_LOCATED = re.compile(r"^(?P<file>[^\s:][^:]*?)(?::(?P<line>\d+))?(?::(?P<col>[^:\s]+))?: ")


def _location(message: str) -> tuple[Optional[str], Optional[int], Union[int, str, None]]:
    m = _LOCATED.match(message)
    if not m:
        return None, None, None
    file = m.group("file")
    if not ("/" in file or "." in file or os.path.exists(file)):  # "error: …", "warning: …": no location
        return None, None, None
    col = m.group("col")
    return file, int(m.group("line")) if m.group("line") else None, (int(col) if col and col.isdigit() else col)
_NOISE = re.compile(r"^Warning: max\w+ artificially reduced")  # Dawn's adapter notices, not errors


def _error_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip() and not _NOISE.match(ln.strip())]
    for ln in lines:
        if _location(ln)[0] is not None:
            return ln
    return lines[-1] if lines else "(no message on stderr)"


def _check_launcher(cmd: Sequence[str]) -> None:
    exe = cmd[0]
    if os.path.sep in exe or shutil.which(exe):
        return
    if exe in ("node", "npx"):
        raise EngineNotFoundError(f"`{exe}` is not on PATH, so the forgetscope engine cannot run: {_NODE_FIX}")
    raise EngineNotFoundError(f"`{exe}` (from the forgetscope command {list(cmd)}) is not on PATH: {_NODE_FIX}")


def run_engine(
    args: Sequence[str],
    *,
    command: Optional[Sequence[str]] = None,
    progress: Optional[Progress] = None,
    timeout: float = 600,
) -> str:
    """Runs ``forgetscope <args>`` and returns its stdout. Each stderr line goes to ``progress`` as it
    arrives (default: the ``forgetscope.engine`` logger at INFO). A non-zero exit raises
    :class:`ForgetscopeCliError` with the engine's ``file:line:column`` message."""
    cmd = list(command or forgetscope_command()) + list(args)
    _check_launcher(cmd)
    sink = progress if progress is not None else _log.info
    try:
        # FORGETSCOPE_PROGRESS=lines: the engine reports progress as plain lines on stderr even with --json.
        env = {**os.environ, "FORGETSCOPE_PROGRESS": "lines"}
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    except FileNotFoundError as e:  # a launcher that vanished between the check and the start
        raise EngineNotFoundError(f"cannot start {cmd[0]!r}: {_NODE_FIX}") from e
    err_lines: list[str] = []

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            err_lines.append(line)
            sink(line.rstrip("\n"))

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        out = proc.stdout.read()
        proc.wait()
    finally:
        timer.cancel()
    reader.join()
    if proc.returncode in (-9, 137) and not timer.is_alive():
        raise subprocess.TimeoutExpired(cmd, timeout)
    stderr = "".join(err_lines)
    if proc.returncode != 0:
        if proc.returncode == 127 or (cmd[0] == "npx" and "could not determine executable" in stderr):
            raise EngineNotFoundError(f"the forgetscope engine is not installed ({stderr.strip()}): {_NODE_FIX}")
        raise ForgetscopeCliError(list(args), proc.returncode, stderr)
    return out


def run_cli(
    args: Sequence[str],
    *,
    command: Optional[Sequence[str]] = None,
    timeout: float = 600,
    progress: Optional[Progress] = None,
) -> dict[str, Any]:
    """Runs ``forgetscope <args> --json`` and returns its one JSON object (stderr is kept for errors)."""
    args = list(args)
    if "--json" not in args:
        args.append("--json")
    out = run_engine(args, command=command, progress=progress or (lambda _line: None), timeout=timeout)
    return json.loads(out)


def engine_root(command: Optional[Sequence[str]] = None) -> Path:
    """The root of the forgetscope npm package behind :func:`forgetscope_command` (holds ``dist/node.js``),
    found from the script the command runs (``.../dist/cli/bin.js``, symlinks followed)."""
    cmd = list(command or forgetscope_command())
    candidates: list[str] = [c for c in cmd if c.endswith(".js")]
    if not candidates and cmd and cmd[0] != "npx":
        found = shutil.which(cmd[0])
        if found:
            candidates.append(found)
    if cmd[:1] == ["npx"]:
        local = Path.cwd() / "node_modules" / "forgetscope"
        if local.exists():
            return local.resolve()
    for c in candidates:
        real = Path(c).resolve()
        for parent in real.parents:
            if (parent / "dist" / "node.js").is_file() and (parent / "package.json").is_file():
                return parent
    raise EngineNotFoundError(f"cannot find the forgetscope package (dist/node.js) behind the command {cmd}: {_NODE_FIX}")
