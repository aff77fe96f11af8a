"""Configuration of the closed-loop replay benchmark: one JSON file, every field optional (defaults below)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from .corpus import TASK_SETS

#: Policies the benchmark knows: name → (CLI policy, what is observed, side row). "probes": the 30
#: measured entries of the new task; "true": its whole true row (experiments only); "none": nothing.
POLICIES: dict[str, dict[str, Any]] = {
    "uniform": {"policy": "uniform", "observed": "probes", "side": None},
    "softmax": {"policy": "softmax", "observed": "probes", "side": None},
    "auto": {"policy": "auto", "observed": "probes", "side": None},
    "topk": {"policy": "topk", "observed": "probes", "side": None},
    "stratified": {"policy": "stratified", "observed": "probes", "side": None},
    "blocks": {"policy": "blocks", "observed": "probes", "side": None},
    "coverage": {"policy": "coverage", "observed": "probes", "side": None},
    "optimistic": {"policy": "optimistic", "observed": "probes", "side": None},
    "neighbour": {"policy": "neighbour", "observed": "probes", "side": None},
    "surprise": {"policy": "surprise", "observed": "probes", "side": "base_nll"},
    "gradient": {"policy": "gradient", "observed": "probes", "side": "gradient"},
    "oracle": {"policy": "oracle", "observed": "true", "side": None},
    "oracle-auto": {"policy": "auto", "observed": "true", "side": None},
    "oracle-topk": {"policy": "topk", "observed": "true", "side": None},
}

#: The true-row policies: the benchmark's reference for "the best achievable from the true row".
TRUE_ROW_POLICIES = ("oracle", "oracle-auto", "oracle-topk")

#: Model adapters (see :mod:`forgetscope.bench_replay.models`).
MODEL_KINDS = ("byte-gpt", "hf-gpt2", "hf-llama")

#: Every field of a configuration and its default. Optional fields without a default (absent from the
#: cache keys when absent, so older configurations keep their caches): ``model.tokenizer`` (``"bpe"``:
#: a byte-level BPE trained on the pretraining text, windows of 64 tokens), ``model.vocab`` (its size),
#: ``model.mlp`` (hf-llama's MLP width), ``data.task_set`` (``classic`` or ``instruct-code``, see
#: :data:`forgetscope.bench_replay.corpus.TASK_SETS`).
DEFAULTS: dict[str, Any] = {
    "name": "byte-gpt",
    "out": "bench/out/replay-policies/byte-gpt",
    "model": {"kind": "byte-gpt", "width": 64, "layers": 2, "heads": 4, "context": 64, "seed": 0},
    "data": {"per_source": 100, "source_bytes": 300_000, "task_windows": 480, "heldout_tasks": 6,
             "heldout_fraction": 0.2, "max_train_tasks": None, "task_bytes": 200_000},
    "pretrain": {"steps": 400, "batch": 32, "lr": 2e-3},
    "finetune": {"steps": 48, "batch": 16, "lr": 3e-4},
    "seeds": 3,  # a count (seeds 0 … k−1) or a list of seeds
    "tag": "",  # suffix of the output files (results-<tag>.json …); the caches are shared
    "ratios": [1 / 32, 1 / 8],
    "probes": 30,
    "policies": list(POLICIES),
    "auto_support": 4,
    "factor_rank": 5,
    "gradient": {"projection": 256, "task_examples": 64},
    "workers": 1,
    "planner": "batch",
    "export": None,  # a folder: the train matrix and its side information as a dataset (bench_replay.export)
    "example_meta": False,  # give the planner the examples' source and text (lowrank's example effects use them)
}


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def load_config(path: str | Path | None = None, **overrides: Any) -> dict:
    """The benchmark configuration: :data:`DEFAULTS` overlaid with the JSON file ``path`` and then
    ``overrides`` (nested dicts merge). Unknown policies or keys are errors that name the file."""
    cfg = DEFAULTS
    src = "defaults"
    if path is not None:
        src = str(path)
        try:
            cfg = _merge(cfg, json.loads(Path(path).read_text()))
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: line {e.lineno}, column {e.colno}: {e.msg}") from None
    cfg = _merge(cfg, {k: v for k, v in overrides.items() if v is not None})
    unknown = sorted(set(cfg) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"{src}: unknown keys {unknown} (known: {sorted(DEFAULTS)})")
    bad = [p for p in cfg["policies"] if p not in POLICIES]
    if bad:
        raise ValueError(f"{src}: unknown policies {bad} (known: {list(POLICIES)})")
    if "uniform" not in cfg["policies"]:
        raise ValueError(f"{src}: the policies must include uniform (every comparison is paired against it)")
    if cfg["model"]["kind"] not in MODEL_KINDS:
        raise ValueError(f"{src}: model.kind must be one of {', '.join(MODEL_KINDS)}, got {cfg['model']['kind']!r}")
    if cfg["model"].get("tokenizer") not in (None, "bpe"):
        raise ValueError(f"{src}: model.tokenizer must be bpe (or absent: bytes), got {cfg['model']['tokenizer']!r}")
    if cfg["model"].get("tokenizer") == "bpe" and not isinstance(cfg["model"].get("vocab"), int):
        raise ValueError(f"{src}: model.tokenizer bpe needs an integer model.vocab (the BPE vocabulary size)")
    if cfg["data"].get("task_set", "classic") not in TASK_SETS:
        raise ValueError(f"{src}: data.task_set must be one of {', '.join(TASK_SETS)}, got {cfg['data']['task_set']!r}")
    return cfg
