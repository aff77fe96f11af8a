"""A small closed loop of the replay benchmark (tiny model, a few seconds): checks the plumbing — data,
pretraining, the harness-measured train matrix, plans made by the forgetscope CLI/engine, replay runs,
statistics and outputs, resumption — not the statistics themselves."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from forgetscope.bench_replay import load_config, run_benchmark, stats
from forgetscope.bench_replay.compare import compare, pool
from forgetscope.replay import replay_count

TINY = {
    "name": "tiny",
    "model": {"kind": "byte-gpt", "width": 16, "layers": 1, "heads": 2, "context": 64, "seed": 0},
    "data": {"per_source": 12, "source_bytes": 20_000, "task_windows": 32, "heldout_tasks": 2, "max_train_tasks": 3, "task_bytes": 20_000},
    "pretrain": {"steps": 5, "batch": 4},
    "finetune": {"steps": 3, "batch": 4},
    "seeds": 1,
    "ratios": [0.125],
    "probes": 5,
    "policies": ["uniform", "auto", "coverage", "gradient", "oracle", "oracle-topk"],
    "gradient": {"projection": 8, "task_examples": 4},
    "factor_rank": 2,
    "workers": 1,
}


@pytest.mark.parametrize("kind", ["byte-gpt", "hf-gpt2"])
def test_closed_loop_plumbing(tmp_path, kind):
    cfg_file = tmp_path / "cfg.json"
    cfg_file.write_text(json.dumps({**TINY, "model": {**TINY["model"], "kind": kind}, "out": str(tmp_path / "out")}))
    cfg = load_config(cfg_file)
    rep = run_benchmark(cfg)
    out = tmp_path / "out"
    for name in ("results.json", "runs.parquet", "report.md", "plot.vl.json", "plot.png"):
        assert (out / name).is_file(), name
    assert rep["heldout_tasks"] and len(rep["train_tasks"]) == 3
    e = rep["results"]["0.125"]
    assert set(e["policies"]) == set(TINY["policies"])
    assert e["best_true_row"] in ("oracle", "oracle-topk")
    runs = pq.read_table(out / "runs.parquet").to_pydict()
    # 2 held-out tasks × 1 seed × (no replay + 6 policies)
    assert len(runs["forgetting"]) == 2 * 7
    mean_uniform = np.mean([f for f, p in zip(runs["forgetting"], runs["policy"]) if p == "uniform"])
    assert mean_uniform == pytest.approx(e["policies"]["uniform"]["mean"], abs=1e-12)
    # the plans respect the budget and never replay a held-out example
    held = set((out / "heldout.txt").read_text().split())
    plans = json.loads(next(out.glob("plans-*.json")).read_text())
    assert len(plans) == 2 * 6
    for plan in plans.values():
        assert len(plan["selected"]) == replay_count(32, 0.125) and not held & set(plan["selected"])
    # resumable: a second run computes nothing new and reproduces the report
    again = run_benchmark(cfg)
    assert again["per_run"] == rep["per_run"]
    assert "share (p t / sign-flip)" in compare([rep, again])
    with pytest.raises(ValueError, match="share seeds"):
        pool([rep, again])


def test_config_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"policies": ["uniform", "nosuch"]}))
    with pytest.raises(ValueError, match="bad.json: unknown policies"):
        load_config(bad)
    bad.write_text(json.dumps({"policies": ["auto"]}))
    with pytest.raises(ValueError, match="must include uniform"):
        load_config(bad)


def test_paired_statistics_on_a_hand_worked_case():
    d = np.array([-1.0, -2.0, -3.0])
    # mean −2, sd 1, se 1/√3, t = −2√3 ≈ −3.4641 with 2 df: two-sided p = 2·(1 − F(3.4641)) ≈ 0.0742
    t = stats.paired_t(d)
    assert t["t"] == pytest.approx(-2 * np.sqrt(3), rel=1e-12)
    assert t["p"] == pytest.approx(0.07417990022744858, abs=1e-6)
    # sign flips: 8 patterns, |mean| ≥ 2 only for all-negative and all-positive → 2/8
    assert stats.sign_flip_p(d) == 0.25
    # Monte Carlo (n > 20): all 21 differences negative, only ±all-equal patterns reach |mean| → p ≈ 2 / 2^21, never 0
    p = stats.sign_flip_p(-np.ones(21), samples=1000)
    assert 0 < p <= 3 / 1001


def test_example_meta_reaches_the_planner_and_runs_are_cached_per_plan(tmp_path):
    out = tmp_path / "out"
    base = {**TINY, "policies": ["uniform", "topk", "oracle-topk"], "out": str(out)}
    cfg_file = tmp_path / "cfg.json"
    cfg_file.write_text(json.dumps(base))
    plain = run_benchmark(load_config(cfg_file))
    cfg_file.write_text(json.dumps({**base, "example_meta": True, "tag": "meta"}))
    meta = run_benchmark(load_config(cfg_file))
    # the planner's train table carries each example's source and text beside the losses
    table = pq.read_table(next(out.glob("train-*-meta.parquet")))
    assert {"source", "text"} <= set(table.column_names)
    assert table.num_rows == pq.read_table(next(p for p in out.glob("train-*.parquet") if "meta" not in p.name)).num_rows
    # plans with and without the metadata are cached apart
    assert len(list(out.glob("plans-*.json"))) == 2
    # every replay run is cached under its plan's selection: the same selection reuses the run, a
    # different one never does
    runs = {p.name for p in (next(out.glob("jobs-*"))).glob("*.json")}
    plans = [json.loads(p.read_text()) for p in out.glob("plans-*.json")]
    selections = {(k, tuple(plan[k]["selected"])) for plan in plans for k in plan}
    replayed = [r for r in runs if not r.endswith("none.json")]
    assert len(replayed) == len(selections)
    # uniform draws by seed alone: the same run, the same forgetting
    key = next(k for k in plain["per_run"] if k.endswith("|uniform"))
    assert meta["per_run"][key] == plain["per_run"][key]
