"""Layer inputs captured with forward pre-hooks (``forgetscope subspace --activations``)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Mapping, Sequence

import torch
from torch import nn

from .tensors import PathLike, save_tensors

def capture_layer_inputs(model: nn.Module, module_names: Sequence[str], run: Callable[[], object], max_rows: int = 1024,
                         seed: int = 0) -> dict[str, torch.Tensor]:
    """Captures the inputs reaching each named module (forward pre-hooks) while ``run()`` drives the model
    (e.g. over previous-task batches); every call's input is flattened to rows [tokens × dIn], and at
    most ``max_rows`` rows are kept per module, chosen uniformly with a seeded generator."""
    modules = dict(model.named_modules())
    missing = [n for n in module_names if n not in modules]
    if missing:
        raise KeyError(f"no module named {missing}")
    seen: dict[str, list[torch.Tensor]] = {n: [] for n in module_names}
    hooks = []
    for n in module_names:
        def hook(_mod, args, n=n):
            x = args[0]
            seen[n].append(x.detach().reshape(-1, x.shape[-1]).float().cpu())
        hooks.append(modules[n].register_forward_pre_hook(hook))
    try:
        with torch.no_grad():
            run()
    finally:
        for h in hooks:
            h.remove()
    g = torch.Generator().manual_seed(seed)
    out = {}
    for n, parts in seen.items():
        if not parts:
            raise RuntimeError(f"module {n} was not called by run()")
        x = torch.cat(parts)
        if x.shape[0] > max_rows:
            x = x[torch.randperm(x.shape[0], generator=g)[:max_rows].sort().values]
        out[n] = x
    return out


def export_layer_inputs(inputs: Mapping[str, torch.Tensor], folder: PathLike, suffix: str = ".weight") -> list[Path]:
    """Writes ``folder/<module name><suffix>.safetensors`` holding ``X`` — the layout of
    ``forgetscope subspace --activations`` (one file per weight tensor name)."""
    return [save_tensors(Path(folder) / f"{n}{suffix}.safetensors", {"X": x}, {"format": "pt", "kind": "layer-inputs"}) for n, x in inputs.items()]
