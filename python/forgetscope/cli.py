"""Finding and calling the forgetscope engine (the TypeScript package and its CLI) from Python.

How the engine is found (first match wins; :func:`forgetscope_command`):

1. ``$FORGETSCOPE_CLI``: the command, split like a shell, e.g. ``FORGETSCOPE_CLI="node /opt/forgetscope/dist/cli/bin.js"``;
2. the npm package installed beside it: ``node_modules/forgetscope`` in the current folder or a parent
   (a project-local ``npm install forgetscope`` of the same version), so its native extras — Dawn's
   WebGPU, the system BLAS through koffi, PNG export — are used (the bundled engine runs without them);
3. the engine bundled inside this package (``forgetscope/engine/forgetscope.mjs``: a wheel or
   ``pip install ./python`` carries it, run with ``node``);
4. the built CLI of the repository checkout this package sits in (``node <repo>/dist/cli/bin.js``; run
   ``npm ci && npm run build`` in the checkout; how an editable install finds it);
5. ``forgetscope`` on ``PATH`` (``npm install -g forgetscope``; the Python console script of the same
   name, which forwards here, is skipped).

Every route needs Node ≥ 22 on ``PATH`` (or the interpreter named in ``$FORGETSCOPE_CLI``); when it is
missing, :class:`EngineNotFoundError` says so and names the fix. The engine's ``--version`` is checked
once per command against ``forgetscope.__version__``: a different version warns
(:class:`EngineVersionWarning`); the bundled engine is built with the package and always matches.
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
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Optional, Union

#: Receives every line the engine writes on stderr (progress, warnings).
ProgressCallback = Callable[[str], None]
#: What the ``progress`` argument takes: a callable receiving each stderr line; ``True`` or ``None`` (the
#: default) — tqdm bars on stderr for the engine's ``label done/total`` lines, other lines to the
#: ``forgetscope.engine`` logger; ``False`` — quiet (progress lines to the logger at DEBUG; the engine's ``warning: …`` lines still at WARNING).
Progress = Union[ProgressCallback, bool, None]

_log = logging.getLogger("forgetscope.engine")

_NODE_FIX = (
    "install Node.js >= 22 (https://nodejs.org, or your system's package manager) — the wheel "
    "(`pip install forgetscope`) carries the engine and needs nothing else; otherwise install the engine "
    "(`npm install -g forgetscope`, or `npm ci && npm run build` in a repository checkout), "
    "or set FORGETSCOPE_CLI to a command that runs it, e.g. FORGETSCOPE_CLI='node /path/to/dist/cli/bin.js'"
)


def _repo_bin() -> Path:
    return Path(__file__).resolve().parents[2] / "dist" / "cli" / "bin.js"


def bundled_engine() -> Optional[Path]:
    """The engine bundled in this package (``forgetscope/engine/forgetscope.mjs``), or None when this
    install has none (an editable install or a source checkout)."""
    path = Path(__file__).resolve().parent / "engine" / "forgetscope.mjs"
    return path if path.is_file() else None


def npm_package_beside(start: Optional[Path] = None) -> Optional[Path]:
    """The CLI of an npm-installed forgetscope of this package's version in ``node_modules`` of the
    current folder (or ``start``) or a parent, or None. Another version is passed over (its engine would
    not match this package's calls)."""
    from . import __version__

    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        package = candidate / "node_modules" / "forgetscope"
        cli = package / "dist" / "cli" / "bin.js"
        if not cli.is_file():
            continue
        try:
            version = json.loads((package / "package.json").read_text(encoding="utf-8")).get("version")
        except (OSError, ValueError):
            continue
        if version == __version__:
            return cli
    return None


def _is_python_script(path: str) -> bool:
    """True for a console script written by pip (its first line names a Python interpreter)."""
    try:
        with open(path, "rb") as f:
            first = f.readline(512)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first.lower()


def _on_path() -> Optional[str]:
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = shutil.which("forgetscope", path=folder) if folder else None
        if candidate and not _is_python_script(candidate):
            return candidate
    return None


def forgetscope_command() -> list[str]:
    """The command that runs the forgetscope CLI, first match wins: ``$FORGETSCOPE_CLI`` (split like a
    shell), the npm package of the same version in ``node_modules`` of this folder or a parent (its native
    extras apply), the engine bundled in this package (``node …/forgetscope/engine/forgetscope.mjs``), the built
    CLI of the repository this package sits in (``node <repo>/dist/cli/bin.js``), then ``forgetscope`` on
    PATH (not the Python console script that forwards here). Raises :class:`EngineNotFoundError` when none
    is found."""
    env = os.environ.get("FORGETSCOPE_CLI")
    if env:
        return shlex.split(env)
    beside = npm_package_beside()
    if beside is not None:
        return ["node", str(beside)]
    bundled = bundled_engine()
    if bundled is not None:
        return ["node", str(bundled)]
    repo_bin = _repo_bin()
    if repo_bin.is_file():
        return ["node", str(repo_bin)]
    on_path = _on_path()
    if on_path:
        return [on_path]
    raise EngineNotFoundError(f"no forgetscope engine found (no FORGETSCOPE_CLI, no bundled engine in this package, no built checkout, no `forgetscope` on PATH): {_NODE_FIX}")


class EngineVersionWarning(UserWarning):
    """The engine's version differs from the Python package's (``forgetscope.__version__``)."""


_checked: dict[tuple[str, ...], str] = {}


def engine_version(command: Optional[Sequence[str]] = None) -> str:
    """The engine's ``--version`` (cached per command). The first call for a command compares it with
    ``forgetscope.__version__`` and warns (:class:`EngineVersionWarning`) when they differ."""
    cmd = tuple(command or forgetscope_command())
    if cmd not in _checked:
        _check_launcher(cmd)
        try:
            proc = subprocess.run([*cmd, "--version"], capture_output=True, text=True, timeout=60)
        except FileNotFoundError as e:
            raise EngineNotFoundError(f"cannot start {cmd[0]!r}: {_NODE_FIX}") from e
        version = proc.stdout.strip().splitlines()[-1].strip() if proc.returncode == 0 and proc.stdout.strip() else ""
        if not version:
            raise EngineNotFoundError(f"`{' '.join(cmd)} --version` failed (exit {proc.returncode}: {proc.stderr.strip()[-300:]}): {_NODE_FIX}")
        from . import __version__

        if version != __version__:
            warnings.warn(
                f"the forgetscope engine ({' '.join(cmd)}) is version {version}, this Python package {__version__}: "
                "results and flags may differ; install matching versions (the wheel's bundled engine always matches)",
                EngineVersionWarning,
                stacklevel=3,
            )
        _checked[cmd] = version
    return _checked[cmd]


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


_PROGRESS_LINE = re.compile(r"^(?P<label>.*\S) (?P<done>\d+)(?:/(?P<total>\d+))?$")


class ProgressBars:
    """A progress callback drawing the engine's ``label done/total`` lines (``FORGETSCOPE_PROGRESS=lines``)
    as tqdm bars, one per label, shown after half a second (quick calls print nothing); every other line
    goes to the ``forgetscope.engine`` logger (warnings at WARNING). Call :meth:`close` at the end."""

    def __init__(self, delay: float = 0.5):
        self.delay = delay
        self.bars: dict[str, Any] = {}

    def __call__(self, line: str) -> None:
        m = _PROGRESS_LINE.match(line.strip())
        if not m:
            (_log.warning if line.lower().startswith("warning") else _log.info)(line)
            return
        from tqdm import tqdm

        label, done = m.group("label"), int(m.group("done"))
        total = int(m.group("total")) if m.group("total") else None
        bar = self.bars.get(label)
        if bar is None:
            bar = self.bars[label] = tqdm(total=total, desc=label, delay=self.delay, leave=False, dynamic_ncols=True)
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    def close(self) -> None:
        """Closes every bar."""
        for bar in self.bars.values():
            bar.close()
        self.bars.clear()


def progress_callback(progress: Progress) -> tuple[ProgressCallback, Callable[[], None]]:
    """The callable behind a ``progress`` argument and what to call when the run ends (see :data:`Progress`)."""
    if callable(progress):
        return progress, lambda: None
    if progress is False:  # no progress, but the engine's warnings still reach the logger at WARNING
        return (lambda line: (_log.warning if line.lower().startswith("warning") else _log.debug)(line)), lambda: None
    bars = ProgressBars()
    return bars, bars.close


def run_engine(
    args: Sequence[str],
    *,
    command: Optional[Sequence[str]] = None,
    progress: Optional[Progress] = None,
    timeout: float = 600,
) -> str:
    """Runs ``forgetscope <args>`` and returns its stdout. Each stderr line goes to ``progress`` as it
    arrives. A non-zero exit raises
    :class:`ForgetscopeCliError` with the engine's ``file:line:column`` message. ``progress``: see
    :data:`Progress` (default: tqdm bars for the engine's progress lines, other lines to the logger)."""
    base = list(command or forgetscope_command())
    _check_launcher(base)
    if os.environ.get("FORGETSCOPE_SKIP_VERSION_CHECK") != "1" and not (base and Path(base[0]).name.startswith("node") and "-e" in args):
        engine_version(base)
    cmd = base + list(args)
    sink, close_progress = progress_callback(progress)
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
    close_progress()
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
    """Runs ``forgetscope <args> --json`` and returns its one JSON object (stderr is kept for errors;
    quiet unless ``progress`` is given)."""
    args = list(args)
    if "--json" not in args:
        args.append("--json")
    out = run_engine(args, command=command, progress=progress if progress is not None else False, timeout=timeout)
    return json.loads(out)


def engine_root(command: Optional[Sequence[str]] = None) -> Path:
    """The root of the forgetscope npm package behind :func:`forgetscope_command` (holds ``dist/node.js``),
    found from the script the command runs (``.../dist/cli/bin.js``, symlinks followed)."""
    cmd = list(command or forgetscope_command())
    candidates: list[str] = [c for c in cmd if c.endswith(".js")]
    if not candidates and cmd:
        found = shutil.which(cmd[0])
        if found:
            candidates.append(found)
    for c in candidates:
        real = Path(c).resolve()
        for parent in real.parents:
            if (parent / "dist" / "node.js").is_file() and (parent / "package.json").is_file():
                return parent
    raise EngineNotFoundError(f"cannot find the forgetscope package (dist/node.js) behind the command {cmd}: {_NODE_FIX}")


def engine_library(command: Optional[Sequence[str]] = None) -> Path:
    """The engine's Node library module (``readForgettingMatrix``, ``writeMatrix``…) behind the command:
    ``node.mjs`` beside a bundled ``forgetscope.mjs``, else ``dist/node.js`` of the npm package
    (:func:`engine_root`)."""
    cmd = list(command or forgetscope_command())
    for c in cmd:
        if c.endswith(".mjs"):
            lib = Path(c).resolve().with_name("node.mjs")
            if lib.is_file():
                return lib
    return engine_root(cmd) / "dist" / "node.js"
