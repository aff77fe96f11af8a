"""Per-example gradients and the diagonal Fisher (``forgetscope fisher``, ``fisher --grads``).

One backward pass per example (exact, no batch-mean shortcut); written as safetensors through
:func:`forgetscope.tensors.save_tensors`.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Callable, Iterable, Optional

import torch
from torch import nn

from .tensors import PathLike, Pattern, _matcher, save_tensors


def _named_params(model: nn.Module, pattern: Pattern) -> list[tuple[str, nn.Parameter]]:
    keep = _matcher(pattern)
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad and keep(n)]
    if not params:
        raise ValueError(f"no trainable parameter matches {pattern!r}")
    return params


def per_example_gradients(model: nn.Module, examples: Iterable, loss_fn: Callable[[nn.Module, object], torch.Tensor],
                          pattern: Pattern = None, n_samples: Optional[int] = None, projection_dim: Optional[int] = None,
                          seed: int = 0) -> tuple[torch.Tensor, list[dict]]:
    """Per-example gradients G [N × P] of ``loss_fn(model, example)`` (one backward per example: exact, no
    batch-mean shortcut) over the parameters matching ``pattern``, for the first ``n_samples`` examples:
    :func:`forgetscope.side.example_gradients` (the one home of per-example gradients) with the examples
    numbered in order. With ``projection_dim`` the gradients are projected by the seeded Gaussian
    :class:`forgetscope.side.Projection` (``kind="gaussian"``, N(0, 1/dim) entries, drawn in blocks and
    never held whole; P' = projection_dim). Returns G and the layout [{name, offset, size, shape}] (or the
    projection's)."""
    from .side import Projection, example_gradients  # side imports this module's _named_params

    taken = list(itertools.islice(examples, n_samples)) if n_samples is not None else list(examples)
    if not taken:
        raise ValueError("no examples")
    params = _named_params(model, pattern)
    layout, offset = [], 0
    for n, p in params:
        layout.append({"name": n, "offset": offset, "size": p.numel(), "shape": list(p.shape)})
        offset += p.numel()
    proj = Projection(projection_dim, seed, "gaussian") if projection_dim is not None else None
    if proj is not None:
        layout = [{"name": "projection", "offset": 0, "size": projection_dim, "seed": seed, "from": offset, "kind": proj.kind,
                   "chunk": proj.chunk}]
    grads = example_gradients(model, [(str(i), ex) for i, ex in enumerate(taken)], loss_fn=loss_fn, pattern=pattern, projection=proj)
    return grads.G, layout


def export_per_example_gradients(model: nn.Module, examples: Iterable, loss_fn: Callable[[nn.Module, object], torch.Tensor],
                                 path: PathLike, pattern: Pattern = None, n_samples: Optional[int] = None,
                                 projection_dim: Optional[int] = None, seed: int = 0, with_fisher: bool = True) -> torch.Tensor:
    """:func:`per_example_gradients` written as ``grads_<set>.safetensors`` (``G`` [N × P]; with
    ``with_fisher`` also ``fisher`` = mean G² and ``gL`` = mean G of the same examples, so that
    ``forgetscope fisher A --grads FILE`` scores them in one space) and ``layout.json`` beside it."""
    G, layout = per_example_gradients(model, examples, loss_fn, pattern, n_samples, projection_dim, seed)
    tensors = {"G": G}
    if with_fisher:
        tensors["fisher"] = (G.double() ** 2).mean(0).float()
        tensors["gL"] = G.double().mean(0).float()
    save_tensors(path, tensors, {"format": "pt", "kind": "per-example-gradients", "samples": str(G.shape[0])})
    Path(path).with_name("layout.json").write_text(json.dumps(layout, indent=1))
    return G


def diagonal_fisher(model: nn.Module, examples: Iterable, loss_fn: Callable[[nn.Module, object], torch.Tensor],
                    pattern: Pattern = None, n_samples: Optional[int] = None, path: Optional[PathLike] = None,
                    label_mode: str = "empirical") -> dict[str, torch.Tensor]:
    """Diagonal empirical Fisher: the mean over ``n_samples`` examples of the squared per-example gradient,
    one tensor per parameter (same names and shapes). Squaring a batch-mean gradient would NOT be the
    Fisher. ``label_mode`` is recorded in the file ('empirical' = data labels, 'sampled' = y ~ p_θ; the
    loss function decides which labels it uses)."""
    params = _named_params(model, pattern)
    acc = {n: torch.zeros_like(p, dtype=torch.float32, device="cpu") for n, p in params}
    count = 0
    was_training = model.training
    model.eval()
    for i, ex in enumerate(examples):
        if n_samples is not None and i >= n_samples:
            break
        loss = loss_fn(model, ex)
        grads = torch.autograd.grad(loss, [p for _, p in params], allow_unused=True)
        for (n, _), gr in zip(params, grads):
            if gr is not None:
                acc[n] += gr.detach().float().cpu() ** 2
        count += 1
    model.train(was_training)
    if count == 0:
        raise ValueError("no examples")
    fisher = {n: a / count for n, a in acc.items()}
    if path is not None:
        save_tensors(path, fisher, {"format": "pt", "kind": "fisher", "label_mode": label_mode, "samples": str(count)})
    return fisher
