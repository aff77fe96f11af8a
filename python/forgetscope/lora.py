"""LoRA adapters in the PEFT layout and losses along an interpolation path (``forgetscope lora``).

PEFT parameter names: ``...lora_A.weight`` (r × in), ``...lora_B.weight`` (out × r).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

import torch
from torch import nn

from .atomic import atomic_write
from .tensors import PathLike, Pattern, _matcher, save_tensors


class LoraLinear(nn.Module):
    """A frozen ``nn.Linear`` plus a LoRA update (alpha / r)·B·A, with PEFT parameter names
    (``base_layer.weight``, ``lora_A.weight`` r × in, ``lora_B.weight`` out × r; B starts at 0)."""

    def __init__(self, base: nn.Linear, r: int = 8, alpha: float = 16.0, seed: int = 0):
        super().__init__()
        self.base_layer = base
        for p in base.parameters():
            p.requires_grad_(False)
        self.r = r
        self.alpha = alpha
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            bound = 1 / math.sqrt(base.in_features)
            self.lora_A.weight.copy_((torch.rand(r, base.in_features, generator=g) * 2 - 1) * bound)
            self.lora_B.weight.zero_()

    @property
    def scale(self) -> float:
        return self.alpha / self.r

    def forward(self, x):
        return self.base_layer(x) + self.scale * self.lora_B(self.lora_A(x))


def add_lora(model: nn.Module, pattern: Pattern, r: int = 8, alpha: float = 16.0, seed: int = 0) -> list[str]:
    """Replaces every ``nn.Linear`` whose module name matches ``pattern`` by a :class:`LoraLinear`
    (seeded per module), freezes everything else, and returns the wrapped module names."""
    keep = _matcher(pattern)
    for p in model.parameters():
        p.requires_grad_(False)
    names = [n for n, m in model.named_modules() if isinstance(m, nn.Linear) and keep(n)]
    for i, n in enumerate(names):
        parent_name, _, child = n.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, LoraLinear(getattr(parent, child), r, alpha, seed + i))
    return names


def lora_snapshot(model: nn.Module, path: Optional[PathLike] = None, config_path: Optional[PathLike] = None) -> dict[str, torch.Tensor]:
    """The model's LoRA factors (names containing ``lora_A`` / ``lora_B``), fp32, PEFT-named; written to
    ``path`` with ``adapter_config.json`` (r, lora_alpha, target_modules) beside it or at ``config_path``."""
    snap = {n: p.detach().float().cpu().clone() for n, p in model.named_parameters() if "lora_A" in n or "lora_B" in n}
    if not snap:
        raise ValueError("the model has no lora_A / lora_B parameters")
    if path is not None:
        save_tensors(path, snap, {"format": "pt", "kind": "lora"})
        loras = [(n, m) for n, m in model.named_modules() if isinstance(m, LoraLinear)]
        if loras:
            cfg = {"r": loras[0][1].r, "lora_alpha": loras[0][1].alpha, "target_modules": sorted({n.rsplit(".", 1)[-1] for n, _ in loras}),
                   "peft_type": "LORA"}
            Path(config_path or Path(path).with_name("adapter_config.json")).write_text(json.dumps(cfg, indent=1))
    return snap


@torch.no_grad()
def load_lora(model: nn.Module, tensors: Mapping[str, torch.Tensor]) -> None:
    """Copies LoRA factors (from :func:`lora_snapshot` or a file) into the model's parameters."""
    params = dict(model.named_parameters())
    for n, t in tensors.items():
        if n not in params:
            raise KeyError(f"model has no parameter {n}")
        params[n].copy_(t.to(params[n].dtype))


@torch.no_grad()
def interpolation_losses(model: nn.Module, adapter0: Mapping[str, torch.Tensor], adapter1: Mapping[str, torch.Tensor],
                         alphas: Sequence[float], evaluate: Callable[[nn.Module], torch.Tensor], mode: str = "factors",
                         path: Optional[PathLike] = None, csv_path: Optional[PathLike] = None) -> torch.Tensor:
    """Evaluates the model along the path between two adapters at each α: ``evaluate(model)`` returns a
    loss (scalar) or per-example NLLs [N]; the result is [nAlpha] or [nAlpha × N]. ``mode`` 'factors'
    interpolates A and B (what EMA gives); 'delta' makes the update the interpolation of the products,
    (1−α)B₀A₀ + αB₁A₁, written exactly as a rank-2r factor pair. The model's adapter is restored after.
    Writes ``path`` (safetensors: ``alpha``, ``nll``; mode in the metadata) and ``csv_path`` (alpha,loss
    with the mean loss, for ``forgetscope lora barrier``)."""
    if mode not in ("factors", "delta"):
        raise ValueError("mode must be 'factors' or 'delta'")
    original = lora_snapshot(model)
    results = []
    try:
        for a in alphas:
            if mode == "factors":
                load_lora(model, {n: (1 - a) * adapter0[n] + a * adapter1[n] for n in adapter0})
                results.append(torch.as_tensor(evaluate(model)).detach().double().cpu())
            else:
                results.append(_eval_delta_mix(model, adapter0, adapter1, a, evaluate))
    finally:
        load_lora(model, original)
    out = torch.stack(results)
    if path is not None:
        save_tensors(path, {"alpha": torch.tensor(list(alphas), dtype=torch.float64), "nll": out.float()},
                     {"format": "pt", "kind": "interpolation-path", "mode": mode})
    if csv_path is not None:
        mean = out.reshape(len(alphas), -1).mean(dim=1)
        lines = ["alpha,loss"] + [f"{a!r},{float(v)!r}" for a, v in zip(alphas, mean)]
        atomic_write(csv_path, lambda tmp: Path(tmp).write_text("\n".join(lines) + "\n"))
    return out


def _eval_delta_mix(model: nn.Module, a0: Mapping[str, torch.Tensor], a1: Mapping[str, torch.Tensor], a: float, evaluate) -> torch.Tensor:
    # (1−α)B₀A₀ + αB₁A₁ = [ (1−α)B₀ | αB₁ ] · [A₀ ; A₁]: evaluate with temporary rank-2r factors.
    saved = {}
    for name, mod in model.named_modules():
        if not isinstance(mod, LoraLinear):
            continue
        ka, kb = f"{name}.lora_A.weight", f"{name}.lora_B.weight"
        saved[name] = (mod.lora_A, mod.lora_B)
        A = torch.cat([a0[ka], a1[ka]], 0).to(mod.lora_A.weight)
        B = torch.cat([(1 - a) * a0[kb], a * a1[kb]], 1).to(mod.lora_B.weight)
        la = nn.Linear(A.shape[1], A.shape[0], bias=False)
        lb = nn.Linear(B.shape[1], B.shape[0], bias=False)
        la.weight.data.copy_(A)
        lb.weight.data.copy_(B)
        mod.lora_A, mod.lora_B = la, lb
    try:
        return torch.as_tensor(evaluate(model)).detach().double().cpu()
    finally:
        for name, (la, lb) in saved.items():
            mod = model.get_submodule(name)
            mod.lora_A, mod.lora_B = la, lb
