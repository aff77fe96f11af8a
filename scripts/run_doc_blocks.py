#!/usr/bin/env python3
"""Runs the ``runnable`` code blocks of Markdown files copy-paste style, as a user of the installed
packages would: every file's blocks in order in one fresh folder (outside the checkout), shell blocks with
bash, Python blocks with this interpreter, TypeScript / JavaScript blocks with node (TypeScript stripped by
esbuild). Nothing from the checkout is on a path: ``forgetscope`` is whatever PATH gives (the wheel's
console script), ``import forgetscope`` the installed wheel, ``import 'forgetscope'`` the npm package
installed in the folder from ``--npm-package`` (a tarball of ``npm pack``). ``--fixtures DIR`` is copied
into each folder as ``fixtures/`` (the guides use the bundled fixture). With ``--notebook`` the given
``.ipynb`` files run with nbclient in a fresh folder too. Exits non-zero at the first failing block.

    python scripts/run_doc_blocks.py --fixtures fixtures --npm-package forgetscope-0.1.0.tgz README.md docs/guides/*.md
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CODE_LANGS = {"ts", "typescript", "js", "javascript", "sh", "bash", "shell", "python", "py"}
_OPEN = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$")


def code_blocks(markdown: str) -> list[tuple[str, list[str], str, int]]:
    """``(lang, flags, code, line)`` of every fenced block (the rules of test/docs/markdown.ts)."""
    lines = markdown.split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = len(m.group(1)), m.group(2)
        close = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        body = []
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            ln = lines[j]
            body.append(ln[min(indent, len(ln) - len(ln.lstrip())) :])
            j += 1
        out.append((m.group(3).lower(), m.group(4).split(), "\n".join(body) + "\n", i + 1))
        i = j + 1
    return out


def _sandbox(fixtures: str | None, npm_package: str | None) -> Path:
    box = Path(tempfile.mkdtemp(prefix="forgetscope-user-"))
    if fixtures:
        shutil.copytree(fixtures, box / "fixtures")
    if npm_package:
        # a package.json of its own, so npm installs here and not into a node_modules of a parent folder
        (box / "package.json").write_text('{"name": "forgetscope-docs-sandbox", "private": true}\n')
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefer-offline", "--no-save", "--loglevel=error", str(Path(npm_package).resolve())],
            cwd=box,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return box


def run_file(md: Path, args: argparse.Namespace, esbuild: str | None) -> int:
    blocks = [b for b in code_blocks(md.read_text()) if b[0] in CODE_LANGS and "runnable" in b[1]]
    if not blocks:
        return 0
    needs_npm = any(b[0] in ("ts", "typescript", "js", "javascript") for b in blocks)
    box = _sandbox(args.fixtures, args.npm_package if needs_npm else None)
    env = {k: v for k, v in os.environ.items() if k not in ("FORGETSCOPE_CLI", "PYTHONPATH")}
    try:
        for k, (lang, _flags, code, line) in enumerate(blocks):
            if lang in ("ts", "typescript", "js", "javascript"):
                if not args.npm_package:
                    print(f"{md}:{line}: {lang} block skipped (no --npm-package)", flush=True)
                    continue
                if lang.startswith("t"):
                    if esbuild is None:
                        raise SystemExit("run_doc_blocks: TypeScript blocks need esbuild (npm ci in the checkout)")
                    code = subprocess.run([esbuild, "--loader=ts", "--format=esm"], input=code, capture_output=True, text=True, check=True).stdout
                f = box / f"example-{k}.mjs"
                f.write_text(code)
                cmd = ["node", str(f)]
            elif lang in ("sh", "bash", "shell"):
                f = box / f"example-{k}.sh"
                f.write_text(code)
                cmd = ["bash", "-euo", "pipefail", str(f)]
            else:
                f = box / f"example-{k}.py"
                f.write_text(code)
                cmd = [sys.executable, str(f)]
            start = time.time()
            r = subprocess.run(cmd, cwd=box, env=env, capture_output=True, text=True, timeout=args.timeout)
            print(f"{md}:{line}: {lang} block exited {r.returncode} in {time.time() - start:.1f} s", flush=True)
            if r.returncode != 0:
                print(r.stdout[-4000:] + r.stderr[-4000:], file=sys.stderr)
                return 1
    finally:
        shutil.rmtree(box, ignore_errors=True)
    return 0


def run_notebook(nb_path: Path, args: argparse.Namespace) -> int:
    import nbclient
    import nbformat

    box = _sandbox(args.fixtures, None)
    try:
        nb = nbformat.read(nb_path, as_version=4)
        start = time.time()
        os.environ.pop("FORGETSCOPE_CLI", None)
        os.environ.pop("PYTHONPATH", None)
        nbclient.NotebookClient(nb, timeout=args.timeout, kernel_name="python3", resources={"metadata": {"path": str(box)}}).execute()
        print(f"{nb_path}: {len(nb.cells)} cells ran in {time.time() - start:.1f} s", flush=True)
    finally:
        shutil.rmtree(box, ignore_errors=True)
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+", help="Markdown files (their runnable blocks) and .ipynb notebooks")
    p.add_argument("--fixtures", help="folder copied into each fresh folder as fixtures/")
    p.add_argument("--npm-package", help="tarball of `npm pack`, installed into each fresh folder for ts/js blocks")
    p.add_argument("--esbuild", help="esbuild binary for TypeScript blocks (default: node_modules/.bin/esbuild of this checkout)")
    p.add_argument("--timeout", type=float, default=600, help="seconds per block (default 600)")
    args = p.parse_args()
    esbuild = args.esbuild or str(Path(__file__).resolve().parents[1] / "node_modules" / ".bin" / "esbuild")
    if not Path(esbuild).exists():
        esbuild = shutil.which("esbuild")
    for f in args.files:
        path = Path(f)
        rc = run_notebook(path, args) if path.suffix == ".ipynb" else run_file(path, args, esbuild)
        if rc:
            return rc
    return 0


if __name__ == "__main__":
    sys.exit(main())
