"""Exports for forgetscope's seed-method modules (``forgetscope recipes|subspace|fisher|lora``).

Everything is written as safetensors (fp32 unless said otherwise) under the parameter names of the model,
atomically (temporary file + rename), so the TypeScript side can read only the tensors it needs.

- weight snapshots and deltas: :func:`weight_snapshot`, :func:`weight_delta`; SVD factors: :func:`export_svd`
- teacher-forced per-token log-probs and a token class's log-mass: :func:`token_logprobs`,
  :func:`export_token_logprobs`, :func:`number_token_ids`
- diagonal Fisher from per-example gradients: :func:`per_example_gradients`,
  :func:`export_per_example_gradients`, :func:`diagonal_fisher`
- captured layer inputs via forward pre-hooks: :func:`capture_layer_inputs`, :func:`export_layer_inputs`
- LoRA adapters in the PEFT layout (``...lora_A.weight``, ``...lora_B.weight``): :class:`LoraLinear`,
  :func:`add_lora`, :func:`lora_snapshot`, :func:`load_lora`
- losses along an interpolation path between two adapters: :func:`interpolation_losses`
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Mapping, Optional, Sequence, Union

import torch
from torch import nn

from .collect import forward_logits

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

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, tmp, metadata=dict(metadata or {}))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


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


# --- token log-probs ---------------------------------------------------------------------------------

_NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                 "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
                 "thousand million billion").split()
_WORDS = set(_NUMBER_WORDS) | {w.capitalize() for w in _NUMBER_WORDS}


def is_number_token(text: str) -> bool:
    """seed-000's number-token rule (same as forgetscope's ``isNumberToken``)."""
    t = re.sub(r"[\s\u2581\u0120]", "", text)
    if not t:
        return False
    return bool(re.fullmatch(r"\d+", t) or re.fullmatch(r"\d+(st|nd|rd|th)", t) or re.fullmatch(r"\d*\.\d+|\d+\.\d*", t)
                or re.fullmatch(r"\d+,\d+", t) or t in _WORDS)


def number_token_ids(vocab: Mapping[str, int]) -> list[int]:
    """Ids of the vocabulary's number tokens (ascending), e.g. from ``tokenizer.get_vocab()``."""
    return sorted(i for s, i in vocab.items() if is_number_token(s))


@torch.no_grad()
def token_logprobs(model: nn.Module, sequences: Sequence[torch.Tensor], class_ids: Optional[Sequence[int]] = None,
                   batch_size: int = 8, device: Optional[Union[str, torch.device]] = None) -> dict[str, torch.Tensor]:
    """Teacher-forced chosen-token log-probs of 1-D token sequences: ``logp`` f32 [T] (T = Σ(len−1)),
    ``offsets`` i32 [N+1], and when ``class_ids`` is given ``num_logmass`` f32 [T] = logsumexp over the
    class of log_softmax(z). Full-vocabulary logits never leave torch."""
    model.eval()
    dev = torch.device(device) if device is not None else next(model.parameters()).device
    cls = torch.tensor(list(class_ids), dtype=torch.long, device=dev) if class_ids is not None else None
    logps: list[torch.Tensor] = []
    masses: list[torch.Tensor] = []
    lengths: list[int] = []
    for start in range(0, len(sequences), batch_size):
        chunk = [s.to(dev).long() for s in sequences[start:start + batch_size]]
        width = max(len(s) for s in chunk)
        ids = torch.zeros(len(chunk), width, dtype=torch.long, device=dev)
        mask = torch.zeros(len(chunk), width, dtype=torch.long, device=dev)
        for i, s in enumerate(chunk):
            ids[i, :len(s)] = s
            mask[i, :len(s)] = 1
        logits = forward_logits(model, ids, mask)
        lsm = torch.log_softmax(logits[:, :-1].float(), dim=-1)
        for i, s in enumerate(chunk):
            n = len(s) - 1
            lengths.append(max(n, 0))
            if n <= 0:
                continue
            row = lsm[i, :n]
            logps.append(row.gather(-1, s[1:].unsqueeze(-1)).squeeze(-1).cpu())
            if cls is not None:
                masses.append(torch.logsumexp(row[:, cls], dim=-1).cpu())
    offsets = torch.zeros(len(lengths) + 1, dtype=torch.int32)
    offsets[1:] = torch.cumsum(torch.tensor(lengths, dtype=torch.int64), 0).to(torch.int32)
    out = {"logp": torch.cat(logps).float() if logps else torch.zeros(0), "offsets": offsets}
    if cls is not None:
        out["num_logmass"] = torch.cat(masses).float() if masses else torch.zeros(0)
    return out


def export_token_logprobs(model: nn.Module, sequences: Sequence[torch.Tensor], path: PathLike,
                          class_ids: Optional[Sequence[int]] = None, batch_size: int = 8) -> dict[str, torch.Tensor]:
    """:func:`token_logprobs` written to ``path`` (``tokens_<ckpt>.safetensors``)."""
    out = token_logprobs(model, sequences, class_ids, batch_size)
    save_tensors(path, out, {"format": "pt", "kind": "tokens", "mode": "teacher-forced"})
    return out


# --- Fisher ------------------------------------------------------------------------------------------


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
    batch-mean shortcut) over the parameters matching ``pattern``, for the first ``n_samples`` examples.
    With ``projection_dim`` the gradients are multiplied by a fixed-seed Gaussian matrix / sqrt(dim)
    (P' = projection_dim). Returns G and the layout [{name, offset, size, shape}] (or the projection's)."""
    params = _named_params(model, pattern)
    layout, offset = [], 0
    for n, p in params:
        layout.append({"name": n, "offset": offset, "size": p.numel(), "shape": list(p.shape)})
        offset += p.numel()
    proj = None
    if projection_dim is not None:
        g = torch.Generator().manual_seed(seed)
        proj = torch.randn(offset, projection_dim, generator=g) / math.sqrt(projection_dim)
        layout = [{"name": "projection", "offset": 0, "size": projection_dim, "seed": seed, "from": offset}]
    rows = []
    was_training = model.training
    model.eval()
    for i, ex in enumerate(examples):
        if n_samples is not None and i >= n_samples:
            break
        model.zero_grad(set_to_none=True)
        loss = loss_fn(model, ex)
        grads = torch.autograd.grad(loss, [p for _, p in params], allow_unused=True)
        flat = torch.cat([(gr if gr is not None else torch.zeros_like(p)).reshape(-1).float().cpu() for gr, (_, p) in zip(grads, params)])
        rows.append(flat @ proj if proj is not None else flat)
    model.train(was_training)
    if not rows:
        raise ValueError("no examples")
    return torch.stack(rows), layout


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


# --- layer inputs ------------------------------------------------------------------------------------


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


# --- LoRA --------------------------------------------------------------------------------------------


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
        tmp = Path(str(csv_path) + ".tmp")
        tmp.write_text("\n".join(lines) + "\n")
        os.replace(tmp, csv_path)
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
