"""Files move both ways between the harness and the built forgetscope CLI (``node dist/cli/bin.js``)."""

import numpy as np
import pytest

from forgetscope.collect import collect
from forgetscope.replay import OnlineReplay, read_replay_weights

from conftest import CLI_BIN, BigramLM, random_examples, write_rank2_table


@pytest.mark.parametrize("ext", [".parquet", ".arrow", ".csv", ".tsv"])
def test_collected_long_table_reads_in_forgetscope(tmp_path, cli, ext):
    examples = random_examples(12, vocab=9, seed=4)
    base = BigramLM(vocab=9, seed=0)
    out = tmp_path / f"z{ext}"
    for t in range(3):
        collect(out, f"task{t}", BigramLM(vocab=9, seed=10 + t), examples, base=base, batch_size=5)
    code, info, err = cli("info", str(out), "--json")
    assert code == 0, err
    assert info["tasks"] == 3 and info["examples"] == 12 and info["observed"] == 36
    assert info["read"]["rows"] == 36 and info["read"]["kept"] == 36


def _train_matrix(tmp_path, m=6, n=60, seed=0):
    """A rank-2 long table task, example, delta with example ids e000.. and a 30% held-out list."""
    u, v = write_rank2_table(tmp_path / "train.parquet", m, n, seed)
    held = [f"e{j:03d}" for j in range(0, n, 4)]
    (tmp_path / "held.txt").write_text("\n".join(held) + "\n")
    new_row = 1.2 * u + 0.5 * v
    return new_row, held


@pytest.mark.parametrize("ext", [".parquet", ".arrow", ".csv", ".tsv", ".npy"])
def test_replay_weights_written_by_the_cli_read_back(tmp_path, cli, ext):
    new_row, held = _train_matrix(tmp_path)
    obs = tmp_path / "obs.csv"
    cols = [1, 5, 8, 13, 20, 29]
    obs.write_text("example,value\n" + "".join(f"e{j:03d},{float(new_row[j])!r}\n" for j in cols))
    out = tmp_path / f"w{ext}"
    code, summary, err = cli(
        "replay", str(tmp_path / "train.parquet"), "--train-rows", "0-5", "--observed", str(obs), "--n", "320",
        "--ratio", "0.03125", "--temperature", "0.1", "--exclude", str(tmp_path / "held.txt"), "--out", str(out), "--json",
    )  # --temperature: the paper's softmax (the CLI's default policy is stratified)
    assert code == 0, err
    rw = read_replay_weights(out)
    assert rw.examples == [f"e{j:03d}" for j in range(60)]
    assert summary["replayN"] == 11
    assert sorted(rw.selected_ids()) == sorted(summary["selected"])
    assert rw.weight.sum() == pytest.approx(1.0, abs=1e-12)
    idx = rw.index_of(held)
    assert np.all(rw.weight[idx] == 0) and not rw.selected[idx].any()
    for j in cols:
        assert rw.score[j] == pytest.approx(new_row[j], abs=1e-12)
    live = np.ones(60, bool)
    live[idx] = False
    z = rw.score[live] / 0.1
    expect = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    np.testing.assert_allclose(rw.weight[live], expect, rtol=1e-10, atol=1e-15)


def test_online_replay_helper_follows_the_plan_through_the_cli(tmp_path):
    new_row, held = _train_matrix(tmp_path)
    online = OnlineReplay(
        tmp_path / "train.parquet", "0-5", total_steps=200, n_fine_tune=240, ratio=1 / 8, seed=2,
        exclude=tmp_path / "held.txt", workdir=tmp_path / "online", command=["node", str(CLI_BIN)],
    )
    assert online.uniform_until_step == 20
    probes = online.probes
    assert len(probes) == 30 and not set(probes) & set(held)
    measured = {p: float(new_row[int(p[1:])]) for p in probes}
    weights = online.plan(measured)
    assert online.last_summary["replayN"] == 31
    for p in probes:
        assert weights.score[weights.index_of([p])[0]] == pytest.approx(measured[p], abs=1e-12)
    assert np.all(weights.weight[weights.index_of(held)] == 0)
    # it predicts the new row well enough to rank the examples (rank-2 data, 30 probes)
    order = np.argsort(-weights.score)
    true_order = np.argsort(-new_row)
    assert len(set(order[:10]) & set(true_order[:10])) >= 7


def test_online_replay_with_auto_temperature(tmp_path):
    new_row, held = _train_matrix(tmp_path)
    online = OnlineReplay(
        tmp_path / "train.parquet", "0-5", total_steps=50, n_fine_tune=64, temperature="auto", seed=1,
        exclude=tmp_path / "held.txt", workdir=tmp_path / "online", command=["node", str(CLI_BIN)],
    )
    weights = online.plan({p: float(new_row[int(p[1:])]) for p in online.probes})
    assert online.last_summary["temperatureRule"] == "auto"
    w = weights.weight[weights.weight > 0]
    # effective support = 4 replay budgets = 4 · (int(64/32) + 1) = 12 examples
    assert np.exp(-(w * np.log(w)).sum()) == pytest.approx(12, rel=1e-5)


def test_online_replay_with_a_policy(tmp_path):
    new_row, held = _train_matrix(tmp_path)
    online = OnlineReplay(
        tmp_path / "train.parquet", "0-5", total_steps=200, n_fine_tune=48, ratio=1 / 8, seed=2,
        exclude=tmp_path / "held.txt", workdir=tmp_path / "online", command=["node", str(CLI_BIN)], policy="topk",
    )
    weights = online.plan({p: float(new_row[int(p[1:])]) for p in online.probes})
    assert online.last_summary["policy"] == "topk" and online.last_summary["replayN"] == 7  # int(48 / 8) + 1
    # topk: uniform over 4 replay budgets = 28 of the 45 examples that are not held out, the highest scores
    live = weights.weight > 0
    assert live.sum() == 28 and np.allclose(weights.weight[live], 1 / 28, rtol=0, atol=1e-15)
    held_idx = weights.index_of(held)
    assert not live[held_idx].any()
    score = weights.score.copy()
    score[held_idx] = -np.inf
    assert set(np.flatnonzero(live)) == set(np.argsort(-score)[:28])
