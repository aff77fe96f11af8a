"""Richer side information from the same per-example gradients: variants of the first-order term.

With ``g_j = ∇θ NLL_j(θ0)`` (a row of :class:`forgetscope.side.ExampleGradients`) and ``d_i = θ_i − θ0``
(task i's weight change), for task i and upstream example j:

- ``first_order_<group>[i, j] = ⟨g_j[group], d_i[group]⟩`` — the first-order term restricted to one
  group of parameters (:func:`layer_groups`: ``embed``, ``L0``, ``L1``, …, ``head``); the groups partition
  the parameters, so the group terms sum to ``first_order``.
- ``first_order_cos[i, j] = ⟨g_j, d_i⟩ / (‖g_j‖·‖d_i‖)`` — the cosine: the direction of the change
  against the direction of the example's gradient, without their sizes (0 where either is 0).
- ``first_order_adam[i, j] = ⟨g_j, P_i d_i⟩ = Σ_p g_jp d_ip / (√v̂_ip + ε)`` with ``v̂_i`` the bias-corrected
  second moment (``exp_avg_sq / (1 − β₂^step)``) of task i's Adam/AdamW run at its end
  (:func:`adam_preconditioner`). ``−lr·P_i g_j`` is the step that optimizer state would take to learn
  example j, so the term measures how far the task moved against it in Adam's own geometry; same sign as
  first_order (positive: the change is predicted to raise NLL_j).
- ``second_order_diag[i, j] = ½ Σ_p d_ip² g_jp²`` — the second-order Taylor term ``½ dᵀH_j d`` with the
  Hessian of NLL_j replaced by the diagonal of its one-example empirical Fisher ``g_j g_jᵀ`` (≥ 0: a
  level, where first_order is mostly a shape). Needs the exact gradients: squaring does not commute with
  a random projection.

Cost: none of them needs a backward pass beyond the N (one per example, once per upstream set) that
``G`` already took; per task they are dot products with ``G`` — one N·P product in all for the exact split
(per parameter's columns; projected: one per group), one for the cosine (plus the norms), one for the
Adam variant (its state comes from the fine-tuning run), one over the squares for the curvature term.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

import numpy as np
import torch
from torch import nn

from .side import Delta, ExampleGradients, weight_change
from .tensors import PathLike

_INDEX = re.compile(r"(?:^|\.)(\d+)(?=\.|$)")

Tuned = Union[nn.Module, Delta, PathLike]


def layer_groups(names: Sequence[str]) -> dict[str, list[str]]:
    """Partitions parameter names (in layout order) by transformer block: a name with an integer path
    component (``blocks.1.qkv.weight``, ``transformer.h.0.attn.c_attn.weight``, ``model.layers.3.mlp…``)
    goes to ``L<n>`` for its first such integer; a name without one goes to ``embed`` when it comes before
    the first block's parameters (token and position embeddings) and to ``head`` after it (final norm,
    output head). A tied output head is listed once by PyTorch, under its embedding, so it counts in
    ``embed``. Without any numbered name every parameter is in one group ``all``. Returns the groups in
    the order embed, L0, L1, …, head, empty ones left out."""
    blocks: dict[int, list[str]] = {}
    embed: list[str] = []
    head: list[str] = []
    for name in names:
        m = _INDEX.search(name)
        if m is not None:
            blocks.setdefault(int(m.group(1)), []).append(name)
        elif blocks:
            head.append(name)
        else:
            embed.append(name)
    if not blocks:
        return {"all": list(names)} if names else {}
    out = {"embed": embed} if embed else {}
    out.update({f"L{k}": blocks[k] for k in sorted(blocks)})
    if head:
        out["head"] = head
    return out


def _deltas(grads: ExampleGradients, base: Tuned, tuned: Sequence[Tuned]) -> list[dict[str, torch.Tensor]]:
    return [weight_change(base, t, grads.names) for t in tuned]


def _restricted(delta: Mapping[str, torch.Tensor], keep: set[str]) -> dict[str, torch.Tensor]:
    return {n: (t if n in keep else torch.zeros_like(t)) for n, t in delta.items()}


def first_order_by_group(grads: ExampleGradients, base: Tuned, tuned: Sequence[Tuned],
                         groups: Optional[Mapping[str, Sequence[str]]] = None) -> dict[str, np.ndarray]:
    """``{"first_order_<group>": [M × N] float64}``: ⟨g_j, d_i⟩ over each group's parameters only
    (``groups``: name → parameter names, a partition of ``grads.names``; default :func:`layer_groups`).
    Exact or projected (a group's change is projected with the other groups' entries zero, so the
    projected group terms also sum to the projected first_order). Refuses groups that overlap or miss a
    parameter."""
    return _by_group(grads, _deltas(grads, base, tuned), groups)


def _by_group(grads: ExampleGradients, deltas: Sequence[Delta], groups: Optional[Mapping[str, Sequence[str]]]) -> dict[str, np.ndarray]:
    groups = layer_groups(grads.names) if groups is None else groups
    seen: dict[str, str] = {}
    for g, members in groups.items():
        for n in members:
            if n in seen:
                raise ValueError(f"parameter {n!r} is in groups {seen[n]!r} and {g!r}")
            seen[n] = g
    missing = [n for n in grads.names if n not in seen]
    unknown = [n for n in seen if n not in set(grads.names)]
    if missing or unknown:
        raise ValueError(f"the groups must partition the gradients' parameters: missing {missing[:3]}, unknown {unknown[:3]}")
    if grads.projection is not None:  # each group's change projected alone (zeros elsewhere)
        return {f"first_order_{g}": grads.dot([_restricted(d, set(members)) for d in deltas]) for g, members in groups.items()}
    flat, G = grads.flatten(deltas).double(), grads.float64()  # exact: each parameter's columns, as views
    start, columns = 0, {}
    for n, shape in zip(grads.names, grads.shapes):
        columns[n] = slice(start, start + math.prod(shape))
        start += math.prod(shape)
    out = {}
    for g, members in groups.items():
        acc = torch.zeros(flat.shape[0], G.shape[0], dtype=torch.float64)
        for n in members:
            acc += flat[:, columns[n]] @ G[:, columns[n]].T
        out[f"first_order_{g}"] = acc.numpy()
    return out


def first_order_cos(grads: ExampleGradients, base: Tuned, tuned: Sequence[Tuned]) -> np.ndarray:
    """``⟨g_j, d_i⟩ / (‖g_j‖·‖d_i‖)``: float64 [M × N] in [−1, 1], 0 where a norm is 0. Projected
    gradients use the projected norms (the cosine of Rg and Rd)."""
    return _cos(grads, _deltas(grads, base, tuned))


def _cos(grads: ExampleGradients, deltas: Sequence[Delta]) -> np.ndarray:
    flat = grads.flatten(deltas).double()
    G = grads.float64()
    num = (flat @ G.T).numpy()
    denom = np.outer(flat.norm(dim=1).numpy(), G.norm(dim=1).numpy())
    return np.divide(num, denom, out=np.zeros_like(num), where=denom > 0)


def adam_preconditioner(source: Any, model: Optional[nn.Module] = None, *, step: Optional[int] = None,
                        beta2: float = 0.999, eps: float = 1e-8) -> dict[str, torch.Tensor]:
    """Adam's diagonal preconditioner at the end of a run, ``P = 1 / (√v̂ + ε)`` with
    ``v̂ = exp_avg_sq / (1 − β₂^step)``: ``{name: float64 CPU tensor}``. ``source`` is one of

    - a ``torch.optim.Adam`` / ``AdamW`` after the run, with ``model`` to name its parameters (its own
      β₂, ε and per-parameter step are used);
    - that optimizer's ``state_dict()``, with ``model``: parameter k of the state is the k-th of
      ``model.parameters()`` (the order the optimizer was built with);
    - ``{name: exp_avg_sq}`` with ``step`` (and ``beta2``, ``eps``).

    A parameter without state (never updated) gets no entry; :func:`first_order_adam` refuses it."""
    if isinstance(source, torch.optim.Optimizer):
        if model is None:
            raise ValueError("an optimizer needs the model to name its parameters")
        name_of = {id(p): n for n, p in model.named_parameters()}
        out = {}
        for group in source.param_groups:
            b2, e = group["betas"][1], group["eps"]
            for p in group["params"]:
                st = source.state.get(p, {})
                if "exp_avg_sq" in st and id(p) in name_of:
                    out[name_of[id(p)]] = _precondition(st["exp_avg_sq"], int(st["step"]), b2, e)
        return out
    if isinstance(source, Mapping) and "state" in source and "param_groups" in source:
        if model is None:
            raise ValueError("an optimizer state_dict needs the model to name its parameters")
        names = [n for n, _ in model.named_parameters()]
        out = {}
        for group in source["param_groups"]:
            b2, e = group["betas"][1], group["eps"]
            for k in group["params"]:
                st = source["state"].get(k, {})
                if "exp_avg_sq" in st:
                    out[names[k]] = _precondition(st["exp_avg_sq"], int(st["step"]), b2, e)
        return out
    if step is None:
        raise ValueError("a mapping of exp_avg_sq needs the step count")
    return {n: _precondition(v, step, beta2, eps) for n, v in source.items()}


def _precondition(exp_avg_sq: torch.Tensor, step: int, beta2: float, eps: float) -> torch.Tensor:
    if step < 1:
        raise ValueError(f"Adam step count must be at least 1, got {step}")
    v = exp_avg_sq.detach().double().cpu() / (1.0 - beta2 ** step)
    return 1.0 / (v.sqrt() + eps)


def first_order_adam(grads: ExampleGradients, base: Tuned, tuned: Sequence[Tuned],
                     preconditioners: Sequence[Mapping[str, torch.Tensor]]) -> np.ndarray:
    """``⟨g_j, P_i d_i⟩`` with ``P_i`` task i's :func:`adam_preconditioner`: float64 [M × N]. Exact or
    projected (``P_i d_i`` is projected like a weight change)."""
    return _adam(grads, _deltas(grads, base, tuned), preconditioners)


def _adam(grads: ExampleGradients, deltas: Sequence[Delta], preconditioners: Sequence[Mapping[str, torch.Tensor]]) -> np.ndarray:
    if len(preconditioners) != len(deltas):
        raise ValueError(f"{len(deltas)} weight changes but {len(preconditioners)} preconditioners")
    scaled = []
    for k, (d, pre) in enumerate(zip(deltas, preconditioners)):
        lacking = [n for n in grads.names if n not in pre]
        if lacking:
            raise KeyError(f"preconditioner {k} has no Adam state for {len(lacking)} parameters, e.g. {lacking[:3]}")
        scaled.append({n: d[n] * pre[n].to(d[n].dtype).reshape(d[n].shape) for n in grads.names})
    return grads.dot(scaled)


def second_order_diag(grads: ExampleGradients, base: Tuned, tuned: Sequence[Tuned]) -> np.ndarray:
    """``½ Σ_p d_ip² g_jp²``: float64 [M × N], ≥ 0 (exact gradients only). The squares of G are computed
    once and kept on ``grads`` (one more N × P float64 copy), so a later task costs one N·P product."""
    return _second_order(grads, _deltas(grads, base, tuned))


def _second_order(grads: ExampleGradients, deltas: Sequence[Delta]) -> np.ndarray:
    if grads.projection is not None:
        raise ValueError("second_order_diag needs exact gradients (squares do not survive a random projection)")
    flat = grads.flatten(deltas).double()
    return (0.5 * (flat ** 2) @ grads.squares64().T).numpy()


def side_variants(grads: ExampleGradients, base: Tuned, tuned: Sequence[Tuned], *,
                  preconditioners: Optional[Sequence[Mapping[str, torch.Tensor]]] = None,
                  groups: Optional[Mapping[str, Sequence[str]]] = None) -> dict[str, np.ndarray]:
    """Every side matrix of this module and ``first_order`` itself, by the name to write it under
    (``side/<name>.npy``): first_order, first_order_<group> (:func:`first_order_by_group`),
    first_order_cos, second_order_diag (exact gradients only) and first_order_adam (when
    ``preconditioners`` are given, one per tuned weights)."""
    deltas = _deltas(grads, base, tuned)  # the weight changes once, for every term
    out = {"first_order": grads.dot(deltas)}
    out.update(_by_group(grads, deltas, groups))
    out["first_order_cos"] = _cos(grads, deltas)
    if grads.projection is None:
        out["second_order_diag"] = _second_order(grads, deltas)
    if preconditioners is not None:
        out["first_order_adam"] = _adam(grads, deltas, preconditioners)
    return out
