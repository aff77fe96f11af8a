"""The benchmark's train forgetting matrix as a dataset folder for ``forgetscope evaluate <folder> --side
NAME``: ``Z.npy`` (train tasks × upstream examples, measured by the harness), ``tasks.json``,
``examples.jsonl`` (id, source, text), ``embeddings.jsonl`` (id, ``embedding.0`` … ``embedding.19``: the
leading principal components of the exact per-example gradients at the base weights,
:func:`forgetscope.side.example_embeddings`; read with ``--examples`` when wanted), ``base_nll.npy``, and side information from
:mod:`forgetscope.side` at the base weights: ``side/first_order.npy`` (⟨∇NLL_j(θ0), θ_i − θ0⟩, exact: all
parameters, no projection) and ``side/task_gradient.npy`` (⟨∇NLL_j(θ0), −lr·steps·ḡ_i⟩, ḡ over 4
seeded batches of the task at θ0)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch

from ..atomic import atomic_write
from ..dataset import write_dataset, write_side
from ..side import embedding_meta, example_embeddings, example_gradients, first_order, task_gradient, task_step
from .data import as_tensor
from .models import lm_loss

#: Principal components of the per-example gradients written as ``embedding.<i>`` (example_embeddings' default).
EMBEDDING_K = 20
#: Examples per block of exact gradients (a block is [CHUNK × P] float32, and float64 for the products).
CHUNK = 32
GRAD_BATCHES = 4


def example_text(window, tokenizer) -> str:
    """An upstream window as text: bytes read as Latin-1, token ids decoded by the tokenizer."""
    return window.decode("latin-1") if isinstance(window, bytes) else tokenizer.decode(list(window))


def export_dataset(folder: Path, cfg: dict, data: dict, base: torch.nn.Module, base_vec: np.ndarray, Z: np.ndarray,
                   states: dict[str, Path]) -> dict:
    """Writes the dataset folder (see the module docstring) for the train tasks ``data["train_tasks"]`` (rows
    of ``Z``, in that order) whose fine-tuned parameters are saved in ``states``; returns its summary."""
    t0 = time.time()
    tasks, ids = data["train_tasks"], data["upstream_ids"]
    ft = cfg["finetune"]
    tok = data["tokenizer"]
    tuned = [torch.load(states[t], weights_only=True) for t in tasks]
    steps = []
    for k, t in enumerate(tasks):
        windows = as_tensor(data["tasks"][t])
        g = torch.Generator().manual_seed(1000 + k)
        batches = [windows[torch.randint(len(windows), (ft["batch"],), generator=g)] for _ in range(GRAD_BATCHES)]
        steps.append(task_step(base, batches, lr=ft["lr"], steps=ft["steps"], loss_fn=lm_loss))
    upstream = as_tensor(data["upstream"])
    F = np.zeros(Z.shape)
    TG = np.zeros(Z.shape)
    blocks = []
    for lo in range(0, len(ids), CHUNK):
        cols = range(lo, min(lo + CHUNK, len(ids)))
        grads = example_gradients(base, {ids[j]: upstream[j] for j in cols})
        F[:, lo : cols.stop] = first_order(grads, base, tuned)
        TG[:, lo : cols.stop] = task_gradient(grads, steps)
        blocks.append(grads.G)
    # the examples' embeddings: the leading principal components of the same exact gradients
    embedded = embedding_meta(ids, example_embeddings(torch.cat(blocks), k=EMBEDDING_K))
    del blocks
    write_dataset(folder, Z, [{"id": t, "name": t, "lr": ft["lr"], "steps": ft["steps"], "batch": ft["batch"], "recipe": "full", "seed": 1000 + k}
                              for k, t in enumerate(tasks)],
                  [{"id": ids[j], "source": data["upstream_source"][j], "text": example_text(w, tok)} for j, w in enumerate(data["upstream"])],
                  base_nll=base_vec)
    lines = "".join(json.dumps({"id": i, **embedded[i]}) + "\n" for i in ids)
    atomic_write(folder / "embeddings.jsonl", lambda tmp: Path(tmp).write_text(lines))
    write_side(folder, "first_order", F, task_ids=tasks, example_ids=ids)
    write_side(folder, "task_gradient", TG, task_ids=tasks, example_ids=ids)
    pearson = lambda S: float(np.median([np.corrcoef(S[i], Z[i])[0, 1] for i in range(len(Z))]))  # noqa: E731
    summary = {"model": cfg["name"], "tasks": len(tasks), "N": len(ids), "mean_Z": float(Z.mean()),
               "median_row_pearson": {"first_order": pearson(F), "task_gradient": pearson(TG)},
               "side_seconds": time.time() - t0, "tokenizer": None if tok is None else "tokenizer.json"}
    if tok is not None:
        tok_json = tok.to_str()
        atomic_write(folder / "tokenizer.json", lambda tmp: Path(tmp).write_text(tok_json))
    atomic_write(folder / "export.json", lambda tmp: Path(tmp).write_text(json.dumps(summary, indent=2) + "\n"))
    return summary
