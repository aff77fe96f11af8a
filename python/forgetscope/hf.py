"""Replay in Hugging Face ``transformers`` / ``datasets`` training (needs ``transformers`` and ``datasets``).

- :func:`replay_mixture` — the task dataset mixed with upstream (replay) rows at ``ratio`` replay rows per
  task row, as one ``datasets.Dataset`` in training order for one epoch (reseeded per epoch).
- :class:`ReplayMixSampler` — the sampler behind it: every task row once per epoch in a fresh order,
  replay rows at an exact running fraction (so every batch holds its share, however small the replay set),
  drawn ∝ the replay weights; ``set_epoch`` reseeds, ``set_weights`` switches the weights mid-run.
- :class:`ReplayTrainer` — a ``transformers.Trainer`` that trains on that mixture, and :func:`add_replay`,
  which turns an existing Trainer (any subclass) into one. Example ids survive
  ``remove_unused_columns=True``; per-example loss weights are applied before the ``num_items_in_batch``
  normalisation, so gradient accumulation gives the same weighted loss as one large batch.
- :class:`ReplayCallback` — the paper's online variant: uniform replay for the first 10 % of the steps,
  then measure k probe examples on the current weights, let the engine predict the task's forgetting row
  and switch to the predicted replay weights; optionally refresh every ``refresh_every`` steps.

Why not ``datasets.interleave_datasets``: its order is fixed once (the same every epoch), and with
``stopping_strategy="first_exhausted"`` a small replay set ends the mixture early, so the requested
probabilities are not the ratio you get. Here the replay rows are drawn with replacement, so the ratio holds
exactly for any replay-set size, and the draw changes with the epoch.

>>> trainer = ReplayTrainer(model=model, args=args, train_dataset=task_ds, data_collator=collator,
...                         replay_dataset=upstream_ds, replay_weights="replay.parquet", replay_ratio=1 / 8)
>>> trainer.train()                                                     # doctest: +SKIP
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Optional, Union

import datasets
import numpy as np
import pandas as pd
import torch
from transformers import Trainer, TrainerCallback

from .collect import compute_nll
from .defaults import DEFAULT_PROBES, DEFAULT_REPLAY_RATIO
from .replay import OnlineReplay, ReplayMixSampler, ReplayWeights, _weights_for
from .tables import PathLike

#: Row of the mixed dataset (an int column the Trainer keeps; task rows first, then upstream rows).
ROW_COLUMN = "forgetscope_row"
#: Per-example loss weight (float column; task rows ``task_loss_weight``, replay rows ``replay_loss_weight``).
WEIGHT_COLUMN = "forgetscope_weight"
#: The example id of each row as a string (task rows ``task:<i>`` or the task dataset's id column).
ID_COLUMN = "forgetscope_example"

WeightsSource = Union[ReplayWeights, PathLike, np.ndarray, torch.Tensor, Mapping[str, float], None]


def _probabilities(weights: WeightsSource, ids: Sequence[str]) -> torch.Tensor:
    """Replay probabilities over the upstream rows (in dataset order) from any weights source; None = uniform."""
    n = len(ids)
    if weights is None:
        w = np.ones(n)
    elif isinstance(weights, Mapping):
        missing = [i for i in ids if i not in weights]
        if len(missing) == n:
            raise KeyError(f"no replay weight for any upstream example (e.g. {list(ids)[:3]})")
        w = np.array([float(weights.get(i, 0.0)) for i in ids])
    elif isinstance(weights, (np.ndarray, torch.Tensor)):
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (n,):
            raise ValueError(f"replay weights have shape {w.shape}, the replay dataset has {n} rows")
    else:
        w, _ = _weights_for(weights, list(ids))
    if np.any(w < 0) or not np.all(np.isfinite(w)) or w.sum() <= 0:
        raise ValueError("replay weights must be finite, non-negative and not all zero")
    return torch.as_tensor(w / w.sum(), dtype=torch.float64)


def _ids_of(ds: datasets.Dataset, column: Optional[str], prefix: str) -> list[str]:
    if column is not None and column in ds.column_names:
        return [str(x) for x in ds[column]]
    return [f"{prefix}{i}" for i in range(len(ds))]


def _mixed(task: datasets.Dataset, upstream: datasets.Dataset, task_ids: list[str], upstream_ids: list[str], task_loss_weight: float, replay_loss_weight: float) -> datasets.Dataset:
    common = [c for c in task.column_names if c in upstream.column_names and c not in (ROW_COLUMN, WEIGHT_COLUMN, ID_COLUMN)]
    if not common:
        raise ValueError(f"the task and replay datasets share no column (task {task.column_names}, replay {upstream.column_names})")
    parts = []
    for ds, ids, w, start in ((task, task_ids, task_loss_weight, 0), (upstream, upstream_ids, replay_loss_weight, len(task))):
        ds = ds.select_columns(common)
        ds = ds.add_column(ROW_COLUMN, list(range(start, start + len(ds))))
        ds = ds.add_column(WEIGHT_COLUMN, [float(w)] * len(ds))
        ds = ds.add_column(ID_COLUMN, ids)
        parts.append(ds)
    return datasets.concatenate_datasets(parts)


def replay_mixture(
    task: datasets.Dataset,
    upstream: datasets.Dataset,
    ratio: float,
    *,
    weights: WeightsSource = None,
    upstream_id_column: Optional[str] = "example",
    task_id_column: Optional[str] = None,
    seed: int = 0,
    epoch: int = 0,
    task_loss_weight: float = 1.0,
    replay_loss_weight: float = 1.0,
) -> datasets.Dataset:
    """One epoch of ``task`` mixed with replay rows from ``upstream`` at ``ratio`` replay rows per task
    row, in training order (keep it: ``shuffle=False`` / a sequential sampler), drawn ∝ ``weights`` (a
    ``forgetscope replay`` weights file, :class:`~forgetscope.replay.ReplayWeights`, ``{id: weight}``, an
    array over ``upstream``'s rows, or None for uniform), mapped by ``upstream``'s ``upstream_id_column``.
    Call it with ``epoch=e`` for each epoch: the task order and the replay draw change with it. The rows
    keep the columns both datasets share plus ``forgetscope_row``, ``forgetscope_weight`` and
    ``forgetscope_example`` (the example id)."""
    up_ids = _ids_of(upstream, upstream_id_column, "upstream:")
    mixed = _mixed(task, upstream, _ids_of(task, task_id_column, "task:"), up_ids, task_loss_weight, replay_loss_weight)
    sampler = ReplayMixSampler(len(task), len(upstream), ratio, _probabilities(weights, up_ids), seed=seed)
    sampler.set_epoch(epoch)
    return mixed.select(list(sampler))


def weighted_causal_lm_loss(logits: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor, num_items_in_batch: Optional[Union[int, torch.Tensor]] = None) -> torch.Tensor:
    """``Σ_i w_i Σ_t CE(logits[i, t], labels[i, t+1]) / num_items_in_batch``: the causal-LM loss with one
    weight per example, applied to the summed token losses *before* the normalisation. Labels -100 are
    ignored; ``num_items_in_batch`` (the Trainer's count of label tokens over all accumulated micro-batches)
    defaults to this batch's count. With every weight 1 it is Hugging Face's own loss."""
    shift_logits = logits[:, :-1].float()
    shift_labels = labels[:, 1:].to(shift_logits.device)
    tok = torch.nn.functional.cross_entropy(shift_logits.reshape(-1, shift_logits.shape[-1]), shift_labels.reshape(-1), ignore_index=-100, reduction="none")
    per_example = tok.view(shift_labels.shape).sum(dim=1)
    total = (per_example * weights.to(per_example)).sum()
    denom = num_items_in_batch if num_items_in_batch is not None else (shift_labels != -100).sum()
    if torch.is_tensor(denom):
        denom = denom.to(total.device)
    return total / denom


class _ReplayCollator:
    """Wraps a data collator: takes the forgetscope columns out of the features, collates the rest as
    usual, and puts them back as tensors (ids as a list)."""

    def __init__(self, inner: Callable[[list[dict[str, Any]]], Any]):
        self.inner = inner

    def __call__(self, features: list[dict[str, Any]]) -> Any:
        rows = [f.get(ROW_COLUMN) for f in features]
        weights = [f.get(WEIGHT_COLUMN) for f in features]
        clean = [{k: v for k, v in f.items() if k not in (ROW_COLUMN, WEIGHT_COLUMN, ID_COLUMN)} for f in features]
        batch = self.inner(clean)
        if all(r is not None for r in rows):
            batch[ROW_COLUMN] = torch.tensor(rows, dtype=torch.long)
        if all(w is not None for w in weights):
            batch[WEIGHT_COLUMN] = torch.tensor(weights, dtype=torch.float32)
        return batch


def _base_sampler_takes_dataset() -> bool:
    return len(inspect.signature(Trainer._get_train_sampler).parameters) > 1


class ReplayMixin:
    """The replay behaviour of :class:`ReplayTrainer`, for mixing into any ``Trainer`` subclass (see
    :func:`add_replay`). State: ``replay_sampler``, ``replay_ids`` (example id of every mixed row),
    ``replay_task_size`` and ``replay_log`` (the mixed rows of every training batch, in order)."""

    replay_sampler: ReplayMixSampler
    replay_ids: list[str]
    replay_upstream_ids: list[str]
    replay_upstream: datasets.Dataset
    replay_task_size: int
    replay_log: list[list[int]]

    def _setup_replay(
        self,
        replay_dataset: datasets.Dataset,
        *,
        replay_weights: WeightsSource = None,
        replay_ratio: float = DEFAULT_REPLAY_RATIO,
        replay_id_column: Optional[str] = "example",
        task_id_column: Optional[str] = None,
        replay_seed: Optional[int] = None,
        task_loss_weight: float = 1.0,
        replay_loss_weight: float = 1.0,
    ) -> None:
        trainer: Any = self
        if trainer.args.label_smoothing_factor != 0 or getattr(trainer, "compute_loss_func", None) is not None:
            raise ValueError("replay's weighted loss replaces the Trainer's loss: it cannot be combined with label_smoothing_factor or compute_loss_func")
        task = trainer.train_dataset
        if not isinstance(task, datasets.Dataset) or not isinstance(replay_dataset, datasets.Dataset):
            raise TypeError("replay needs train_dataset and replay_dataset to be datasets.Dataset objects")
        self.replay_upstream_ids = _ids_of(replay_dataset, replay_id_column, "upstream:")
        task_ids = _ids_of(task, task_id_column, "task:")
        self.replay_ids = task_ids + self.replay_upstream_ids
        self.replay_task_size = len(task)
        self.replay_upstream = replay_dataset
        trainer.train_dataset = _mixed(task, replay_dataset, task_ids, self.replay_upstream_ids, task_loss_weight, replay_loss_weight)
        seed = replay_seed if replay_seed is not None else (trainer.args.data_seed if trainer.args.data_seed is not None else trainer.args.seed)
        self.replay_sampler = ReplayMixSampler(len(task), len(replay_dataset), replay_ratio, _probabilities(replay_weights, self.replay_upstream_ids), seed=seed)
        self.replay_log = []
        # The loss below normalises by num_items_in_batch itself, so the Trainer must not also divide by
        # the accumulation steps (it does that only for models it believes ignore num_items_in_batch).
        trainer.model_accepts_loss_kwargs = True
        trainer.data_collator = _ReplayCollator(trainer.data_collator)

    def set_replay_weights(self, weights: WeightsSource) -> None:
        """Switches the replay draw to ``weights`` (any source :func:`replay_mixture` takes) from the next batch drawn."""
        self.replay_sampler.set_weights(_probabilities(weights, self.replay_upstream_ids))

    def _set_signature_columns_if_needed(self) -> None:
        super()._set_signature_columns_if_needed()  # type: ignore[misc]
        cols = self._signature_columns  # type: ignore[attr-defined]
        for c in (ROW_COLUMN, WEIGHT_COLUMN):
            if c not in cols:
                cols.append(c)

    def _get_train_sampler(self, train_dataset: Any = None, *args: Any, **kwargs: Any) -> Any:
        # transformers < 4.52 calls _get_train_sampler(self); later versions pass the (column-pruned)
        # train dataset. Both land here; any other dataset falls back to the Trainer's own sampler.
        if train_dataset is None or len(train_dataset) == self.replay_task_size + len(self.replay_upstream_ids):
            return self.replay_sampler
        if _base_sampler_takes_dataset():
            return super()._get_train_sampler(train_dataset, *args, **kwargs)  # type: ignore[misc]
        return super()._get_train_sampler()  # type: ignore[misc]

    def _get_num_items_in_batch(self, batch_samples: list, device: Any) -> Any:
        # The denominator of the weighted loss: predicted (shifted) label tokens over all micro-batches of
        # the optimizer step. Trainer counts unshifted labels for models whose config names no loss_type
        # (one token per row too many), so count here; the cross-device rules are the Trainer's.
        if not batch_samples or "labels" not in batch_samples[0]:
            return super()._get_num_items_in_batch(batch_samples, device)  # type: ignore[misc]
        n = sum((b["labels"][..., 1:] != -100).sum() for b in batch_samples)
        args = self.args  # type: ignore[attr-defined]
        if args.average_tokens_across_devices and args.world_size > 1:
            n = self.accelerator.gather(n.to(device)).sum()  # type: ignore[attr-defined]
        elif args.n_gpu > 1:
            n = n // args.n_gpu
        return n.to(device)

    def compute_loss(self, model: Any, inputs: dict[str, Any], return_outputs: bool = False, num_items_in_batch: Any = None) -> Any:
        rows = inputs.pop(ROW_COLUMN, None)
        weights = inputs.pop(WEIGHT_COLUMN, None)
        if rows is not None and model.training:
            self.replay_log.append(rows.tolist())
        if weights is None or "labels" not in inputs:
            return super().compute_loss(model, inputs, return_outputs=return_outputs, num_items_in_batch=num_items_in_batch)  # type: ignore[misc]
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        loss = weighted_causal_lm_loss(outputs.logits, labels, weights, num_items_in_batch)
        args = self.args  # type: ignore[attr-defined]
        if getattr(args, "average_tokens_across_devices", False) and num_items_in_batch is not None:
            # num_items_in_batch counts every rank's tokens and DDP averages gradients: scale back, as Trainer does.
            loss = loss * self.accelerator.num_processes  # type: ignore[attr-defined]
        return (loss, outputs) if return_outputs else loss

    def replay_fraction(self) -> float:
        """Share of replay rows among the rows trained on so far (from ``replay_log``)."""
        rows = [r for batch in self.replay_log for r in batch]
        return sum(r >= self.replay_task_size for r in rows) / max(1, len(rows))


class ReplayTrainer(ReplayMixin, Trainer):
    """A ``transformers.Trainer`` that mixes replay rows from ``replay_dataset`` into ``train_dataset`` at
    ``replay_ratio`` replay rows per task row, drawn ∝ ``replay_weights`` (a ``forgetscope replay``
    weights file, ReplayWeights, ``{id: weight}``, an array, or None = uniform), mapped through
    ``replay_dataset[replay_id_column]``. Both datasets are tokenised ``datasets.Dataset``s with the same
    model columns. ``task_loss_weight`` / ``replay_loss_weight`` weight each example's summed token loss
    before the ``num_items_in_batch`` normalisation. Every other argument is the Trainer's."""

    def __init__(
        self,
        *args: Any,
        replay_dataset: datasets.Dataset,
        replay_weights: WeightsSource = None,
        replay_ratio: float = DEFAULT_REPLAY_RATIO,
        replay_id_column: Optional[str] = "example",
        task_id_column: Optional[str] = None,
        replay_seed: Optional[int] = None,
        task_loss_weight: float = 1.0,
        replay_loss_weight: float = 1.0,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self._setup_replay(
            replay_dataset,
            replay_weights=replay_weights,
            replay_ratio=replay_ratio,
            replay_id_column=replay_id_column,
            task_id_column=task_id_column,
            replay_seed=replay_seed,
            task_loss_weight=task_loss_weight,
            replay_loss_weight=replay_loss_weight,
        )


def add_replay(trainer: Trainer, replay_dataset: datasets.Dataset, **options: Any) -> Trainer:
    """Adds replay to an existing Trainer (any subclass, e.g. TRL's): its class becomes a subclass with
    :class:`ReplayMixin` first, and its train dataset the replay mixture. ``options`` are
    :class:`ReplayTrainer`'s ``replay_*`` / ``*_loss_weight`` arguments. Returns the same object."""
    cls = type(trainer)
    if not isinstance(trainer, ReplayMixin):
        trainer.__class__ = type(f"Replay{cls.__name__}", (ReplayMixin, cls), {})
    trainer._setup_replay(replay_dataset, **options)  # type: ignore[attr-defined]
    return trainer


def _token_ids(row: Mapping[str, Any]) -> list[int]:
    ids = list(row["input_ids"])
    mask = row.get("attention_mask")
    if mask is not None:
        ids = [t for t, m in zip(ids, mask) if m]
    return ids


class ReplayCallback(TrainerCallback):
    """The paper's online replay for a :class:`ReplayTrainer` (or a Trainer given :func:`add_replay`).

    At the start of training it asks the engine for the online plan of ``state.max_steps`` steps
    (``forgetscope replay --online-steps``: uniform replay for the first 10 % of the steps and the ``probes``
    upstream examples to measure), sets uniform replay and measures the probes' NLL on the initial weights.
    At the switch step it measures them again on the current weights, passes the forgetting
    (NLL now − NLL at the start) to ``forgetscope replay --observed`` (row completion from the known tasks
    of ``matrix``, softmax weights) and switches the replay draw to the predicted weights; with
    ``refresh_every`` it re-measures and re-plans every that many steps after. ``history`` records each plan
    (step, observed values, weights DataFrame, the engine's summary). The probes are upstream examples
    whose ids are columns of ``matrix`` and rows of the trainer's replay dataset.

    Limitation: the switched weights are not part of a Trainer checkpoint; a run resumed with
    ``resume_from_checkpoint`` after the switch step draws uniformly until the next refresh (call
    ``trainer.set_replay_weights(cb.history[-1]["weights"]...)`` yourself to restore them).
    """

    def __init__(
        self,
        trainer: Trainer,
        matrix: PathLike,
        *,
        train_rows: Union[str, Sequence[Union[int, str]], None] = None,
        probes: int = DEFAULT_PROBES,
        refresh_every: Optional[int] = None,
        n_fine_tune: Optional[int] = None,
        ratio: Optional[float] = None,
        temperature: Union[float, str, None] = None,
        method: Optional[str] = None,
        seed: int = 0,
        batch_size: int = 16,
        command: Optional[Sequence[str]] = None,
    ):
        if not isinstance(trainer, ReplayMixin):
            raise TypeError("ReplayCallback needs a ReplayTrainer or a Trainer passed through add_replay()")
        self.trainer = trainer
        self.matrix = str(matrix)
        self.train_rows = train_rows
        self.k = probes
        self.refresh_every = refresh_every
        self.n_fine_tune = n_fine_tune
        self.ratio = ratio
        self.temperature = temperature
        self.method = method
        self.seed = seed
        self.batch_size = batch_size
        self.command = command
        self.switch_step: Optional[int] = None
        self.probes: list[str] = []
        self.base_nll: dict[str, float] = {}
        self.history: list[dict[str, Any]] = []

    def _measure(self, model: Any) -> dict[str, float]:
        trainer: Any = self.trainer
        pos = {e: i for i, e in enumerate(trainer.replay_upstream_ids)}
        missing = [p for p in self.probes if p not in pos]
        if missing:
            raise KeyError(f"probe examples {missing[:3]} (of {len(missing)}) are not in the replay dataset's ids")
        rows = {p: _token_ids(trainer.replay_upstream[pos[p]]) for p in self.probes}
        return compute_nll(model, rows, batch_size=self.batch_size)

    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        trainer: Any = self.trainer
        self.online = OnlineReplay(
            self.matrix, self.train_rows, total_steps=int(state.max_steps), probes=self.k, seed=self.seed, command=self.command,
            n_fine_tune=self.n_fine_tune if self.n_fine_tune is not None else trainer.replay_task_size,
            ratio=self.ratio, temperature=self.temperature, method=self.method,
        )
        self.switch_step = self.online.uniform_until_step
        self.probes = self.online.probes
        self.trainer.set_replay_weights(None)
        self.base_nll = self._measure(model)

    def on_step_end(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        step = int(state.global_step)
        if self.switch_step is None or step < self.switch_step:
            return
        due = step == self.switch_step or (self.refresh_every is not None and (step - self.switch_step) % self.refresh_every == 0)
        if not due:
            return
        now = self._measure(model)
        observed = {p: now[p] - self.base_nll[p] for p in self.probes}
        rw = self.online.plan(observed)
        weights = pd.DataFrame({"example": rw.examples, "score": rw.score, "weight": rw.weight, "selected": rw.selected})
        summary = {k: v for k, v in self.online.last_summary.items() if k != "out"}
        self.trainer.set_replay_weights(dict(zip(rw.examples, rw.weight.tolist())))  # type: ignore[attr-defined]
        self.history.append({"step": step, "observed": observed, "weights": weights, "summary": summary})
