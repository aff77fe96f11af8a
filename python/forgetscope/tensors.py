"""Tensors as safetensors files: atomic save/load, weight snapshots and deltas, SVD factors.

Everything is written as safetensors (fp32 unless said otherwise) under the parameter names of the model,
atomically (temporary file + rename), so the TypeScript side can read only the tensors it needs
(``forgetscope subspace --before/--after/--svd``, ``fisher --update``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Mapping, Optional, Union

import torch
from torch import nn

from .atomic import atomic_write

PathLike = Union[str, os.PathLike]
Pattern = Union[str, "re.Pattern[str]", None]

def _matcher(pattern: Pattern) -> Callable[[str], bool]:
    if pattern is None:
        return lambda name: True
    rx = re.compile(pattern) if isinstance(pattern, str) else pattern
    return lambda name: rx.search(name) is not None


def save_tensors(path: PathLike, tensors: Mapping[str, torch.Tensor], metadata: Optional[Mapping[str, str]] = None) -> Path:
    """Writes tensors (made contiguous, on CPU) as safetensors atomically; returns the path."""
    from safetensors.torch import save_file  # imported lazily: only the exports need it

    return atomic_write(path, lambda tmp: save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, tmp,
                                                    metadata=dict(metadata or {})))


def load_tensors(path: PathLike) -> dict[str, torch.Tensor]:
    """Reads a safetensors file into a dict of CPU tensors."""
    from safetensors.torch import load_file

    return load_file(str(path))


# --- weights ---------------------------------------------------------------------------------------


def weight_snapshot(model: nn.Module, path: Optional[PathLike] = None, pattern: Pattern = None, only_2d: bool = False,
                    dtype: torch.dtype = torch.float32) -> dict[str, torch.Tensor]:
    """The model's parameters whose names match ``pattern`` (all when None), as ``dtype`` copies, under their
    module names (Hugging Face names for HF models). Written to ``path`` when given."""
    keep = _matcher(pattern)
    snap = {n: p.detach().to(dtype).cpu().clone() for n, p in model.named_parameters() if keep(n) and (not only_2d or p.dim() == 2)}
    if path is not None:
        save_tensors(path, snap, {"format": "pt", "kind": "weights"})
    return snap


def weight_delta(before: Union[Mapping[str, torch.Tensor], PathLike], after: Union[nn.Module, Mapping[str, torch.Tensor], PathLike],
                 path: Optional[PathLike] = None) -> dict[str, torch.Tensor]:
    """ΔW = after − before for every tensor of ``before`` (snapshots, files or a model), in float32."""
    b = load_tensors(before) if isinstance(before, (str, os.PathLike)) else before
    a: Mapping[str, torch.Tensor]
    if isinstance(after, nn.Module):
        a = dict(after.named_parameters())
    elif isinstance(after, (str, os.PathLike)):
        a = load_tensors(after)
    else:
        a = after
    missing = [n for n in b if n not in a]
    if missing:
        raise KeyError(f"tensors missing after: {missing[:5]}")
    delta = {n: a[n].detach().float().cpu() - b[n].float().cpu() for n in b}
    if path is not None:
        save_tensors(path, delta, {"format": "pt", "kind": "delta"})
    return delta


@torch.no_grad()
def export_svd(weights: Union[nn.Module, Mapping[str, torch.Tensor]], folder: PathLike, k: Optional[int] = None,
               pattern: Pattern = None, dtype: torch.dtype = torch.float32) -> list[Path]:
    """Thin SVD of every 2-D weight (``torch.linalg.svd`` in ``dtype``), written as
    ``folder/<name>.safetensors`` with ``U_h`` [dO × k], ``S`` (all min(dO, dI) singular values) and
    ``V_h`` [dI × k] (right singular vectors as columns) — ``forgetscope subspace --svd`` reads these, so
    7B-scale layers need no SVD on the TypeScript side. ``k`` defaults to all."""
    items = weights.named_parameters() if isinstance(weights, nn.Module) else weights.items()
    keep = _matcher(pattern)
    paths = []
    for name, w in items:
        if w.dim() != 2 or not keep(name):
            continue
        u, s, vt = torch.linalg.svd(w.detach().to(dtype).cpu(), full_matrices=False)
        kk = s.numel() if k is None else min(k, s.numel())
        paths.append(save_tensors(Path(folder) / f"{name}.safetensors", {"U_h": u[:, :kk], "S": s, "V_h": vt[:kk].T},
                                  {"format": "pt", "kind": "svd", "k": str(kk)}))
    return paths
