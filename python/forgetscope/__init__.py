"""forgetscope's PyTorch harness: per-example losses in, replay weights out.

- :mod:`forgetscope.collect` — token-mean NLL per upstream example for any causal LM, batched, sharded
  over ``torch.distributed`` ranks, written as the long table ``task, example, nll_before, nll_after``.
- :mod:`forgetscope.tables` — atomic Parquet / Arrow / CSV writers and readers for those tables.
- :mod:`forgetscope.replay` — read the weights file of ``forgetscope replay``, a weighted replay sampler,
  a batch sampler that mixes replay rows into fine-tuning batches at a ratio, and the online-replay helper.
- :mod:`forgetscope.side` — side information for completion: per-example gradients at the base weights
  (exact or seeded random projection, sharded over ranks) dotted with each task's weight change
  (``first_order``) or predicted step (``task_gradient``); :mod:`forgetscope.dataset` writes them as
  ``side/<name>.npy`` beside a dataset folder's ``Z.npy``; :mod:`forgetscope.side_variants` adds the
  term split by layer, its cosine, an Adam-preconditioned version and a diagonal curvature term.
- :mod:`forgetscope.cli` — how Python finds and calls the forgetscope command line.
- :mod:`forgetscope.api` — the engine's commands as functions returning pandas / numpy / dicts.
- :mod:`forgetscope.hf` — Hugging Face ``Trainer`` / ``datasets`` integration (needs ``transformers``).
- :mod:`forgetscope.command` / :mod:`forgetscope.collect_cli` — the ``forgetscope`` and ``forgetscope-collect``
  commands of a pip install.

``import forgetscope`` and :mod:`forgetscope.api` import no torch: the names below load their module (and
torch, the ``[torch]`` extra) on first use.
"""

__version__ = "0.1.0"

import importlib
import sys
import types
from typing import Any

# Public name -> the submodule that defines it (loaded on first access, so torch is imported only when needed).
_LAZY = {
    **dict.fromkeys(("collect", "compute_nll", "sequence_nll"), "collect"),
    **dict.fromkeys(("read_table", "write_table"), "tables"),
    **dict.fromkeys(
        (
            "DistributedWeightedReplaySampler",
            "OnlineReplay",
            "ReplayBatchSampler",
            "ReplayWeights",
            "WeightedReplaySampler",
            "read_replay_weights",
            "replay_count",
            "as_replay_weights",
        ),
        "replay",
    ),
    **dict.fromkeys(
        ("ExampleGradients", "Projection", "embedding_meta", "example_embeddings", "example_gradients", "first_order", "task_gradient", "task_step", "weight_change", "write_folder_side"),
        "side",
    ),
    **dict.fromkeys(
        ("adam_preconditioner", "first_order_adam", "first_order_by_group", "first_order_cos", "layer_groups", "second_order_diag",
         "side_variants"),
        "side_variants",
    ),
    **dict.fromkeys(("write_dataset", "write_side"), "dataset"),
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'forgetscope' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(types.ModuleType):
    """Keeps ``forgetscope.collect`` the function when the submodule of the same name is imported."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            self.__dict__.pop(name, None)  # resolved lazily to the function by __getattr__
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
