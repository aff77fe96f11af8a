"""The benchmark's data: upstream examples (64-byte windows of local text sources), a stratified held-out
subset that is never replayed, and fine-tuning tasks split into train and held-out tasks. Seeded."""

from __future__ import annotations

import random

import torch

from . import corpus


def build_data(cfg: dict) -> dict:
    """Upstream windows with ids ``u0000…``, their sources, the held-out columns (``heldout_fraction`` of
    every source), and the tasks (``task_windows`` windows each) with the held-out task names."""
    d = cfg["data"]
    sources = corpus.upstream_sources(d["source_bytes"], seed=1)
    if not sources:
        raise RuntimeError("no local text source found (see forgetscope.bench_replay.corpus; set FORGETSCOPE_TEXT_ROOT)")
    rng = random.Random(1234)
    ups, src_of = [], []
    for name in sorted(sources):
        for w in corpus.windows(sources[name], d["per_source"], rng):
            ups.append(w)
            src_of.append(name)
    order = list(range(len(ups)))
    rng.shuffle(order)
    ups = [ups[k] for k in order]
    src_of = [src_of[k] for k in order]
    held_rng = random.Random(4242)
    held = []
    for name in sorted(sources):
        members = [j for j in range(len(ups)) if src_of[j] == name]
        held += held_rng.sample(members, max(1, round(len(members) * d["heldout_fraction"])))
    texts = corpus.task_texts(d["task_bytes"], seed=2)
    task_rng = random.Random(7)
    tasks = {name: corpus.windows(blob, d["task_windows"], task_rng) for name, blob in sorted(texts.items())}
    names = sorted(tasks)
    random.Random(2024).shuffle(names)
    heldout = sorted(names[: d["heldout_tasks"]])
    train = sorted(names[d["heldout_tasks"]:])
    if d.get("max_train_tasks"):
        train = train[: d["max_train_tasks"]]
    return {
        "sources": sources,
        "upstream": ups,
        "upstream_ids": [f"u{j:04d}" for j in range(len(ups))],
        "upstream_source": src_of,
        "held": sorted(held),
        "tasks": {k: tasks[k] for k in heldout + train},
        "heldout_tasks": heldout,
        "train_tasks": train,
    }


def as_tensor(windows: list[bytes]) -> torch.Tensor:
    """Byte windows as a LongTensor [count, width]."""
    return torch.tensor([list(w) for w in windows], dtype=torch.long)
