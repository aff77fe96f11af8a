import numpy as np
import pyarrow as pa
import pytest
import torch
from torch.utils.data import ConcatDataset, DataLoader, TensorDataset

from forgetscope.replay import (
    ReplayBatchSampler,
    WeightedReplaySampler,
    read_replay_weights,
    replay_count,
)
from forgetscope.tables import write_table


def test_replay_count_matches_the_spec():
    assert replay_count(1000, 1 / 32) == 32
    assert replay_count(1000, 1 / 8) == 126


def _weights_table(n=6):
    w = np.array([0.5, 0.2, 0.15, 0.1, 0.05, 0.0])[:n]
    return pa.table(
        {
            "example": [f"u{i}" for i in range(n)],
            "score": np.linspace(0.3, -0.2, n),
            "weight": w,
            "selected": [True, False, True, False, False, False][:n],
        }
    )


@pytest.mark.parametrize("ext", [".parquet", ".arrow", ".csv"])
def test_reads_weights_files_in_every_table_format(tmp_path, ext):
    path = tmp_path / f"w{ext}"
    write_table(path, _weights_table())
    rw = read_replay_weights(path)
    assert rw.examples == [f"u{i}" for i in range(6)]
    np.testing.assert_allclose(rw.weight, [0.5, 0.2, 0.15, 0.1, 0.05, 0.0])
    assert rw.selected_ids() == ["u0", "u2"]


def test_reads_a_structured_npy_weights_file(tmp_path):
    arr = np.zeros(3, dtype=[("example", "U8"), ("score", "f8"), ("weight", "f8"), ("selected", "u1")])
    arr["example"] = ["a", "b", "c"]
    arr["weight"] = [0.2, 0.8, 0.0]
    arr["selected"] = [0, 1, 0]
    np.save(tmp_path / "w.npy", arr)
    rw = read_replay_weights(tmp_path / "w.npy")
    assert rw.examples == ["a", "b", "c"] and rw.selected_ids() == ["b"]
    np.testing.assert_allclose(rw.weight, [0.2, 0.8, 0.0])


def test_weighted_sampler_follows_the_weights_and_never_draws_excluded(tmp_path):
    write_table(tmp_path / "w.parquet", _weights_table())
    draws = 40000
    sampler = WeightedReplaySampler(tmp_path / "w.parquet", num_samples=draws, seed=1)
    counts = np.bincount(list(sampler), minlength=6)
    p = np.array([0.5, 0.2, 0.15, 0.1, 0.05, 0.0])
    sd = np.sqrt(p * (1 - p) / draws)
    assert np.all(np.abs(counts / draws - p) <= 5 * sd + 1e-12)
    assert counts[5] == 0
    # seeded: same seed, same draw; another epoch, another draw
    again = WeightedReplaySampler(tmp_path / "w.parquet", num_samples=50, seed=1)
    assert list(again) == list(WeightedReplaySampler(tmp_path / "w.parquet", num_samples=50, seed=1))
    first = list(again)
    again.set_epoch(1)
    assert list(again) != first


def test_selected_mode_and_dataset_id_mapping(tmp_path):
    write_table(tmp_path / "w.csv", _weights_table())
    # the dataset stores the upstream examples in another order
    order = ["u5", "u2", "u4", "u0", "u1", "u3"]
    sampler = WeightedReplaySampler(tmp_path / "w.csv", num_samples=9, mode="selected", dataset_ids=order, seed=0)
    got = list(sampler)
    assert len(got) == 9 and set(got) == {1, 3}  # u2 and u0 in dataset order
    with pytest.raises(KeyError):
        WeightedReplaySampler(tmp_path / "w.csv", num_samples=1, dataset_ids=["nope"])


def test_batch_sampler_mixes_replay_at_the_ratio():
    task = TensorDataset(torch.arange(100))
    upstream = TensorDataset(torch.arange(1000, 1050))
    replay = WeightedReplaySampler(np.ones(50), num_samples=50, seed=0)
    bs = ReplayBatchSampler(len(task), replay, ratio=1 / 8, batch_size=8, num_batches=90, seed=3)
    loader = DataLoader(ConcatDataset([task, upstream]), batch_sampler=bs)
    rows = replayed = 0
    for (batch,) in loader:
        assert len(batch) == 8
        rows += len(batch)
        replayed += int((batch >= 1000).sum())
        # exact running fraction: replay rows so far = round(rows / 9)
        assert replayed == int(np.floor(rows / 9 + 0.5))
    assert replayed == 80
    no_replay = ReplayBatchSampler(len(task), None, ratio=0, batch_size=8, num_batches=5)
    assert all(max(b) < 100 for b in no_replay)


def test_running_fraction_is_the_rule_of_both_mixing_samplers():
    from itertools import islice

    from forgetscope.hf import ReplayMixSampler
    from forgetscope.replay import running_fraction

    # ratio 1/2: a third of the rows; after p rows round(p / 3) are replay (half up: p = 2 -> 1)
    assert list(islice(running_fraction(0.5), 9)) == [False, True, False, False, True, False, False, True, False]
    flags = list(islice(running_fraction(1 / 32), 3300))
    assert all(sum(flags[:p]) == int(np.floor(p / 33 + 0.5)) for p in range(1, 3301))
    # The per-index sampler places its replay rows exactly where the rule says.
    s = ReplayMixSampler(task_size=200, replay_size=3, ratio=1 / 8, seed=1)
    got = [i >= 200 for i in s]
    assert got == list(islice(running_fraction(1 / 8), len(got))) and got.count(False) == 200
    with pytest.raises(ValueError, match="ratio"):
        next(running_fraction(float("nan")))


def test_write_id_values_is_read_back_exactly(tmp_path):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from forgetscope.tables import write_id_values

    values = {"a,b": 0.1, 'q"uote': -1e-300, "line\nbreak": 1 / 3, "7": 2.0}
    p = write_id_values(tmp_path / "obs.csv", values)
    t = pacsv.read_csv(p, convert_options=pacsv.ConvertOptions(column_types={"example": pa.string()}))
    assert dict(zip(t.column("example").to_pylist(), t.column("value").to_pylist())) == values
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="example 'x' is"):
            write_id_values(tmp_path / "bad.csv", {"x": bad})
    assert not (tmp_path / "bad.csv").exists()


def test_batch_sampler_is_the_mix_samplers_batches():
    from forgetscope.replay import ReplayMixSampler

    # Task rows: torch draws from a generator seeded with the seed, uniform or in passes taken from the end.
    g = torch.Generator().manual_seed(5)
    uniform = [int(torch.randint(10, (1,), generator=g)) for _ in range(12)]
    assert [r for b in ReplayBatchSampler(10, None, 0, 4, 3, seed=5) for r in b] == uniform
    g = torch.Generator().manual_seed(5)
    passes = torch.randperm(10, generator=g).tolist()[::-1] + torch.randperm(10, generator=g).tolist()[::-1]
    assert [r for b in ReplayBatchSampler(10, None, 0, 4, 4, seed=5, task_passes=True) for r in b] == passes[:16]
    # The batch form and the per-index form share one mix: the same replay sampler, the same rule.
    replay = WeightedReplaySampler(np.ones(6), num_samples=3, seed=1)
    batches = list(ReplayBatchSampler(20, replay, 1 / 2, 6, 5, seed=2))
    mix = ReplayMixSampler(20, 0, 1 / 2, seed=2, replay_sampler=WeightedReplaySampler(np.ones(6), num_samples=3, seed=1), task_order="uniform")
    assert batches == list(mix.batches(6, 5))
    assert [sum(i >= 20 for i in b) for b in batches] == [2, 2, 2, 2, 2]
    # per index, the replay rows come from the replay sampler (rolled over to its next epoch when used up)
    per_index = ReplayMixSampler(20, 0, 1 / 2, seed=2, replay_sampler=replay)
    got = list(per_index)
    assert sorted(i for i in got if i < 20) == list(range(20)) and all(20 <= i < 26 for i in got if i >= 20)
    with pytest.raises(ValueError, match="task_order"):
        ReplayMixSampler(5, 1, 1.0, task_order="random")
    with pytest.raises(ValueError, match="ratio"):
        ReplayMixSampler(5, 1, float("inf"))
