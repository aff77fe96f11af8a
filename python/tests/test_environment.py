"""The harness's hard requirements are present: a missing one fails the suite instead of skipping it."""

import numpy
import pyarrow
import torch

import forgetscope


def test_requirements_are_importable_and_work():
    assert torch.tensor([1.0, 2.0]).sum().item() == 3.0
    assert pyarrow.table({"a": [1]}).num_rows == 1
    assert numpy.arange(3).sum() == 3
    assert forgetscope.__version__ == "0.1.0"


def test_torch_is_an_extra_and_the_test_requirements_cover_the_test_extra():
    from pathlib import Path

    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib

    root = Path(__file__).resolve().parents[2]
    project = tomllib.loads((root / "python" / "pyproject.toml").read_text())["project"]
    assert "torch" not in project["dependencies"]
    extras = project["optional-dependencies"]
    assert "torch" in extras["torch"] and "torch" in extras["hf"] and "torch" not in extras["api"]
    reqs = {ln.split("#")[0].strip() for ln in (root / "python" / "requirements-test.txt").read_text().splitlines()} - {""}
    assert set(extras["test"]) | set(project["dependencies"]) <= reqs
    assert project["scripts"] == {"forgetscope": "forgetscope.command:main", "forgetscope-collect": "forgetscope.collect_cli:main"}


def test_npm_tests_python_part_names_the_install_line_when_a_package_is_missing(tmp_path):
    import os
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("numpy\nno-such-package-forgetscope-test\n")
    r = subprocess.run([str(root / "scripts" / "python-tests.sh")], capture_output=True, text=True, env={**os.environ, "FORGETSCOPE_TEST_REQUIREMENTS": str(reqs)}, timeout=60)
    assert r.returncode == 1
    assert "not installed: no-such-package-forgetscope-test" in r.stderr
    assert "python3 -m pip install -r python/requirements-test.txt" in r.stderr
