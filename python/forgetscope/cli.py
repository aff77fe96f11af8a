"""Finding and calling the forgetscope command line from Python (for the online-replay helper)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any, Optional, Sequence


def forgetscope_command() -> list[str]:
    """The command that runs the forgetscope CLI, first match wins:
    ``$FORGETSCOPE_CLI`` (split like a shell), the built CLI of the repository this package sits in
    (``node <repo>/dist/cli/bin.js``), ``forgetscope`` on PATH, then ``npx --no-install forgetscope``."""
    env = os.environ.get("FORGETSCOPE_CLI")
    if env:
        return shlex.split(env)
    repo_bin = Path(__file__).resolve().parents[2] / "dist" / "cli" / "bin.js"
    if repo_bin.is_file():
        return ["node", str(repo_bin)]
    on_path = shutil.which("forgetscope")
    if on_path:
        return [on_path]
    return ["npx", "--no-install", "forgetscope"]


class ForgetscopeCliError(RuntimeError):
    """The CLI exited with a non-zero status; ``returncode`` and ``stderr`` say why."""

    def __init__(self, args: Sequence[str], returncode: int, stderr: str):
        super().__init__(f"forgetscope {' '.join(args)} exited with {returncode}: {stderr.strip()}")
        self.returncode = returncode
        self.stderr = stderr


def run_cli(args: Sequence[str], *, command: Optional[Sequence[str]] = None, timeout: float = 600) -> dict[str, Any]:
    """Runs ``forgetscope <args> --json`` and returns its one JSON object (stderr is kept for errors)."""
    cmd = list(command or forgetscope_command()) + list(args)
    if "--json" not in args:
        cmd.append("--json")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise ForgetscopeCliError(list(args), proc.returncode, proc.stderr)
    return json.loads(proc.stdout)
