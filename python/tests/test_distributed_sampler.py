"""DistributedWeightedReplaySampler under two gloo processes: one global draw, disjoint shards, exact resume."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch.distributed as dist

from forgetscope.replay import DistributedWeightedReplaySampler, WeightedReplaySampler

from conftest import run_gloo

WEIGHTS = np.array([0.0, 5.0, 1.0, 0.5, 0.25, 3.0, 0.0, 2.0, 1.5, 0.75])
N = 37  # not a multiple of the world size: the draw is padded by wrapping around


def _worker(rank: int, world: int, outdir: str) -> None:
    """Runs inside run_gloo's process group (rank ``rank`` of ``world``)."""
    sampler = DistributedWeightedReplaySampler(WEIGHTS, num_samples=N, seed=3)  # rank/world from the group
    shards = {}
    for epoch in (0, 1):
        sampler.set_epoch(epoch)
        shards[epoch] = list(sampler)
    # Stop after 5 indices of epoch 1, resume in a new sampler, stop again after 4 more, resume again.
    first = DistributedWeightedReplaySampler(WEIGHTS, num_samples=N, seed=3)
    first.set_epoch(1)
    it = iter(first)
    part1 = [next(it) for _ in range(5)]
    state = first.state_dict()
    second = DistributedWeightedReplaySampler(WEIGHTS, num_samples=N, seed=3)
    second.load_state_dict(state)
    it = iter(second)
    part2 = [next(it) for _ in range(4)]
    third = DistributedWeightedReplaySampler(WEIGHTS, num_samples=N, seed=3)
    third.load_state_dict(json.loads(json.dumps(second.state_dict())))  # survives a JSON checkpoint
    part3 = list(third)
    # Every rank saw the same global draw: gather the rank-0 view and compare.
    draws: list = [None] * world
    dist.all_gather_object(draws, sampler.global_draw())
    with open(os.path.join(outdir, f"rank{rank}.json"), "w") as f:
        json.dump({"shards": shards, "resumed": part1 + part2 + part3, "same_draw": all(d == draws[0] for d in draws), "len": len(sampler)}, f)


def test_two_ranks_disjoint_shards_whose_union_is_the_single_process_draw(tmp_path):
    run_gloo(_worker, str(tmp_path))
    got = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert all(g["same_draw"] for g in got)
    for epoch in ("0", "1"):
        single = list(_single(int(epoch)))  # what one process draws with the same seed
        assert len(single) == N
        r0, r1 = got[0]["shards"][epoch], got[1]["shards"][epoch]
        assert len(r0) == len(r1) == got[0]["len"] == 19
        # Positions are disjoint (rank r holds positions r, r+2, …); interleaving them gives the single draw.
        merged = [x for pair in zip(r0, r1) for x in pair]
        assert merged[:N] == single
        assert merged[N:] == single[: 2 * 19 - N]  # the one padding index wraps to the start
        assert 0 not in single and 6 not in single  # zero weight is never drawn
    assert got[0]["shards"]["0"] != got[0]["shards"]["1"]  # set_epoch changes the draw
    for r in (0, 1):
        assert got[r]["resumed"] == got[r]["shards"]["1"]  # stopped twice, the stream continued exactly


def _single(epoch: int) -> WeightedReplaySampler:
    s = WeightedReplaySampler(WEIGHTS, num_samples=N, seed=3)
    s.set_epoch(epoch)
    return s


def test_draw_frequencies_follow_the_weights():
    sampler = DistributedWeightedReplaySampler(WEIGHTS, num_samples=200_000, num_replicas=4, rank=2, seed=0)
    counts = np.bincount(sampler.global_draw(), minlength=len(WEIGHTS))
    np.testing.assert_allclose(counts / counts.sum(), WEIGHTS / WEIGHTS.sum(), atol=4e-3)
    assert len(list(sampler)) == 50_000


def test_drop_last_and_state_checks():
    s = DistributedWeightedReplaySampler(WEIGHTS, num_samples=N, num_replicas=2, rank=1, seed=1, drop_last=True)
    assert len(list(s)) == 18 and s.total_size == 36
    assert s.state_dict(consumed=8)["position"] == 8
    other = DistributedWeightedReplaySampler(WEIGHTS, num_samples=N, num_replicas=3, rank=1, seed=1)
    with pytest.raises(ValueError, match="num_replicas"):
        other.load_state_dict(s.state_dict())
    with pytest.raises(ValueError, match="rank 2"):
        DistributedWeightedReplaySampler(WEIGHTS, num_samples=N, num_replicas=2, rank=2)
    # The "selected" mode: the selected set (weight > 0 for an array) in reshuffled passes.
    sel = DistributedWeightedReplaySampler(WEIGHTS, num_samples=16, num_replicas=2, rank=0, mode="selected", seed=0)
    draw = sel.global_draw()
    assert sorted(draw[:8]) == sorted({1, 2, 3, 4, 5, 7, 8, 9})  # the first pass is a permutation of the selection
