"""Side information for forgetting completion: cheap per-(task, example) predictors of Z from gradients.

- ``first_order[i, j] = ⟨∇θ NLL_j(θ0), θ_i − θ0⟩`` — the first-order Taylor term of upstream example j's
  token-mean NLL for task i's weight change. It needs task i's fine-tuned weights, but no inference over
  the upstream examples after fine-tuning.
- ``task_gradient[i, j] = ⟨∇θ NLL_j(θ0), −lr·steps·ḡ_i⟩`` with ḡ_i the mean gradient of task i's training
  loss over a few batches at θ0 — available before fine-tuning at all.

Both are inner products with the per-example gradients ``G`` [N × P] at the base weights, computed once per
upstream set (:func:`example_gradients`, one backward pass per example) and saved
(:meth:`ExampleGradients.save`). Exact for small models; for large ones ``G`` is multiplied by a seeded
random projection R [P × proj_dim] (Rademacher ±1/√k or Gaussian N(0, 1/k), TRAK-style, or a count
sketch, which costs P instead of P·k per vector), generated in blocks of ``chunk`` parameters so R is
never held whole, and the same R (same seed, kind and chunk) projects every task's weight change. Under ``torch.distributed`` each rank computes the gradients of its
shard ``examples[rank::world]`` and the rows are gathered on every rank (as :func:`forgetscope.collect`
does). :func:`forgetscope.dataset.write_side` writes the result as ``side/<name>.npy`` beside ``Z.npy``.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional, Union

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from .collect import _as_items, _rank_world, forward_logits, sequence_nll
from .gradients import _named_params
from .tables import EMBEDDING_PREFIX
from .tensors import PathLike, Pattern, load_tensors, save_tensors

Delta = Mapping[str, torch.Tensor]
LossFn = Callable[[nn.Module, Any], torch.Tensor]


def _block_seed(seed: int, index: int) -> int:
    return int(np.random.SeedSequence([int(seed), int(index)]).generate_state(1, dtype=np.uint64)[0] >> 1)


KINDS = ("rademacher", "gaussian", "countsketch")


@dataclass(frozen=True)
class Projection:
    """A seeded random projection R [P × dim] applied blockwise: block b holds the rows for flat parameter
    indices ``[b·chunk, (b+1)·chunk)`` of the concatenated parameters and is drawn on the CPU from a
    generator seeded by ``(seed, b)``, so R depends only on (dim, seed, kind, chunk) — never on the
    device, the batch, the shard or the number of parameters — and is never materialised whole.

    ``kind``: ``"rademacher"`` (entries ±1/√dim) or ``"gaussian"`` (N(0, 1/dim)), dense, cost P·dim per
    projected vector, ``chunk`` defaulting to 2^22 / dim rows (16 MiB per block); or ``"countsketch"``
    (each parameter added with a random sign to one random coordinate of the dim: R has one ±1 per row),
    cost P per vector whatever dim is, ``chunk`` defaulting to 2^22 parameters. All three satisfy
    E[RRᵀ] = I: ⟨Rg, Rd⟩ is unbiased for ⟨g, d⟩ with standard deviation about
    √((|g|²|d|² + ⟨g, d⟩²) / dim) (Johnson–Lindenstrauss), so for the same error count sketch affords a
    much larger dim at a fraction of the cost."""

    dim: int
    seed: int = 0
    kind: str = "rademacher"
    chunk: Optional[int] = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"projection kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.chunk is None:  # a function of dim (and kind) only, so the same R is found again
            default = (1 << 22) if self.kind == "countsketch" else (1 << 22) // max(1, self.dim)
            object.__setattr__(self, "chunk", max(1, default))
        if self.dim < 1 or self.block_rows < 1:
            raise ValueError(f"projection dim and chunk must be positive, got dim={self.dim}, chunk={self.chunk}")

    @property
    def block_rows(self) -> int:
        """Parameters per block (``chunk`` after its default is filled in)."""
        return int(self.chunk) if self.chunk is not None else 0

    def block(self, index: int) -> Union[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Block ``index`` of R on the CPU: float32 [chunk × dim] for the dense kinds; for count sketch the
        pair (coordinate int64 [chunk], sign float32 [chunk])."""
        g = torch.Generator().manual_seed(_block_seed(self.seed, index))
        if self.kind == "countsketch":
            where = torch.randint(0, self.dim, (self.block_rows,), generator=g)
            sign = torch.randint(0, 2, (self.block_rows,), generator=g, dtype=torch.int8).float().mul_(2).sub_(1)
            return where, sign
        if self.kind == "rademacher":
            r = torch.randint(0, 2, (self.block_rows, self.dim), generator=g, dtype=torch.int8).float().mul_(2).sub_(1)
        else:
            r = torch.randn(self.block_rows, self.dim, generator=g)
        return r.div_(math.sqrt(self.dim))

    def apply(self, parts: Sequence[torch.Tensor]) -> torch.Tensor:
        """Projects rows given as per-parameter pieces ``[B × numel_k]`` (in layout order, together the flat
        rows [B × P]) to [B × dim] float32, on the pieces' device; each block of R is drawn once per call."""
        if not parts:
            raise ValueError("nothing to project")
        rows, device = parts[0].shape[0], parts[0].device
        out = torch.zeros(rows, self.dim, dtype=torch.float32, device=device)
        chunk = self.block_rows
        offset, cur = 0, -1
        dense = where = sign = torch.empty(0)
        for part in parts:
            part = part.reshape(rows, -1).float()
            n, pos = part.shape[1], 0
            while pos < n:
                b, start = divmod(offset + pos, chunk)
                take = min(n - pos, chunk - start)
                if b != cur:
                    drawn = self.block(b)
                    if isinstance(drawn, tuple):
                        where, sign = drawn[0].to(device), drawn[1].to(device)
                    else:
                        dense = drawn.to(device)
                    cur = b
                piece = part[:, pos:pos + take]
                if self.kind == "countsketch":
                    out.index_add_(1, where[start:start + take], piece * sign[start:start + take])
                else:
                    out.addmm_(piece, dense[start:start + take])
                pos += take
            offset += n
        return out

    def to_json(self) -> dict:
        return {"dim": self.dim, "seed": self.seed, "kind": self.kind, "chunk": self.chunk}


@dataclass
class ExampleGradients:
    """Per-example gradients at the base weights: ``G`` [N × D] float32 (D = P exact, or the projection's
    dim), rows in ``ids`` order, over the parameters ``names`` (shapes ``shapes``) in that order."""

    ids: list[str]
    G: torch.Tensor
    names: list[str]
    shapes: list[list[int]]
    projection: Optional[Projection] = None
    _G64: Optional[torch.Tensor] = field(default=None, init=False, repr=False, compare=False)
    _squares64: Optional[torch.Tensor] = field(default=None, init=False, repr=False, compare=False)

    def save(self, path: PathLike) -> None:
        """Writes ``G`` and the layout (ids, parameter names and shapes, projection) as one safetensors file."""
        meta = {"format": "pt", "kind": "example-gradients", "ids": json.dumps(self.ids), "names": json.dumps(self.names),
                "shapes": json.dumps(self.shapes), "projection": json.dumps(self.projection.to_json() if self.projection else None)}
        save_tensors(path, {"G": self.G}, meta)

    @classmethod
    def load(cls, path: PathLike) -> ExampleGradients:
        """Reads a file written by :meth:`save`."""
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
        if meta.get("kind") != "example-gradients":
            raise ValueError(f"{path}: not an example-gradients file (kind {meta.get('kind')!r})")
        proj = json.loads(meta["projection"])
        return cls(json.loads(meta["ids"]), load_tensors(path)["G"], json.loads(meta["names"]), json.loads(meta["shapes"]),
                   Projection(**proj) if proj else None)

    def select(self, ids: Sequence[str]) -> ExampleGradients:
        """The rows of ``ids``, in that order (e.g. a dataset folder's ``examples.jsonl`` order)."""
        where = {i: k for k, i in enumerate(self.ids)}
        missing = [str(i) for i in ids if str(i) not in where]
        if missing:
            raise KeyError(f"no gradient for {len(missing)} examples, e.g. {missing[:3]}")
        rows = torch.tensor([where[str(i)] for i in ids], dtype=torch.long)
        return ExampleGradients([str(i) for i in ids], self.G[rows], self.names, self.shapes, self.projection)

    def flatten(self, deltas: Sequence[Delta]) -> torch.Tensor:
        """Weight changes (``{name: tensor}``, each with at least this object's parameters) in G's space:
        [M × P] float64 flat vectors when exact, or [M × dim] float32 projected with the same R (drawn
        once for all M)."""
        if not deltas:
            raise ValueError("no weight changes")
        parts = []
        for n, shape in zip(self.names, self.shapes):
            col = []
            for k, d in enumerate(deltas):
                if n not in d:
                    raise KeyError(f"weight change {k} lacks parameter {n!r} of the gradients")
                t = d[n].detach()
                if list(t.shape) != list(shape):
                    raise ValueError(f"weight change {k}, parameter {n}: shape {list(t.shape)}, the gradients have {shape}")
                col.append(t.reshape(1, -1).double().cpu() if self.projection is None else t.reshape(1, -1))
            parts.append(torch.cat(col))
        if self.projection is None:
            return torch.cat(parts, dim=1)
        return self.projection.apply(parts).cpu()

    def dot(self, deltas: Sequence[Delta]) -> np.ndarray:
        """``⟨G_j, delta_i⟩`` for every weight change i and example j: float64 [M × N]."""
        if not deltas:
            return np.zeros((0, len(self.ids)))
        return (self.flatten(deltas).double() @ self.float64().T).numpy()

    def float64(self) -> torch.Tensor:
        """``G`` as float64, converted once and kept (every task's dot reuses it)."""
        if self._G64 is None or self._G64.shape != self.G.shape:
            self._G64 = self.G.double()
        return self._G64

    def squares64(self) -> torch.Tensor:
        """``G ∘ G`` as float64, computed once and kept (the diagonal curvature term's per-task product)."""
        if self._squares64 is None or self._squares64.shape != self.G.shape:
            self._squares64 = self.float64() ** 2
        return self._squares64


def _example_items(examples: Union[Mapping[str, Any], Iterable[tuple[str, Any]]], loss_fn: Optional[LossFn]) -> list[tuple[str, Any]]:
    if loss_fn is None:
        return _as_items(examples)  # token ids, checked as collect checks them
    items = examples.items() if isinstance(examples, Mapping) else examples
    return [(str(i), x) for i, x in items]


def _autocast(device: torch.device, dtype: Optional[torch.dtype]):
    if dtype in (torch.bfloat16, torch.float16):
        return torch.autocast(device_type=device.type, dtype=dtype)
    return torch.autocast(device_type=device.type, enabled=False)


def example_nll(model: nn.Module, tokens: torch.Tensor, device: Optional[torch.device] = None) -> torch.Tensor:
    """Token-mean NLL of one token sequence (a differentiable scalar), as :func:`forgetscope.compute_nll`
    measures it (batch of one, so no padding)."""
    dev = device or next(model.parameters()).device
    ids = tokens.reshape(1, -1).long().to(dev)
    mask = torch.ones_like(ids)
    return sequence_nll(forward_logits(model, ids, mask), ids, mask)[0]


def _device(model: nn.Module, device) -> torch.device:
    if device is not None:
        return torch.device(device)
    try:
        return next(model.parameters()).device
    except StopIteration:
        return torch.device("cpu")


def example_gradients(
    model: nn.Module,
    examples: Union[Mapping[str, Any], Iterable[tuple[str, Any]]],
    *,
    loss_fn: Optional[LossFn] = None,
    pattern: Pattern = None,
    proj_dim: Optional[int] = None,
    seed: int = 0,
    kind: str = "rademacher",
    chunk: Optional[int] = None,
    projection: Optional[Projection] = None,
    batch_size: int = 64,
    device: Optional[Union[str, torch.device]] = None,
    dtype: Optional[torch.dtype] = None,
    progress: Optional[Callable[[int, int], None]] = None,
) -> ExampleGradients:
    """Gradient of every example's loss at the model's current weights (the base θ0), one backward pass
    per example, over the trainable parameters whose names match ``pattern`` (all when None).

    ``examples``: ``{id: item}`` or ``(id, item)`` pairs. Without ``loss_fn`` an item is token ids (as for
    :func:`forgetscope.compute_nll`) and the loss is its token-mean NLL (any Hugging Face causal LM or a
    module returning logits); with ``loss_fn(model, item) -> scalar`` it is whatever that returns.
    ``proj_dim`` (or a ready ``projection``) projects each gradient with :class:`Projection`
    (``seed``, ``kind``, ``chunk``), ``batch_size`` gradients at a time (each block of R is drawn once
    per batch); without it the gradients are kept whole (N × P float32). ``dtype`` bfloat16/float16 runs
    the forward under autocast. Under an initialised process group each rank takes
    ``examples[rank::world]`` and every rank returns the gathered whole, rows in ``examples`` order."""
    items = _example_items(examples, loss_fn)
    if not items:
        raise ValueError("no examples")
    seen: set[str] = set()
    for i, _ in items:
        if i in seen:
            raise ValueError(f"example id {i!r} appears twice")
        seen.add(i)
    params = _named_params(model, pattern)
    proj = projection or (Projection(proj_dim, seed, kind, chunk) if proj_dim is not None else None)
    rank, world = _rank_world()
    shard = items[rank::world]
    dev = _device(model, device)
    was_training = model.training
    model.eval()
    rows: list[torch.Tensor] = []
    pending: list[list[torch.Tensor]] = []

    def flush() -> None:
        if pending and proj is not None:
            rows.append(proj.apply([torch.cat(col) for col in zip(*pending)]).cpu())
            pending.clear()

    try:
        for k, (ex_id, item) in enumerate(shard):
            with _autocast(dev, dtype):
                loss = loss_fn(model, item) if loss_fn is not None else example_nll(model, item, dev)
            if not torch.isfinite(loss):
                raise ValueError(f"example {ex_id!r}: loss is {float(loss)}")
            grads = torch.autograd.grad(loss, [p for _, p in params], allow_unused=True)
            flat = [(g if g is not None else torch.zeros_like(p)).detach().reshape(1, -1).float() for g, (_, p) in zip(grads, params)]
            if proj is None:
                rows.append(torch.cat(flat, dim=1).cpu())
            else:
                pending.append(flat)
                if len(pending) >= batch_size:
                    flush()
            if progress is not None:
                progress(k + 1, len(shard))
        if proj is not None:
            flush()
    finally:
        model.train(was_training)
    width = proj.dim if proj is not None else sum(p.numel() for _, p in params)
    local = torch.cat(rows) if rows else torch.zeros(0, width)
    ids = [i for i, _ in items]
    if world > 1:
        gathered: list[Any] = [None] * world
        dist.all_gather_object(gathered, ([i for i, _ in shard], local.numpy()))
        by_id: dict[str, torch.Tensor] = {}
        for shard_ids, g in gathered:
            by_id.update(zip(shard_ids, torch.from_numpy(g)))
        G = torch.stack([by_id[i] for i in ids])
    else:
        G = local
    return ExampleGradients(ids, G, [n for n, _ in params], [list(p.shape) for _, p in params], proj)


def weight_change(base: Union[nn.Module, Delta, PathLike], tuned: Union[nn.Module, Delta, PathLike],
                  names: Optional[Sequence[str]] = None) -> dict[str, torch.Tensor]:
    """θ_tuned − θ_base (float64, CPU) for ``names`` (all of base's parameters when None); either side is
    a model, a ``{name: tensor}`` snapshot, or a safetensors file."""

    def tensors(x) -> Mapping[str, torch.Tensor]:
        if isinstance(x, nn.Module):
            return dict(x.named_parameters())
        if isinstance(x, Mapping):
            return x
        return load_tensors(x)

    b, t = tensors(base), tensors(tuned)
    keys = list(names) if names is not None else list(b)
    missing = [n for n in keys if n not in b or n not in t]
    if missing:
        raise KeyError(f"parameters missing from the base or tuned weights, e.g. {missing[:3]}")
    return {n: t[n].detach().double().cpu() - b[n].detach().double().cpu() for n in keys}


def first_order(grads: ExampleGradients, base: Union[nn.Module, Delta, PathLike],
                tuned: Sequence[Union[nn.Module, Delta, PathLike]]) -> np.ndarray:
    """``first_order[i, j] = ⟨∇θ NLL_j(θ0), θ_i − θ0⟩`` for the tuned weights ``tuned[i]`` (models,
    snapshots or files) of each task: float64 [M × N], columns in ``grads.ids`` order. ``base`` must be
    the weights ``grads`` were computed at."""
    return grads.dot([weight_change(base, t, grads.names) for t in tuned])


def _batch_loss(model: nn.Module, batch: Any, device: torch.device) -> torch.Tensor:
    # Token-weighted mean NLL over a batch: a [B × T] tensor of equal-length windows, or a mapping with
    # input_ids (and attention_mask) as a Hugging Face data collator gives.
    if isinstance(batch, Mapping):
        ids = torch.as_tensor(batch["input_ids"]).long().to(device)
        mask = torch.as_tensor(batch.get("attention_mask", torch.ones_like(ids))).long().to(device)
    else:
        ids = torch.as_tensor(batch).long().to(device)
        ids = ids.reshape(1, -1) if ids.dim() == 1 else ids
        mask = torch.ones_like(ids)
    per_row = sequence_nll(forward_logits(model, ids, mask), ids, mask)
    count = ((mask[:, 1:] != 0) & (mask[:, :-1] != 0)).sum(dim=1)
    keep = count > 0
    return (per_row[keep] * count[keep]).sum() / count[keep].sum()


def task_step(model: nn.Module, batches: Iterable[Any], *, lr: float, steps: int, loss_fn: Optional[LossFn] = None,
              pattern: Pattern = None, device: Optional[Union[str, torch.device]] = None) -> dict[str, torch.Tensor]:
    """The predicted weight change ``−lr·steps·ḡ`` of fine-tuning, with ḡ the mean over ``batches`` of the
    gradient of the task's training loss at the model's current weights (θ0): ``{name: float64 tensor}``
    for the trainable parameters matching ``pattern``. A batch is a [B × T] tensor of token windows or a
    mapping with ``input_ids`` (and ``attention_mask``), scored by the token-mean NLL; with
    ``loss_fn(model, batch)`` it is whatever that returns. Pass it to :meth:`ExampleGradients.dot`."""
    params = _named_params(model, pattern)
    dev = _device(model, device)
    acc = [torch.zeros(p.shape, dtype=torch.float64) for _, p in params]
    count = 0
    was_training = model.training
    model.eval()
    try:
        for batch in batches:
            loss = loss_fn(model, batch) if loss_fn is not None else _batch_loss(model, batch, dev)
            grads = torch.autograd.grad(loss, [p for _, p in params], allow_unused=True)
            for a, g in zip(acc, grads):
                if g is not None:
                    a += g.detach().double().cpu()
            count += 1
    finally:
        model.train(was_training)
    if count == 0:
        raise ValueError("no batches")
    return {n: a * (-lr * steps / count) for (n, _), a in zip(params, acc)}


def task_gradient(grads: ExampleGradients, steps: Sequence[Delta]) -> np.ndarray:
    """``task_gradient[i, j] = ⟨∇θ NLL_j(θ0), −lr_i·steps_i·ḡ_i⟩`` for the predicted steps of
    :func:`task_step`: float64 [M × N]."""
    return grads.dot(steps)


#: Largest N for which :func:`example_embeddings` forms the N × N Gram matrix (exact); above it a seeded
#: randomized SVD.
EXACT_EMBEDDING_ROWS = 4096


def example_embeddings(grads: Union[ExampleGradients, torch.Tensor, np.ndarray], k: int = 20, *, seed: int = 0) -> np.ndarray:
    """Each upstream example's ``k`` leading principal components of the per-example gradients: the rows
    of ``U_k·S_k`` from the SVD of ``G`` [N × D] (uncentred), float64 [N × k], each column's sign fixed so
    that its largest-magnitude entry is positive.

    Why: to first order a task's forgetting of example j is ⟨G_j, Δθ⟩, so the directions that carry most
    of G's energy carry most of any task's first-order pattern, whether or not its Δθ is known. Written as
    ``embedding.0`` … ``embedding.{k-1}`` into a dataset folder's examples.jsonl or an ``--examples`` file
    (:func:`embedding_meta`), lowrank takes them as covariates of its example effects. Exact (the N × N
    Gram in float64) up to :data:`EXACT_EMBEDDING_ROWS` examples, else a randomized SVD seeded by ``seed``.
    ``k`` is capped at N − 1 and at D."""
    G = grads.G if isinstance(grads, ExampleGradients) else torch.as_tensor(np.asarray(grads) if isinstance(grads, np.ndarray) else grads)
    if G.ndim != 2:
        raise ValueError(f"example_embeddings: gradients must be N × D, got shape {tuple(G.shape)}")
    n, d = G.shape
    k = int(k)
    if k < 1:
        raise ValueError(f"example_embeddings: k must be at least 1, got {k}")
    k = min(k, max(n - 1, 1), d)
    if n <= EXACT_EMBEDDING_ROWS:
        gram = torch.zeros(n, n, dtype=torch.float64)
        for lo in range(0, d, 1 << 16):
            block = G[:, lo : lo + (1 << 16)].to(torch.float64)
            gram += block @ block.T
        w, U = torch.linalg.eigh(gram)
        order = torch.argsort(w, descending=True)[:k]
        scores = U[:, order] * torch.sqrt(torch.clamp(w[order], min=0.0))
    else:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            U, S, _ = torch.svd_lowrank(G.to(torch.float32), q=min(k + 10, n, d), niter=4)
        scores = (U[:, :k] * S[:k]).to(torch.float64)
    out = scores.numpy()
    for c in range(out.shape[1]):
        j = int(np.argmax(np.abs(out[:, c])))
        if out[j, c] < 0:
            out[:, c] = -out[:, c]
    return out


def embedding_meta(ids: Sequence[str], embeddings: np.ndarray) -> dict[str, dict[str, float]]:
    """``{id: {"embedding.0": …, …}}`` for :func:`example_embeddings`' rows (in ``ids`` order): the keys
    lowrank reads as example covariates, to merge into examples.jsonl rows or an ``--examples`` file, or
    to give :func:`~forgetscope.collect.collect` as ``example_meta`` (float64 columns of the long table)."""
    E = np.asarray(embeddings, dtype=np.float64)
    if E.ndim != 2 or E.shape[0] != len(ids):
        raise ValueError(f"embedding_meta: {len(ids)} ids but embeddings of shape {E.shape}")
    return {str(i): {f"{EMBEDDING_PREFIX}{c}": float(E[r, c]) for c in range(E.shape[1])} for r, i in enumerate(ids)}


def stderr_progress(label: str, every: int = 50) -> Callable[[int, int], None]:
    """A ``progress`` callback printing ``label done/total`` on stderr every ``every`` items."""

    def report(done: int, total: int) -> None:
        if done == total or done % every == 0:
            print(f"{label} {done}/{total}", file=sys.stderr, flush=True)

    return report


def write_folder_side(folder: PathLike, name: str, grads: ExampleGradients, deltas: Mapping[str, Delta]) -> np.ndarray:
    """Computes ``⟨G_j, delta_i⟩`` for a dataset folder and writes it as ``side/<name>.npy``: rows in
    ``tasks.json`` order (``deltas`` maps every task id to its weight change — :func:`weight_change` for
    first_order, :func:`task_step` for task_gradient), columns in ``examples.jsonl`` order (``grads`` must
    hold every example id). Returns the matrix written (float64 before the float32 file)."""
    from .dataset import dataset_ids, write_side

    task_ids, example_ids = dataset_ids(folder)
    missing = [t for t in task_ids if t not in deltas]
    if missing:
        raise KeyError(f"{folder}: no weight change for {len(missing)} tasks of tasks.json, e.g. {missing[:3]}")
    matrix = grads.select(example_ids).dot([deltas[t] for t in task_ids])
    write_side(folder, name, matrix, task_ids=task_ids, example_ids=example_ids)
    return matrix
