"""The benchmark's data: upstream examples (64-byte windows of local text sources, or 64-token windows for
a model with a subword tokenizer), a stratified held-out subset that is never replayed, and fine-tuning
tasks split into train and held-out tasks. Seeded."""

from __future__ import annotations

import random

import numpy as np
import torch

from . import corpus, tokenizer


class _Windows:
    """Window drawing for one model: bytes (the default) or tokens of a BPE tokenizer trained on the
    pretraining text (``model.tokenizer = "bpe"``, ``model.vocab`` entries)."""

    def __init__(self, model: dict, sources: dict[str, bytes]):
        self.tok = None
        kind = model.get("tokenizer")
        if kind is None:
            return
        if kind != "bpe":
            raise ValueError(f"model.tokenizer must be bpe, got {kind!r}")
        self.tok = tokenizer.train_bpe([sources[k] for k in sorted(sources)], int(model["vocab"]))

    def encode(self, blob: bytes):
        return blob if self.tok is None else tokenizer.encode(self.tok, blob)

    def draw(self, enc, count: int, rng: random.Random) -> list:
        if self.tok is None:
            return corpus.windows(enc, count, rng)
        return tokenizer.token_windows(enc[0], enc[1], count, rng, corpus.WINDOW)

    def stream(self, enc) -> np.ndarray:
        return np.frombuffer(enc, dtype=np.uint8) if self.tok is None else enc[0]


def build_data(cfg: dict) -> dict:
    """Upstream windows with ids ``u0000…``, their sources, the held-out columns (``heldout_fraction`` of
    every source), and the tasks (``task_windows`` windows each) with the held-out task names. Windows are
    bytes, or lists of token ids when the model has a tokenizer (then ``tokenizer`` is the trained
    ``tokenizers.Tokenizer``); ``streams`` holds every source as one array of ids for pretraining."""
    d = cfg["data"]
    sources = corpus.upstream_sources(d["source_bytes"], seed=1)
    if not sources:
        raise RuntimeError("no local text source found (see forgetscope.bench_replay.corpus; set FORGETSCOPE_TEXT_ROOT)")
    win = _Windows(cfg["model"], sources)
    encoded = {name: win.encode(sources[name]) for name in sorted(sources)}
    rng = random.Random(1234)
    ups, src_of = [], []
    for name in sorted(sources):
        for w in win.draw(encoded[name], d["per_source"], rng):
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
    texts = corpus.task_texts(d["task_bytes"], seed=2, task_set=d.get("task_set", "classic"))
    task_rng = random.Random(7)
    tasks = {name: win.draw(win.encode(blob), d["task_windows"], task_rng) for name, blob in sorted(texts.items())}
    names = sorted(tasks)
    random.Random(2024).shuffle(names)
    heldout = sorted(names[: d["heldout_tasks"]])
    train = sorted(names[d["heldout_tasks"]:])
    if d.get("max_train_tasks"):
        train = train[: d["max_train_tasks"]]
    return {
        "sources": sources,
        "streams": {name: win.stream(enc) for name, enc in encoded.items()},
        "tokenizer": win.tok,
        "upstream": ups,
        "upstream_ids": [f"u{j:04d}" for j in range(len(ups))],
        "upstream_source": src_of,
        "held": sorted(held),
        "tasks": {k: tasks[k] for k in heldout + train},
        "heldout_tasks": heldout,
        "train_tasks": train,
    }


def as_tensor(windows: list) -> torch.Tensor:
    """Byte windows (or lists of token ids) as a LongTensor [count, width]."""
    return torch.tensor([list(w) for w in windows], dtype=torch.long)
