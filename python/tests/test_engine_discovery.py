"""The npm package installed beside the Python package (a project's ``node_modules/forgetscope`` of the
same version) is the engine the API runs, so its native extras (WebGPU, system BLAS) apply; another
version is passed over."""

from __future__ import annotations

import json
from pathlib import Path

import forgetscope
from forgetscope import cli


def _fake_npm_package(root: Path, version: str) -> Path:
    package = root / "node_modules" / "forgetscope"
    (package / "dist" / "cli").mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": "forgetscope", "version": version}))
    bin_js = package / "dist" / "cli" / "bin.js"
    bin_js.write_text("// stand-in: only its location is read here\n")
    return bin_js


def test_npm_package_beside_is_found_from_a_subfolder(tmp_path, monkeypatch):
    bin_js = _fake_npm_package(tmp_path, forgetscope.__version__)
    work = tmp_path / "experiments" / "run1"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    monkeypatch.delenv("FORGETSCOPE_CLI", raising=False)
    assert cli.npm_package_beside() == bin_js.resolve()
    assert cli.forgetscope_command() == ["node", str(bin_js.resolve())]


def test_npm_package_of_another_version_is_passed_over(tmp_path, monkeypatch):
    other = _fake_npm_package(tmp_path, "0.0.0-other").resolve()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORGETSCOPE_CLI", raising=False)
    # (a folder above the temporary one may hold a real install; only this one's version matters here)
    assert cli.npm_package_beside() != other
    assert cli.forgetscope_command() != ["node", str(other)]


def test_forgetscope_cli_still_wins(tmp_path, monkeypatch):
    _fake_npm_package(tmp_path, forgetscope.__version__)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORGETSCOPE_CLI", "node /somewhere/bin.js")
    assert cli.forgetscope_command() == ["node", "/somewhere/bin.js"]
