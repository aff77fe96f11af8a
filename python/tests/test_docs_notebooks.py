"""The Python guide (docs/guides/python-training.md) and the notebook (docs/notebooks/forgetting.ipynb)
executed as Jupyter notebooks with nbclient on the bundled fixture: every cell runs, the plots come out
inline, and the guide's Hugging Face script adds at most ~15 lines for predicted replay."""

from __future__ import annotations

import os
import re

import nbclient
import nbformat
import pytest

from conftest import CLI_BIN, REPO

GUIDE = REPO / "docs" / "guides" / "python-training.md"
NOTEBOOK = REPO / "docs" / "notebooks" / "forgetting.ipynb"
BLOCK = re.compile(r"^```(python|sh) runnable\n(.*?)^```", re.S | re.M)


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A fresh folder with fixtures/ and a `forgetscope` command on PATH (the built CLI), as the docs test uses."""
    assert CLI_BIN.is_file(), f"{CLI_BIN} is missing: run `npm run build` first"
    (tmp_path / "fixtures").symlink_to(REPO / "fixtures", target_is_directory=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "forgetscope"
    shim.write_text(f'#!/bin/sh\nexec node "{CLI_BIN}" "$@"\n')
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(REPO / "python"), os.environ.get("PYTHONPATH")) if p))
    monkeypatch.setenv("FORGETSCOPE_CLI", f'node "{CLI_BIN}"')
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    return tmp_path


def _execute(nb, cwd) -> None:
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()


def _images(nb) -> int:
    return sum("image/png" in out.get("data", {}) for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)


def guide_notebook(markdown: str):
    """The guide's runnable blocks, in order, as notebook cells (shell blocks run through bash)."""
    nb = nbformat.v4.new_notebook()
    for lang, code in BLOCK.findall(markdown):
        if lang == "sh":
            code = f"import subprocess\nsubprocess.run(['bash', '-euo', 'pipefail', '-c', {code!r}], check=True)"
        nb.cells.append(nbformat.v4.new_code_cell(code))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_the_guides_hugging_face_script_adds_at_most_15_lines():
    text = GUIDE.read_text()
    hf_block = [code for lang, code in BLOCK.findall(text) if "ReplayTrainer" in code]
    assert len(hf_block) == 1
    added = [ln for ln in hf_block[0].splitlines() if "# +forgetscope" in ln]
    assert 0 < len(added) <= 15
    assert f"({len(added)} lines;" in text  # the guide states the count it has


def test_the_python_guide_runs_as_a_notebook(sandbox):
    nb = guide_notebook(GUIDE.read_text())
    assert len(nb.cells) >= 4
    _execute(nb, sandbox)
    outputs = "".join(o.get("text", "") for c in nb.cells for o in c.outputs if o.output_type == "stream")
    assert "switched to predicted weights at steps [3, 13, 23]" in outputs
    assert (sandbox / "replay.parquet").is_file() and (sandbox / "audit.html").is_file()


def test_the_forgetting_notebook_runs_with_inline_plots(sandbox):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")  # stored clean; CI fills it
    _execute(nb, sandbox)  # the notebook finds fixtures/ from here
    assert _images(nb) >= 4
