"""forgetscope's PyTorch harness: per-example losses in, replay weights out.

- :mod:`forgetscope.collect` — token-mean NLL per upstream example for any causal LM, batched, sharded
  over ``torch.distributed`` ranks, written as the long table ``task, example, nll_before, nll_after``.
- :mod:`forgetscope.tables` — atomic Parquet / Arrow / CSV writers and readers for those tables.
- :mod:`forgetscope.replay` — read the weights file of ``forgetscope replay``, a weighted replay sampler,
  a batch sampler that mixes replay rows into fine-tuning batches at a ratio, and the online-replay helper.
- :mod:`forgetscope.side` — side information for completion: per-example gradients at the base weights
  (exact or seeded random projection, sharded over ranks) dotted with each task's weight change
  (``first_order``) or predicted step (``task_gradient``); :mod:`forgetscope.dataset` writes them as
  ``side/<name>.npy`` beside a dataset folder's ``Z.npy``.
- :mod:`forgetscope.cli` — how Python finds and calls the forgetscope command line.
- :mod:`forgetscope.api` — the engine's commands as functions returning pandas / numpy / dicts.
- :mod:`forgetscope.hf` — Hugging Face ``Trainer`` / ``datasets`` integration (needs ``transformers``).
"""

__version__ = "0.1.0"

from .collect import collect, compute_nll, sequence_nll  # noqa: E402,F401
from .tables import read_table, write_table  # noqa: E402,F401
from .replay import (  # noqa: E402,F401
    DistributedWeightedReplaySampler,
    OnlineReplay,
    ReplayBatchSampler,
    ReplayWeights,
    WeightedReplaySampler,
    read_replay_weights,
    replay_count,
)
from .side import (  # noqa: E402,F401
    ExampleGradients,
    Projection,
    example_gradients,
    first_order,
    task_gradient,
    task_step,
    weight_change,
    write_folder_side,
)
from .dataset import write_dataset, write_side  # noqa: E402,F401
