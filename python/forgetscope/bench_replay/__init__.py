"""Closed-loop replay benchmark: does a replay policy reduce forgetting more than uniform replay, on *your*
model? ``python -m forgetscope.bench_replay --config FILE``.

It pretrains a base model (adapters: a tiny byte-level GPT, a Hugging Face GPT-2 built from a config, or a
Hugging Face Llama built from a config over a BPE tokenizer trained on the same text) on local text,
measures a train forgetting matrix with the harness, then for every held-out task × seed × replay ratio
fine-tunes once without replay (the true row) and once per policy with identical task batches and equal
replay budgets ``int(n · ratio) + 1``. Plans are made by forgetscope itself (``forgetscope replay --policy
NAME`` / its engine); forgetting is scored on a fixed held-out subset of upstream examples that no policy
may replay. The report gives per policy the mean forgetting with a 95 % CI, paired differences against
uniform (paired t and exact sign-flip p) and the share of the best true-row policy's gain over uniform;
results as JSON + Parquet, a PNG and a Vega-Lite plot; with ``export`` also the train matrix and its
first_order / task_gradient side matrices as a dataset folder. Progress on stderr; every step is cached, so
a rerun resumes.
"""

from .config import DEFAULTS, POLICIES, TRUE_ROW_POLICIES, load_config
from .run import run_benchmark

__all__ = ["DEFAULTS", "POLICIES", "TRUE_ROW_POLICIES", "load_config", "run_benchmark"]
