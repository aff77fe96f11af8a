"""Replay on the training side: read forgetscope's weights file, sample replay examples, mix them into
fine-tuning batches at a ratio, and follow the paper's online replay plan through the CLI.

Ratio convention (as in the paper and ``forgetscope replay --ratio``): replay examples per fine-tuning
example. A ratio r puts ``r / (1 + r)`` of all training rows on replay (1/32 → about 3 %).
"""

from __future__ import annotations

import csv as _csv
import math
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

import numpy as np
import pyarrow as pa
import torch
from torch.utils.data import Sampler

from .cli import run_cli
from .defaults import DEFAULT_REPLAY_RATIO
from .tables import PathLike, read_table, table_format


def replay_count(n: int, ratio: float = DEFAULT_REPLAY_RATIO) -> int:
    """``int(n * ratio) + 1`` — the paper's number of replayed examples for n fine-tuning examples."""
    return int(n * ratio) + 1


@dataclass
class ReplayWeights:
    """The content of a ``forgetscope replay`` weights file, one entry per upstream example."""

    examples: list[str]
    score: np.ndarray
    weight: np.ndarray
    selected: np.ndarray  # bool

    def index_of(self, ids: Sequence[str]) -> np.ndarray:
        """Positions of ``ids`` in this file (KeyError naming the first unknown id)."""
        pos = {e: i for i, e in enumerate(self.examples)}
        return np.array([pos[str(i)] for i in ids], dtype=np.int64)

    def selected_ids(self) -> list[str]:
        """Ids of the examples the plan drew for replay (file order)."""
        return [e for e, s in zip(self.examples, self.selected) if s]


def _from_table(table: pa.Table, path: PathLike) -> ReplayWeights:
    names = table.column_names
    for col in ("example", "weight"):
        if col not in names:
            raise ValueError(f"{path}: weights file lacks column {col!r} (has {names})")
    n = table.num_rows
    score = np.asarray(table.column("score").to_numpy(zero_copy_only=False), dtype=np.float64) if "score" in names else np.full(n, np.nan)
    sel = np.asarray(table.column("selected").to_numpy(zero_copy_only=False)).astype(bool) if "selected" in names else np.zeros(n, bool)
    return ReplayWeights(
        examples=[str(x) for x in table.column("example").to_pylist()],
        score=score,
        weight=np.asarray(table.column("weight").to_numpy(zero_copy_only=False), dtype=np.float64),
        selected=sel,
    )


def read_replay_weights(path: PathLike) -> ReplayWeights:
    """Reads a weights file written by ``forgetscope replay --out`` in any of its formats: Parquet,
    Arrow IPC, CSV (columns ``example, score, weight, selected``) or ``.npy`` (a structured array with
    those fields, or a 2-D float array with columns ``score, weight, selected`` and the ids in a
    sidecar ``<name>.examples.txt`` / ``<name>.ids.txt``, one per line)."""
    path = Path(path)
    if path.suffix.lower() == ".npy":
        arr = np.load(path, allow_pickle=False)
        if arr.dtype.names:
            cols = {name: arr[name] for name in arr.dtype.names}
            table = pa.table({k: (v.astype(str) if v.dtype.kind in "SUO" else v) for k, v in cols.items()})
            return _from_table(table, path)
        if arr.ndim != 2 or arr.shape[1] < 2:
            raise ValueError(f"{path}: expected a structured array or an N x 3 array (score, weight, selected), got shape {arr.shape}")
        ids = None
        for suffix in (".examples.txt", ".ids.txt", ".example.txt"):
            side = path.with_name(path.stem + suffix)
            if side.exists():
                ids = side.read_text().splitlines()
                break
        if ids is None:
            ids = [str(i) for i in range(arr.shape[0])]
        return ReplayWeights(ids, arr[:, 0].astype(np.float64), arr[:, 1].astype(np.float64), arr[:, 2].astype(bool) if arr.shape[1] > 2 else np.zeros(len(ids), bool))
    table_format(path)  # raises on an unknown extension
    return _from_table(read_table(path), path)


def _weights_for(source: Union[ReplayWeights, PathLike], dataset_ids: Optional[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    rw = source if isinstance(source, ReplayWeights) else read_replay_weights(source)
    if dataset_ids is None:
        return rw.weight.copy(), rw.selected.copy()
    idx = rw.index_of(dataset_ids)
    return rw.weight[idx], rw.selected[idx]


class WeightedReplaySampler(Sampler[int]):
    """Indices of an upstream dataset drawn for replay.

    ``mode="weights"``: ``num_samples`` draws with probability ∝ weight (with replacement; excluded
    examples have weight 0 and are never drawn). ``mode="selected"``: the examples the plan selected,
    repeated and reshuffled each pass until ``num_samples``. ``dataset_ids`` maps the file onto the
    dataset's order (default: the file's order). Seeded: the same seed and epoch give the same indices.

    >>> sampler = WeightedReplaySampler("replay.parquet", num_samples=320, seed=0)  # doctest: +SKIP
    """

    def __init__(
        self,
        weights: Union[ReplayWeights, PathLike, np.ndarray, torch.Tensor],
        num_samples: int,
        *,
        mode: str = "weights",
        dataset_ids: Optional[Sequence[str]] = None,
        seed: int = 0,
    ):
        if isinstance(weights, (np.ndarray, torch.Tensor)):
            w = np.asarray(weights, dtype=np.float64)
            sel = w > 0
        else:
            w, sel = _weights_for(weights, dataset_ids)
        if mode not in ("weights", "selected"):
            raise ValueError(f"mode must be 'weights' or 'selected', got {mode!r}")
        if np.any(w < 0) or not np.all(np.isfinite(w)) or w.sum() <= 0:
            raise ValueError("replay weights must be finite, non-negative and not all zero")
        if mode == "selected" and not sel.any():
            raise ValueError("the weights file selects no example")
        self.weights = torch.as_tensor(w / w.sum(), dtype=torch.float64)
        self.selected = torch.as_tensor(np.flatnonzero(sel), dtype=torch.long)
        self.num_samples = int(num_samples)
        self.mode = mode
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Changes the draw for the next pass (as ``DistributedSampler.set_epoch``)."""
        self.epoch = epoch

    def __len__(self) -> int:
        return self.num_samples

    def __iter__(self) -> Iterator[int]:
        yield from _draw(self.weights, self.selected, self.mode, self.num_samples, self.seed, self.epoch)


def _draw(weights: torch.Tensor, selected: torch.Tensor, mode: str, n: int, seed: int, epoch: int) -> list[int]:
    """The ``n`` indices of one pass, a pure function of (seed, epoch): probability ∝ weight with
    replacement (``weights``), or the selected examples in reshuffled passes (``selected``)."""
    g = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    if mode == "weights":
        return torch.multinomial(weights, n, replacement=True, generator=g).tolist() if n > 0 else []
    out: list[int] = []
    while len(out) < n:
        out += selected[torch.randperm(len(selected), generator=g)].tolist()
    return out[:n]


class DistributedWeightedReplaySampler(WeightedReplaySampler):
    """:class:`WeightedReplaySampler` for ``torch.distributed`` (DDP, ``torchrun``; plain PyTorch, no
    ``transformers`` needed): every rank computes the same global draw of ``num_samples`` indices for the
    epoch (seeded by ``seed`` and :meth:`set_epoch`, never by the rank) and takes the disjoint shard
    ``draw[rank::num_replicas]``; the shards together are exactly the single-process draw of
    ``WeightedReplaySampler`` with the same seed. The draw is padded by wrapping around (or cut with
    ``drop_last=True``) so every rank gets the same count, as ``DistributedSampler`` does.

    Resumable: :meth:`state_dict` records the epoch and the position within this rank's shard (the
    indices already yielded, or the ``consumed`` count you pass — e.g. ``batches_done * batch_size`` when
    DataLoader workers prefetch ahead); after :meth:`load_state_dict` the next ``iter()`` continues the
    same stream from there.

    >>> sampler = DistributedWeightedReplaySampler("replay.parquet", num_samples=4096, seed=0)  # doctest: +SKIP
    >>> for epoch in range(3):
    ...     sampler.set_epoch(epoch)
    ...     for batch in DataLoader(upstream, sampler=sampler, batch_size=8): ...
    """

    def __init__(
        self,
        weights: Union[ReplayWeights, PathLike, np.ndarray, torch.Tensor],
        num_samples: int,
        *,
        num_replicas: Optional[int] = None,
        rank: Optional[int] = None,
        mode: str = "weights",
        dataset_ids: Optional[Sequence[str]] = None,
        seed: int = 0,
        drop_last: bool = False,
    ):
        super().__init__(weights, num_samples, mode=mode, dataset_ids=dataset_ids, seed=seed)
        if num_replicas is None or rank is None:
            dist_on = torch.distributed.is_available() and torch.distributed.is_initialized()
            if num_replicas is None:
                num_replicas = torch.distributed.get_world_size() if dist_on else 1
            if rank is None:
                rank = torch.distributed.get_rank() if dist_on else 0
        if not 0 <= rank < num_replicas:
            raise ValueError(f"rank {rank} is outside [0, {num_replicas})")
        self.num_replicas = int(num_replicas)
        self.rank = int(rank)
        self.drop_last = drop_last
        per_rank = self.num_samples // self.num_replicas if drop_last else -(-self.num_samples // self.num_replicas)
        self.per_rank = per_rank
        self.total_size = per_rank * self.num_replicas
        self._position = 0  # indices of this rank's shard already yielded in the current epoch
        self._resume_from = 0

    def __len__(self) -> int:
        return self.per_rank

    def global_draw(self) -> list[int]:
        """The epoch's draw shared by all ranks (``total_size`` indices, padded or cut)."""
        draw = _draw(self.weights, self.selected, self.mode, self.num_samples, self.seed, self.epoch)
        if self.total_size <= len(draw):
            return draw[: self.total_size]
        reps = -(-self.total_size // max(1, len(draw)))
        return (draw * reps)[: self.total_size]

    def set_epoch(self, epoch: int) -> None:
        """Starts pass ``epoch`` (a new global draw) from its first index."""
        if epoch != self.epoch:
            self._resume_from = 0
            self._position = 0
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        shard = self.global_draw()[self.rank :: self.num_replicas]
        start, self._resume_from = self._resume_from, 0
        self._position = start
        for i in shard[start:]:
            self._position += 1
            yield i

    def state_dict(self, consumed: Optional[int] = None) -> dict:
        """``{"epoch", "position", "seed", "num_samples", "num_replicas", "mode"}``; ``position`` is
        ``consumed`` when given (indices of this epoch's shard the training loop has used), else the
        number this sampler has yielded."""
        return {
            "epoch": self.epoch,
            "position": self._position if consumed is None else int(consumed),
            "seed": self.seed,
            "num_samples": self.num_samples,
            "num_replicas": self.num_replicas,
            "mode": self.mode,
        }

    def load_state_dict(self, state: Mapping) -> None:
        """Continues the stream saved by :meth:`state_dict` (same weights, seed and world size required)."""
        for key in ("seed", "num_samples", "num_replicas", "mode"):
            if state[key] != getattr(self, key):
                raise ValueError(f"cannot resume: saved {key}={state[key]!r}, this sampler has {getattr(self, key)!r}")
        if not 0 <= int(state["position"]) <= self.per_rank:
            raise ValueError(f"cannot resume: position {state['position']} is outside this rank's shard of {self.per_rank}")
        self.epoch = int(state["epoch"])
        self._resume_from = int(state["position"])
        self._position = self._resume_from


class ReplayBatchSampler(Sampler[list[int]]):
    """Batches over ``ConcatDataset([task_dataset, upstream_dataset])`` that mix replay rows into
    fine-tuning at ``ratio`` replay examples per fine-tuning example, as an exact running fraction: after
    any number of batches, the replay rows so far are ``round(rows · ratio / (1 + ratio))``. Task rows are
    drawn uniformly with replacement (or in reshuffled passes with ``task_passes=True``); replay rows
    come from ``replay_sampler`` and are offset by ``task_size`` to index the concatenation.

    >>> ds = ConcatDataset([task_ds, upstream_ds])  # doctest: +SKIP
    >>> loader = DataLoader(ds, batch_sampler=ReplayBatchSampler(len(task_ds), sampler, 1/32, 8, 100))
    """

    def __init__(
        self,
        task_size: int,
        replay_sampler: Optional[Sampler[int]],
        ratio: float,
        batch_size: int,
        num_batches: int,
        *,
        seed: int = 0,
        task_passes: bool = False,
    ):
        if ratio < 0:
            raise ValueError("ratio must be >= 0")
        if ratio > 0 and replay_sampler is None:
            raise ValueError("a ratio > 0 needs a replay sampler")
        self.task_size = task_size
        self.replay_sampler = replay_sampler
        self.fraction = ratio / (1 + ratio)
        self.batch_size = batch_size
        self.num_batches = num_batches
        self.seed = seed
        self.task_passes = task_passes

    def __len__(self) -> int:
        return self.num_batches

    def __iter__(self) -> Iterator[list[int]]:
        g = torch.Generator().manual_seed(self.seed)
        replay_iter: Optional[Iterator[int]] = None
        task_order: list[int] = []
        rows = 0
        replayed = 0
        for _ in range(self.num_batches):
            rows += self.batch_size
            n_replay = int(math.floor(rows * self.fraction + 0.5)) - replayed
            replayed += n_replay
            batch: list[int] = []
            for _ in range(self.batch_size - n_replay):
                if self.task_passes:
                    if not task_order:
                        task_order = torch.randperm(self.task_size, generator=g).tolist()
                    batch.append(task_order.pop())
                else:
                    batch.append(int(torch.randint(self.task_size, (1,), generator=g)))
            for _ in range(n_replay):
                if replay_iter is None:
                    replay_iter = iter(self.replay_sampler)  # type: ignore[arg-type]
                try:
                    idx = next(replay_iter)
                except StopIteration:
                    if hasattr(self.replay_sampler, "set_epoch"):
                        self.replay_sampler.set_epoch(getattr(self.replay_sampler, "epoch", 0) + 1)  # type: ignore[union-attr]
                    replay_iter = iter(self.replay_sampler)  # type: ignore[arg-type]
                    idx = next(replay_iter)
                batch.append(self.task_size + idx)
            yield batch


class OnlineReplay:
    """Follows the paper's online replay plan through the forgetscope CLI.

    1. ``schedule()`` asks ``forgetscope replay <matrix> --train-rows … --online-steps S`` for the step
       where uniform replay ends and the ids of the (default 30) upstream examples to measure.
    2. Train ``uniform_until_step`` steps with uniform replay (``uniform_sampler()``).
    3. Measure the forgetting of the probes (NLL now − NLL of the base model), pass it to
       ``plan(measured)``: it writes the observed file, runs ``forgetscope replay … --observed`` (row
       completion + the replay policy: ``policy`` when given, softmax when only ``temperature`` is
       given, else the engine's default ``DEFAULT_REPLAY_POLICY`` — the same rule as the CLI) and
       returns the ``ReplayWeights`` for the remaining steps.

    >>> online = OnlineReplay("train.parquet", "0-19", total_steps=500, n_fine_tune=4000)  # doctest: +SKIP
    """

    def __init__(
        self,
        matrix: PathLike,
        train_rows: str,
        *,
        total_steps: int,
        n_fine_tune: int,
        ratio: float = DEFAULT_REPLAY_RATIO,
        temperature: Union[float, str, None] = None,
        method: str = "lowrank",
        seed: int = 0,
        exclude: Optional[PathLike] = None,
        workdir: Optional[PathLike] = None,
        command: Optional[Sequence[str]] = None,
        policy: Optional[str] = None,
    ):
        self.matrix = str(matrix)
        self.train_rows = train_rows
        self.total_steps = total_steps
        self.n_fine_tune = n_fine_tune
        self.ratio = ratio
        self.temperature = temperature
        self.method = method
        self.policy = policy
        self.seed = seed
        self.exclude = None if exclude is None else str(exclude)
        self.command = command
        self._tmp = None if workdir is not None else tempfile.TemporaryDirectory(prefix="forgetscope-online-")
        self.workdir = Path(workdir if workdir is not None else self._tmp.name)  # type: ignore[union-attr]
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._schedule: Optional[dict] = None

    def _common(self) -> list[str]:
        args = [self.matrix, "--train-rows", self.train_rows, "--seed", str(self.seed)]
        if self.exclude is not None:
            args += ["--exclude", self.exclude]
        return args

    def schedule(self) -> dict:
        """The online plan: ``{"uniformUntilStep", "measureAtStep", "predictedFromStep", "probes": [ids]}``."""
        if self._schedule is None:
            args = ["replay", *self._common(), "--online-steps", str(self.total_steps), "--json"]
            self._schedule = run_cli(args, command=self.command)
        return self._schedule

    @property
    def uniform_until_step(self) -> int:
        """Steps before this one use uniform replay."""
        return int(self.schedule()["uniformUntilStep"])

    @property
    def probes(self) -> list[str]:
        """Ids of the upstream examples to measure at the switch."""
        return [str(x) for x in self.schedule()["probes"]]

    def plan(self, measured: Mapping[str, float], *, out_name: str = "online-replay.parquet") -> ReplayWeights:
        """Completes the row from the measured forgetting ``{example id: nll_now - nll_before}`` and
        returns the predicted replay weights (the CLI's weights file, also kept in ``workdir``)."""
        observed = self.workdir / "observed.csv"
        with open(observed, "w", newline="") as f:
            w = _csv.writer(f)
            w.writerow(["example", "value"])
            for k, v in measured.items():
                w.writerow([k, repr(float(v))])
        out = self.workdir / out_name
        args = [
            "replay", *self._common(), "--observed", str(observed), "--method", self.method,
            *(["--policy", self.policy] if self.policy is not None else []),
            *(["--temperature", self.temperature if isinstance(self.temperature, str) else repr(self.temperature)]
              if self.temperature is not None else []),
            "--n", str(self.n_fine_tune), "--ratio", repr(self.ratio),
            "--out", str(out), "--force", "--json",
        ]
        self.last_summary = run_cli(args, command=self.command)
        return read_replay_weights(out)
