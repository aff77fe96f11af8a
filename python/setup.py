"""Build hook: the wheel carries the forgetscope engine (the TypeScript CLI bundled into ES modules).

``pip install ./python`` or ``python -m build python/`` from a repository checkout runs
``node scripts/build-engine.mjs <build>/forgetscope/engine`` (the repository's ``npm run build:engine``;
needs Node and ``npm ci`` in the checkout), so the installed package finds its engine without the
repository, a global npm install or ``FORGETSCOPE_CLI``. Outside a checkout (an sdist), a prebuilt
``forgetscope/engine/`` beside this file is used as it is. Editable installs (``pip install -e``) bundle
nothing: they run the checkout's built CLI (``dist/cli/bin.js``). Everything else is in pyproject.toml.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _version() -> str:
    for line in (HERE / "pyproject.toml").read_text().splitlines():
        if line.startswith("version = "):
            return line.split("=", 1)[1].strip().strip('"')
    raise RuntimeError("python/pyproject.toml has no version line")


def _in_checkout() -> bool:
    pkg = REPO / "package.json"
    return (REPO / "scripts" / "build-engine.mjs").is_file() and pkg.is_file() and json.loads(pkg.read_text()).get("name") == "forgetscope"


class BuildPyWithEngine(build_py):
    """``build_py`` plus the bundled engine in ``forgetscope/engine/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False) or os.environ.get("FORGETSCOPE_SKIP_ENGINE") == "1":
            return
        out = (Path(self.build_lib) / "forgetscope" / "engine").resolve()
        if _in_checkout():
            self._bundle(out)
        elif (HERE / "forgetscope" / "engine" / "forgetscope.mjs").is_file():
            shutil.rmtree(out, ignore_errors=True)
            shutil.copytree(HERE / "forgetscope" / "engine", out)
        else:
            raise RuntimeError(
                "forgetscope: cannot build the wheel's engine: this is neither a repository checkout (with "
                "scripts/build-engine.mjs) nor a source tree with a prebuilt forgetscope/engine/. Build from a "
                "checkout of the forgetscope repository (or set FORGETSCOPE_SKIP_ENGINE=1 for a package without "
                "its engine, which then needs FORGETSCOPE_CLI or `npm install -g forgetscope`)."
            )
        version = (out / "VERSION").read_text().strip()
        if version != _version():
            raise RuntimeError(f"forgetscope: the bundled engine is version {version}, the Python package {_version()}: keep package.json and python/pyproject.toml equal")

    def _bundle(self, out: Path) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError(
                "forgetscope: building the wheel bundles the TypeScript engine and needs Node.js >= 22 on PATH "
                "(https://nodejs.org) and `npm ci` run in the repository root; neither node was found"
            )
        if not (REPO / "node_modules" / "esbuild").exists():
            raise RuntimeError(f"forgetscope: building the wheel bundles the engine with esbuild, which is not installed: run `npm ci` in {REPO.name}/ (the repository root) first")
        subprocess.run([node, str(REPO / "scripts" / "build-engine.mjs"), str(out)], cwd=REPO, check=True)


setup(cmdclass={"build_py": BuildPyWithEngine})
