"""The ``forgetscope`` console script of the Python package: ``forgetscope collect …`` runs the Python
collector (:mod:`forgetscope.collect_cli`); every other command (``info``, ``analyze``, ``replay``…) is
forwarded to the engine :func:`forgetscope.cli.forgetscope_command` finds — the one bundled in the wheel
after ``pip install forgetscope`` — with the terminal's stdin, stdout and stderr, and exits with its status."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from typing import Optional

from .cli import EngineNotFoundError, bundled_engine, engine_version, forgetscope_command

_COLLECT_HELP = "  collect [options]             (Python) measure a fine-tuned model's forgetting on upstream examples; forgetscope collect --help\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs ``forgetscope <argv>`` and returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["collect"]:
        from .collect_cli import main as collect_main

        return collect_main(args[1:])
    try:
        cmd = forgetscope_command()
        bundled = bundled_engine()
        if bundled is None or str(bundled) not in cmd:
            engine_version(cmd)  # warns when an engine found elsewhere differs from this package
        if args in ([], ["-h"], ["--help"], ["help"]):
            out = subprocess.run([*cmd, *args], capture_output=True, text=True)
            sys.stdout.write(out.stdout.replace("  help [command]", _COLLECT_HELP + "  help [command]", 1))
            sys.stderr.write(out.stderr)
            return out.returncode
        return subprocess.call([*cmd, *args])
    except EngineNotFoundError as e:
        print(f"forgetscope: {e}", file=sys.stderr)
        return 127
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
