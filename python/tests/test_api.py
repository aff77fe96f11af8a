"""forgetscope.api against the CLI on the bundled fixture: same rows, same doubles (bit for bit)."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pandas as pd
import pyarrow.ipc as ipc
import pytest

from forgetscope import api
from forgetscope.cli import EngineNotFoundError, ForgetscopeCliError

from conftest import CLI_BIN, REPO

FIXTURE = REPO / "fixtures" / "real-dev-v1"


def _cli(*args: str) -> subprocess.CompletedProcess:
    assert CLI_BIN.is_file(), f"{CLI_BIN} is missing: run `npm run build` first"
    return subprocess.run(["node", str(CLI_BIN), *args], capture_output=True, text=True, timeout=120, check=True)


@pytest.fixture(scope="module")
def observed(tmp_path_factory) -> tuple[pd.DataFrame, str]:
    """Row t007 of the fixture's long table measured at 30 examples (the new task), as a DataFrame and a CSV."""
    long = pd.read_csv(FIXTURE / "long.csv", dtype={"example": str})
    row = long[long.task == "t007"].set_index("example")
    ids = sorted(row.index)[::33][:30]
    df = pd.DataFrame({"example": ids, "value": (row.loc[ids, "nll_after"] - row.loc[ids, "nll_before"]).to_numpy()})
    path = tmp_path_factory.mktemp("obs") / "observed.csv"
    with open(path, "w") as f:
        f.write("example,value\n" + "".join(f"{e},{v!r}\n" for e, v in zip(df.example, df.value)))
    return df, str(path)


def _untimed(value):
    """The JSON without its wall-clock fields (``seconds``), which differ between any two runs."""
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


def _arrow(path) -> pd.DataFrame:
    with open(path, "rb") as f:
        return ipc.open_file(f).read_all().to_pandas()


def test_read_matrix_equals_the_dense_npy():
    z = api.read_matrix(FIXTURE)
    dense = np.load(FIXTURE / "Z.npy")
    assert z.shape == dense.shape == (37, 1000)
    assert z.index.name == "task" and z.columns.name == "example"
    assert np.array_equal(z.to_numpy(), dense.astype(np.float64))
    tasks = [t["id"] for t in json.loads((FIXTURE / "tasks.json").read_text())]
    assert list(z.index) == tasks
    assert z.attrs["read_report"]["kept"] == 37000


def test_predict_equals_the_cli_bit_for_bit(observed, tmp_path):
    df, csv = observed
    got = api.predict(FIXTURE, observed=df, train_rows="1-36", method="lowrank")
    _cli("predict", str(FIXTURE), "--observed", csv, "--train-rows", "1-36", "--method", "lowrank", "--out", str(tmp_path / "p.arrow"))
    _cli("predict", str(FIXTURE), "--observed", csv, "--train-rows", "1-36", "--out", str(tmp_path / "p.csv"))
    want = _arrow(tmp_path / "p.arrow")
    assert list(got.columns) == ["example", "prediction", "lower", "upper"] == list(want.columns)
    assert got["example"].tolist() == want["example"].tolist()
    for col in ("prediction", "lower", "upper"):
        assert np.array_equal(got[col].to_numpy(), want[col].to_numpy())
    # The CSV the CLI writes parses to the same doubles (an independent route through the engine's writer).
    text = pd.read_csv(tmp_path / "p.csv", dtype={"example": str}, float_precision="round_trip")
    assert np.array_equal(text["prediction"].to_numpy(), got["prediction"].to_numpy())
    # A list of rows is the same selection; a mapping is the same observed entries.
    again = api.predict(FIXTURE, dict(zip(df.example, df.value)), train_rows=list(range(1, 37)))
    assert np.array_equal(again["prediction"].to_numpy(), got["prediction"].to_numpy())
    # The held-out row's measured entries are predicted near their measured values (the method works).
    pred = got.set_index("example").loc[df.example, "prediction"].to_numpy()
    assert np.corrcoef(pred, df.value)[0, 1] > 0.5
    assert got.attrs["summary"]["trainRows"] == 36


def test_predict_side_argument_construction():
    base = api.predict_args("m.parquet", "obs.csv", "out.arrow", train_rows=[0, 1, 2, 5])
    assert "--side" not in base
    assert base[base.index("--train-rows") + 1] == "0,1,2,5"
    one = api.predict_args("m.parquet", "obs.csv", "out.arrow", side="first_order")
    assert one[one.index("--side") :][:2] == ["--side", "first_order"]
    many = api.predict_args("m.parquet", "obs.csv", "out.arrow", side=["first_order", "gradient"])
    assert many[many.index("--side") + 1] == "first_order,gradient"
    assert api.predict_args("m", "o", "x", train_rows=None).count("--train-rows") == 0
    assert "--no-example-effects" not in base
    assert api.predict_args("m", "o", "x", example_effects=False)[-1] == "--no-example-effects"


def test_example_effects_off_changes_lowrank_and_matches_the_cli(observed, tmp_path):
    df, csv = observed
    on = api.predict(FIXTURE, observed=df, train_rows="1-36", progress=False)
    off = api.predict(FIXTURE, observed=df, train_rows="1-36", example_effects=False, progress=False)
    _cli("predict", str(FIXTURE), "--observed", csv, "--train-rows", "1-36", "--no-example-effects", "--out", str(tmp_path / "off.arrow"))
    assert np.array_equal(off["prediction"].to_numpy(), _arrow(tmp_path / "off.arrow")["prediction"].to_numpy())
    # the fixture's examples carry sources and texts: the correction moves the prediction
    assert not np.array_equal(on["prediction"].to_numpy(), off["prediction"].to_numpy())


def test_errors_carry_the_engines_location(tmp_path):
    bad = pd.DataFrame({"example": ["1000", "no-such-example"], "value": [0.1, 0.2]})
    with pytest.raises(ForgetscopeCliError) as info:
        api.predict(FIXTURE, observed=bad)
    e = info.value
    assert e.file is not None and e.file.endswith("observed.csv")
    # The engine names the row: line 3 column 1 of the file, or (its newer readers) the column name and data row.
    assert (e.line, e.column) == (3, 1) or (e.column == "example" and "row 2" in e.message), e.message
    assert "no-such-example" in str(e) and e.returncode != 0


def test_missing_node_names_the_fix():
    with pytest.raises(EngineNotFoundError, match="FORGETSCOPE_CLI"):
        api.analyze(FIXTURE, command=["forgetscope-no-such-node-binary", "bin.js"])


def test_node_missing_from_path_names_the_fix(monkeypatch):
    monkeypatch.delenv("FORGETSCOPE_CLI", raising=False)
    monkeypatch.setenv("PATH", "")  # no node, no npx: the repository checkout's CLI cannot start
    with pytest.raises(EngineNotFoundError, match=r"`node` is not on PATH.*Node\.js >= 22"):
        api.predict(FIXTURE, observed={"1000": 0.1})


def test_progress_is_forwarded():
    lines: list[str] = []
    api.analyze(FIXTURE / "long.csv", ranks=1, progress=lines.append)
    assert any(ln.startswith("reading ") for ln in lines), lines


def test_analyze_evaluate_replay_equal_the_cli(observed, tmp_path):
    df, csv = observed
    got = api.analyze(FIXTURE, ranks=3, tables=True)
    want = json.loads(_cli("analyze", str(FIXTURE), "--ranks", "3", "--json").stdout)
    got_tables = got.pop("tables")
    assert _untimed(got) == _untimed(want)
    assert set(got_tables) >= {"examples", "tasks", "sources"} and len(got_tables["examples"]) == 1000

    ev = api.evaluate(FIXTURE, train_rows="0-29", test_rows=range(30, 37), seeds=[0, 1], methods=["lowrank"])
    table = ev.pop("table")
    want = json.loads(_cli("evaluate", str(FIXTURE), "--train-rows", "0-29", "--test-rows", "30,31,32,33,34,35,36", "--seeds", "0,1", "--methods", "lowrank", "--json").stdout)
    assert _untimed(ev) == _untimed(want)
    assert table.loc[0, "method"] == "lowrank" and table.loc[0, "rmse"] == want["methods"]["lowrank"]["rmse"]

    plan = api.plan_replay(FIXTURE, observed=df, train_rows="1-36", n=320, ratio=0.125, exclude=["1000", "1001"])
    weights = plan.pop("weights")
    (tmp_path / "ex.txt").write_text("1000\n1001\n")
    cli_out = tmp_path / "w.arrow"
    want = json.loads(_cli("replay", str(FIXTURE), "--observed", csv, "--train-rows", "1-36", "--n", "320", "--ratio", "0.125", "--exclude", str(tmp_path / "ex.txt"), "--out", str(cli_out), "--json").stdout)
    want.pop("out")
    assert _untimed(plan) == _untimed(want) and plan["replayN"] == int(320 * 0.125) + 1
    w = _arrow(cli_out)
    assert weights["example"].tolist() == w["example"].tolist()
    assert np.array_equal(weights["weight"].to_numpy(), w["weight"].to_numpy())
    assert weights.set_index("example").loc[["1000", "1001"], "weight"].eq(0).all()

    online = api.plan_replay(FIXTURE, train_rows="1-36", online_steps=500)
    assert online["uniformUntilStep"] == 50 and len(online["probes"]) == 30


def test_report_writes_the_html(tmp_path):
    out = tmp_path / "audit.html"
    summary = api.report(FIXTURE, out, train_rows="0-29", test_rows="30-36", seeds="0", methods="lowrank")
    assert out.stat().st_size == summary["bytes"] > 10_000
    assert out.read_text().lstrip().lower().startswith("<!doctype html")


def _py(code: str, **env: str) -> subprocess.CompletedProcess:
    import os
    import sys

    full = {**os.environ, "PYTHONPATH": str(REPO / "python"), **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=full)


def test_the_api_works_where_torch_is_not_installed():
    # sys.modules["torch"] = None makes every `import torch` fail, as in a `pip install "forgetscope[api]"` venv
    r = _py(
        "import sys; sys.modules['torch'] = None\n"
        "import forgetscope\nfrom forgetscope import api, read_table\n"
        f"plan = api.plan_replay({str(FIXTURE)!r}, train_rows='1-36', online_steps=100, progress=False)\n"
        "assert plan['uniformUntilStep'] == 10, plan\n"
        "try:\n    forgetscope.collect\nexcept ImportError as e:\n    print('collect needs torch:', e)\n"
    )
    assert r.returncode == 0, r.stderr
    assert "collect needs torch" in r.stdout


def test_collect_stays_the_function_after_its_module_is_imported():
    r = _py("import forgetscope.collect as m, forgetscope, inspect\nprint(inspect.isfunction(forgetscope.collect), inspect.isfunction(m), hasattr(forgetscope, 'compute_nll'))")
    assert r.returncode == 0 and r.stdout.split() == ["True", "True", "True"], r.stderr


def test_engine_discovery_order(monkeypatch, tmp_path):
    from forgetscope import cli

    monkeypatch.setenv("FORGETSCOPE_CLI", "node 'a b/bin.js'")
    assert cli.forgetscope_command() == ["node", "a b/bin.js"]
    monkeypatch.delenv("FORGETSCOPE_CLI")
    bundled = tmp_path / "engine" / "forgetscope.mjs"
    monkeypatch.setattr(cli, "bundled_engine", lambda: bundled)
    assert cli.forgetscope_command() == ["node", str(bundled)]  # the wheel's engine before the checkout's
    monkeypatch.setattr(cli, "bundled_engine", lambda: None)
    assert cli.forgetscope_command() == ["node", str(CLI_BIN)]  # this checkout
    monkeypatch.setattr(cli, "_repo_bin", lambda: tmp_path / "missing.js")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    console = bin_dir / "forgetscope"  # pip's console script of this package: it forwards here, so it is skipped
    console.write_text("#!/usr/bin/python3\nfrom forgetscope.command import main\n")
    console.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(EngineNotFoundError, match="no forgetscope engine found"):
        cli.forgetscope_command()
    npm_dir = tmp_path / "npm-bin"
    npm_dir.mkdir()
    (npm_dir / "forgetscope").write_text("#!/usr/bin/env node\n")
    (npm_dir / "forgetscope").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{npm_dir}")
    assert cli.forgetscope_command() == [str(npm_dir / "forgetscope")]


def test_an_engine_of_another_version_warns(tmp_path):
    from forgetscope import cli

    fake = tmp_path / "old-engine"
    fake.write_text("#!/bin/sh\necho 0.0.9\n")
    fake.chmod(0o755)
    with pytest.warns(cli.EngineVersionWarning, match=r"version 0\.0\.9, this Python package 0\.1\.0"):
        assert cli.engine_version([str(fake)]) == "0.0.9"
    assert cli.engine_version([str(fake)]) == "0.0.9"  # checked once per command
    assert cli.engine_version(["node", str(CLI_BIN)]) == __import__("forgetscope").__version__


def _small_matrix(tmp_path):
    """8 tasks × 30 examples, rank 1 plus a task offset: Z[t, j] = (t + 1) * (j - 10) / 50 + 0.01 * t."""
    rows = ["task,example,delta"] + [f"t{t},e{j},{(t + 1) * (j - 10) / 50 + 0.01 * t!r}" for t in range(8) for j in range(30)]
    path = tmp_path / "small.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_evaluate_runs_the_fast_methods_by_default_and_explains_a_missing_rmse(tmp_path):
    small = _small_matrix(tmp_path)
    ev = api.evaluate(small, train_rows="0-5", test_rows="6-7", known=10, seeds="0", progress=False)
    assert list(ev["table"]["method"]) == list(api.FAST_METHODS) == ["lowrank", "additive-ls", "knn"]
    assert (ev["table"]["note"] == "").all() and ev["table"]["rmse"].notna().all()
    lg = api.evaluate(small, train_rows="0-5", test_rows="6-7", known=10, seeds="0", methods="lgmf,lowrank", progress=False)
    t = lg["table"].set_index("method")
    assert np.isnan(t.loc["lgmf", "rmse"]) and "ranking scores" in t.loc["lgmf", "note"]
    assert lg["methods"]["lgmf"]["rmse"] is None  # the engine's JSON: no RMSE for a score-only method
    assert t.loc["lowrank", "note"] == ""


def test_engine_progress_lines_become_tqdm_bars(capsys):
    from forgetscope.cli import ProgressBars

    bars = ProgressBars(delay=0)
    for line in ("evaluate lowrank 1/4", "evaluate lowrank 4/4", "evaluate knn 2/3", "warning: something"):
        bars(line)
    assert {k: (b.n, b.total) for k, b in bars.bars.items()} == {"evaluate lowrank": (4, 4), "evaluate knn": (2, 3)}
    bars.close()
    err = capsys.readouterr().err
    assert "evaluate lowrank" in err and "evaluate knn" in err


def test_the_engines_warnings_reach_the_logger_even_without_progress(tmp_path, caplog):
    # a metadata column the reader leaves out is a warning on the engine's stderr: a quiet run
    # (progress=False, run_cli's default) logs it at WARNING, not at DEBUG with the progress lines
    import logging

    from forgetscope.cli import run_engine

    path = tmp_path / "w.csv"
    path.write_text("task,example,delta,mixed\nt1,e1,1,a\nt1,e2,2,b\nt2,e1,3,c\n")
    with caplog.at_level(logging.DEBUG, logger="forgetscope.engine"):
        run_engine(["info", str(path)], progress=False)
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 1 and 'column "mixed"' in warned[0].getMessage()


def test_the_forgetscope_command_forwards_to_the_engine(tmp_path):
    import sys

    env = {"FORGETSCOPE_CLI": f"node {CLI_BIN}"}
    import os

    full = {**os.environ, "PYTHONPATH": str(REPO / "python"), **env}
    ok = subprocess.run([sys.executable, "-m", "forgetscope", "info", str(FIXTURE)], capture_output=True, text=True, timeout=120, env=full)
    assert ok.returncode == 0 and "37 × 1000" in ok.stdout, ok.stderr
    bad = subprocess.run([sys.executable, "-m", "forgetscope", "info", str(tmp_path / "none.csv")], capture_output=True, text=True, timeout=120, env=full)
    assert bad.returncode == 2 and "none.csv" in bad.stderr
    helped = subprocess.run([sys.executable, "-m", "forgetscope", "--help"], capture_output=True, text=True, timeout=120, env=full)
    assert helped.returncode == 0 and "collect [options]" in helped.stdout and "analyze" in helped.stdout


def test_examples_file_gives_a_losses_only_table_the_folders_metadata():
    long = FIXTURE / "long.csv"
    plain = api.analyze(long, ranks=2)
    merged = api.analyze(long, ranks=2, examples=FIXTURE / "examples.jsonl")
    assert not plain.get("sources")
    assert sorted(s["source"] for s in merged["sources"]) == ["changelog", "cheader", "javascript", "license", "man", "markdown", "python"]
    # the metadata reaches lowrank: its example effects change the completion
    runs = [api.evaluate(long, train_rows="0-29", test_rows="30-36", seeds=[0], methods=["lowrank"], **kw) for kw in ({}, {"examples": FIXTURE / "examples.jsonl"})]
    assert runs[0]["methods"]["lowrank"]["rmse"] != runs[1]["methods"]["lowrank"]["rmse"]


def test_read_examples_gives_the_metadata_the_engine_keeps_once_per_example():
    want = [json.loads(line) for line in (FIXTURE / "examples.jsonl").read_text().splitlines()]
    ex = api.read_examples(FIXTURE)
    assert ex.index.name == "example"
    assert ex.index.tolist() == [str(w["id"]) for w in want]
    assert ex.columns.tolist() == ["source", "text"]
    assert ex["source"].tolist() == [w["source"] for w in want]
    assert ex["text"].tolist() == [w["text"] for w in want]
    assert ex.attrs["read_report"]["kept"] == 37000
