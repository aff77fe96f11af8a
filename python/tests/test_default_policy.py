"""The Python entry points plan replay with the engine's one default policy (``DEFAULT_REPLAY_POLICY``):
``api.plan_replay`` and ``OnlineReplay`` without a policy select what ``forgetscope replay --policy topk``
selects on the same input."""

from __future__ import annotations

import numpy as np

from forgetscope import api
from forgetscope.defaults import DEFAULT_REPLAY_POLICY
from forgetscope.replay import OnlineReplay, read_replay_weights

from conftest import CLI_BIN, write_rank2_table


def _train(tmp_path, m=6, n=80, seed=3):
    u, v = write_rank2_table(tmp_path / "train.parquet", m, n, seed)
    return 1.1 * u + 0.4 * v


def test_plan_replay_and_online_replay_use_the_default_policy(tmp_path, cli):
    assert DEFAULT_REPLAY_POLICY == "stratified"
    new_row = _train(tmp_path)
    command = ["node", str(CLI_BIN)]
    online = OnlineReplay(tmp_path / "train.parquet", "0-5", total_steps=100, n_fine_tune=96, seed=1,
                          workdir=tmp_path / "online", command=command)
    measured = {p: float(new_row[int(p[1:])]) for p in online.probes}
    weights = online.plan(measured)
    assert online.last_summary["policy"] == DEFAULT_REPLAY_POLICY

    plan = api.plan_replay(tmp_path / "train.parquet", observed=measured, train_rows="0-5", n=96, seed=1, command=command)
    assert plan["policy"] == DEFAULT_REPLAY_POLICY
    assert plan["selected"] == online.last_summary["selected"]
    np.testing.assert_array_equal(plan["weights"]["weight"].to_numpy(), weights.weight)

    obs = tmp_path / "obs.csv"
    obs.write_text("example,value\n" + "".join(f"{k},{v!r}\n" for k, v in measured.items()))
    out = tmp_path / "explicit.csv"
    code, summary, err = cli("replay", str(tmp_path / "train.parquet"), "--train-rows", "0-5", "--observed", str(obs),
                             "--n", "96", "--seed", "1", "--policy", "stratified", "--out", str(out), "--json")
    assert code == 0, err
    assert summary["selected"] == plan["selected"]
    np.testing.assert_array_equal(read_replay_weights(out).weight, weights.weight)
    # stratified: B = int(96/32) + 1 = 4 strata of 4 consecutive ranks over the top 4 · B = 16 examples,
    # one drawn from each: each of the 16 is replayed with probability 1/4, weight (1/4)/B = 1/16
    live = weights.weight > 0
    assert live.sum() == 16 and np.all(weights.weight[live] == 1 / 16)
    assert len(plan["selected"]) == 4
