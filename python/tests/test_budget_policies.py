"""The budget-aware replay policies ``stratified`` and ``blocks`` through the Python entry point
(``api.plan_replay(policy=...)`` → the engine): the weights are each example's inclusion probability
divided by the budget, checked against exact binomials here."""

from __future__ import annotations

from math import comb

import numpy as np

from forgetscope import api

from conftest import CLI_BIN
from test_default_policy import _train


def _plan(tmp_path, policy, **kw):
    new_row = _train(tmp_path)
    measured = {f"e{j:03d}": float(new_row[j]) for j in (3, 17, 40, 71)}
    plan = api.plan_replay(tmp_path / "train.parquet", observed=measured, train_rows="0-5", n=96, seed=2,
                           policy=policy, command=["node", str(CLI_BIN)], **kw)
    w = plan["weights"]
    order = np.argsort(-w["score"].to_numpy(), kind="stable")
    return plan, w["weight"].to_numpy()[order], w["example"].to_numpy()[order]


def test_blocks_weights_are_best_of_n_inclusion_probabilities(tmp_path):
    plan, by_rank, _ = _plan(tmp_path, "blocks")
    assert plan["policy"] == "blocks" and plan["replayN"] == 4  # int(96 / 32) + 1
    # 80 examples in 4 blocks of 20: rank ρ is replayed with probability C(79 − ρ, 19) / C(79, 19)
    expected = np.array([comb(79 - r, 19) / comb(79, 19) for r in range(80)]) / 4
    np.testing.assert_allclose(by_rank, expected, rtol=1e-12, atol=1e-300)
    assert abs(by_rank.sum() - 1) < 1e-12
    assert len(plan["selected"]) == 4


def test_stratified_draws_one_example_from_each_quarter_of_the_top_four_budgets(tmp_path):
    plan, by_rank, ids = _plan(tmp_path, "stratified")
    assert plan["policy"] == "stratified" and plan["temperature"] is None
    # region = top 4 · 4 = 16 scores, strata of 4 consecutive ranks, one pick each: 1/4 · 1/4 = 1/16
    np.testing.assert_array_equal(by_rank, np.r_[np.full(16, 1 / 16), np.zeros(64)])
    ranks = sorted(int(np.flatnonzero(ids == e)[0]) for e in plan["selected"])
    assert [r // 4 for r in ranks] == [0, 1, 2, 3]


def test_the_closed_loop_benchmark_knows_both_policies():
    from forgetscope.bench_replay import load_config
    from forgetscope.bench_replay.config import POLICIES

    cfg = load_config(None, policies=["uniform", "topk", "stratified", "blocks"])
    assert cfg["policies"] == ["uniform", "topk", "stratified", "blocks"]
    for name in ("stratified", "blocks"):
        assert POLICIES[name] == {"policy": name, "observed": "probes", "side": None}
