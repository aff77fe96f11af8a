"""Replay on the training side: read forgetscope's weights file, sample replay examples, mix them into
fine-tuning batches at a ratio, and follow the paper's online replay plan through the CLI.

Ratio convention (as in the paper and ``forgetscope replay --ratio``): replay examples per fine-tuning
example. A ratio r puts ``r / (1 + r)`` of all training rows on replay (1/32 → about 3 %).
"""

from __future__ import annotations

import functools
import hashlib
import math
import tempfile
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import torch
from torch.utils.data import Sampler

from .cli import run_cli
from .defaults import DEFAULT_REPLAY_RATIO
from .tables import PathLike, TableError, read_table, table_format, write_id_values


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


class ReplayWeightsError(TableError):
    """A replay weights file that cannot be used as it is (bad format, duplicate ids, a ``selected`` value
    that is not a boolean, a weight that is negative or not finite, an id sidecar that does not match the
    rows). A ``ValueError``; the message names the file and, where it applies, the row and column."""


#: ``selected`` values accepted in text form: what ``forgetscope replay --out`` writes, and 1/0.
_SELECTED_TEXT = {"true": True, "false": False, "1": True, "0": False}
_SELECTED_VALUES = pa.array(list(_SELECTED_TEXT))
_SELECTED_TRUE = pa.array([k for k, v in _SELECTED_TEXT.items() if v])


def _selected_column(col: pa.ChunkedArray, path: PathLike) -> np.ndarray:
    t = col.type
    if pa.types.is_boolean(t) and col.null_count == 0:  # the engine's Parquet / Arrow / .npy: no per-row work
        return np.asarray(col.to_numpy(zero_copy_only=False), dtype=bool)
    if (pa.types.is_string(t) or pa.types.is_large_string(t)) and col.null_count == 0 and pc.all(pc.is_in(col, _SELECTED_VALUES)).as_py():
        return np.asarray(pc.is_in(col, _SELECTED_TRUE).to_numpy(zero_copy_only=False), dtype=bool)  # the engine's CSV
    values = col.to_pylist()
    out = np.zeros(len(values), dtype=bool)
    for r, v in enumerate(values):
        if v is None:
            raise ReplayWeightsError(path, "selected is empty (give true or false)", row=r + 1, column="selected")
        if pa.types.is_boolean(t):
            out[r] = bool(v)
        elif pa.types.is_integer(t) or pa.types.is_floating(t):
            if v not in (0, 1) or (isinstance(v, float) and math.isnan(v)):
                raise ReplayWeightsError(path, f"selected is {v!r}; use true/false or 1/0", row=r + 1, column="selected")
            out[r] = v == 1
        elif pa.types.is_string(t) or pa.types.is_large_string(t):
            if v not in _SELECTED_TEXT:
                raise ReplayWeightsError(path, f"selected is {v!r}; use true/false or 1/0", row=r + 1, column="selected")
            out[r] = _SELECTED_TEXT[v]
        else:
            raise ReplayWeightsError(path, f"selected has type {t}; use booleans (or 1/0)", column="selected")
    return out


def _float_column(col: pa.ChunkedArray, path: PathLike, name: str) -> np.ndarray:
    t = col.type
    if not (pa.types.is_floating(t) or pa.types.is_integer(t) or pa.types.is_null(t)):
        raise ReplayWeightsError(path, f"{name} has type {t}; it must be numeric", column=name)
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.float64)  # nulls -> NaN


def _id_column(col: pa.ChunkedArray, path: PathLike) -> list[str]:
    t = col.type
    if not (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_integer(t)):
        raise ReplayWeightsError(path, f"example has type {t}; ids must be strings (or integers)", column="example")
    if pa.types.is_integer(t):
        col = pc.cast(col, pa.string())
    bad = pc.or_(pc.is_null(col), pc.equal(col, ""))
    if pc.any(bad).as_py():
        r = int(pc.index(bad, True).as_py())
        raise ReplayWeightsError(path, "the example id is empty", row=r + 1, column="example")
    return col.to_pylist()


def _validated(path: PathLike, examples: list[str], score: np.ndarray, weight: np.ndarray, selected: np.ndarray) -> ReplayWeights:
    """Checks what every format shares: unique ids, finite non-negative weights."""
    if len(set(examples)) != len(examples):
        first: dict[str, int] = {}
        for r, e in enumerate(examples):
            if e in first:
                raise ReplayWeightsError(path, f"example {e!r} appears twice, in rows {first[e] + 1} and {r + 1}", row=r + 1, column="example")
            first[e] = r
    bad = np.flatnonzero(~np.isfinite(weight) | (weight < 0))
    if len(bad):
        r = int(bad[0])
        raise ReplayWeightsError(path, f"weight is {float(weight[r])!r}; weights must be finite and non-negative", row=r + 1, column="weight")
    return ReplayWeights(examples=examples, score=score, weight=weight, selected=selected)


def _from_table(table: pa.Table, path: PathLike) -> ReplayWeights:
    names = table.column_names
    for col in ("example", "weight"):
        if col not in names:
            raise ReplayWeightsError(path, f"weights file lacks column {col!r} (has {names})")
    if len(set(names)) != len(names):
        raise ReplayWeightsError(path, f"a column name appears twice (columns {names})")
    for i, name in enumerate(names):  # pandas categoricals arrive dictionary-encoded: use the values
        if pa.types.is_dictionary(table.schema.field(i).type):
            table = table.set_column(i, name, table.column(i).cast(table.schema.field(i).type.value_type))
    n = table.num_rows
    score = _float_column(table.column("score"), path, "score") if "score" in names else np.full(n, np.nan)
    sel = _selected_column(table.column("selected"), path) if "selected" in names else np.zeros(n, bool)
    return _validated(path, _id_column(table.column("example"), path), score, _float_column(table.column("weight"), path, "weight"), sel)


def _sidecar_ids(path: Path, rows: int) -> list[str]:
    for suffix in (".examples.txt", ".ids.txt", ".example.txt"):
        side = path.with_name(path.stem + suffix)
        if side.exists():
            try:
                text = side.read_text(encoding="utf-8")
            except UnicodeDecodeError as e:
                raise ReplayWeightsError(side, f"not UTF-8 text ({e.reason} at byte {e.start})") from None
            ids = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
            if ids and ids[-1] == "":
                ids.pop()  # the final line break
            if len(ids) != rows:
                raise ReplayWeightsError(path, f"{rows} rows but the id sidecar {side.name} lists {len(ids)} ids")
            for r, e in enumerate(ids):
                if e == "":
                    raise ReplayWeightsError(side, "the example id is empty", row=r + 1)
            return ids
    return [str(i) for i in range(rows)]


def _read_npy(path: Path) -> ReplayWeights:
    arr = np.load(path, allow_pickle=False)
    if arr.dtype.names:
        if arr.ndim != 1:
            raise ReplayWeightsError(path, f"a structured weights array must be 1-D, got shape {arr.shape}")
        cols = {}
        for name in arr.dtype.names:
            v = arr[name]
            if v.ndim != 1:
                raise ReplayWeightsError(path, f"field {name!r} has a sub-array shape; fields must be scalars", column=name)
            cols[name] = pa.array(v.astype(str) if v.dtype.kind in "SU" else v)
        return _from_table(pa.table(cols), path)
    if arr.ndim != 2 or not 2 <= arr.shape[1] <= 3:
        raise ReplayWeightsError(path, f"expected a structured array or an N x 3 array (score, weight, selected), got shape {arr.shape}")
    if arr.dtype.kind not in "fiub":
        raise ReplayWeightsError(path, f"a dense weights array must be numeric, got dtype {arr.dtype}")
    a = arr.astype(np.float64)
    ids = _sidecar_ids(path, a.shape[0])
    if a.shape[1] > 2:
        sel_col = a[:, 2]
        bad = np.flatnonzero((sel_col != 0) & (sel_col != 1))
        if len(bad):
            r = int(bad[0])
            raise ReplayWeightsError(path, f"selected is {float(sel_col[r])!r}; use 1 or 0", row=r + 1, column="selected")
        sel = sel_col == 1
    else:
        sel = np.zeros(a.shape[0], bool)
    return _validated(path, ids, a[:, 0].copy(), a[:, 1].copy(), sel)


def read_replay_weights(path: PathLike) -> ReplayWeights:
    """Reads a weights file written by ``forgetscope replay --out`` in any of its formats: Parquet,
    Arrow IPC, CSV (columns ``example, score, weight, selected``) or ``.npy`` (a structured array with
    those fields, or a 2-D float array with columns ``score, weight, selected`` and the ids in a
    sidecar ``<name>.examples.txt`` / ``<name>.ids.txt``, one per line — without a sidecar the ids are
    the row numbers ``0, 1, …``).

    Checked: ids are unique and non-empty; ``weight`` is finite and ≥ 0 (``score`` may be empty/NaN);
    ``selected`` is a boolean, 1/0, or the text ``true``/``false``/``1``/``0`` (anything else, such
    as ``yes``, is refused); a sidecar lists exactly one id per row. Any problem with the content raises
    :class:`ReplayWeightsError` (a ``ValueError``) naming the file and, where it applies, the row and
    column; a missing file raises ``FileNotFoundError``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such weights file")
    try:
        if path.suffix.lower() == ".npy":
            return _read_npy(path)
        try:
            table_format(path)
        except ValueError as e:
            raise ReplayWeightsError(path, str(e).split(": ", 1)[-1]) from None
        return _from_table(read_table(path, csv_types={"selected": pa.string()}), path)
    except ReplayWeightsError:
        raise
    except Exception as e:  # a reader's own error on a damaged file (pyarrow, numpy)
        raise ReplayWeightsError(path, f"cannot read as a weights file: {type(e).__name__}: {e}") from e


def as_replay_weights(source: object) -> ReplayWeights:
    """Any replay-weights source as :class:`ReplayWeights`: a ReplayWeights; a weights file (path);
    a DataFrame or Arrow table with columns ``example, weight[, score, selected]`` (what
    ``forgetscope.api.plan_replay(...)["weights"]`` returns); the dict ``plan_replay`` returns (its
    ``"weights"``); or a mapping ``{example id: weight}`` (no scores, nothing selected)."""
    if isinstance(source, ReplayWeights):
        return source
    if isinstance(source, (str, Path)):
        return read_replay_weights(source)
    if isinstance(source, pa.Table):
        return _from_table(source, "replay weights table")
    if hasattr(source, "columns") and hasattr(source, "to_dict"):  # a pandas DataFrame (pandas stays optional)
        frame = source.reset_index(drop=True) if "example" in source.columns else source.reset_index()  # type: ignore[attr-defined]
        return _from_table(pa.Table.from_pandas(frame, preserve_index=False), "replay weights DataFrame")
    if isinstance(source, Mapping):
        if "weights" in source and "example" not in source and not isinstance(source["weights"], (int, float)):
            return as_replay_weights(source["weights"])
        ids = [str(k) for k in source]
        weight = np.array([float(v) for v in source.values()], dtype=np.float64)  # type: ignore[arg-type]
        return ReplayWeights(ids, np.full(len(ids), np.nan), weight, np.zeros(len(ids), bool))
    raise TypeError(f"replay weights must be a weights file, a DataFrame with columns example and weight, a mapping {{id: weight}} or ReplayWeights, not {type(source).__name__}")


def _weights_for(source: object, dataset_ids: Optional[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    rw = as_replay_weights(source)
    if dataset_ids is None:
        return rw.weight.copy(), rw.selected.copy()
    idx = rw.index_of(dataset_ids)
    return rw.weight[idx], rw.selected[idx]


class WeightedReplaySampler(Sampler[int]):
    """Indices of an upstream dataset drawn for replay.

    ``mode="weights"``: ``num_samples`` draws with probability ∝ weight (with replacement; excluded
    examples have weight 0 and are never drawn). ``mode="selected"``: the examples the plan selected,
    repeated and reshuffled each pass until ``num_samples``. ``dataset_ids`` maps the file onto the
    dataset's order (default: the file's order). ``weights``: anything :func:`as_replay_weights` takes (a
    weights file, ``plan_replay``'s DataFrame, ``{id: weight}``) or an array in dataset order. Seeded: the
    same seed and epoch give the same indices.

    >>> sampler = WeightedReplaySampler("replay.parquet", num_samples=320, seed=0)  # doctest: +SKIP
    """

    def __init__(
        self,
        weights: Union[ReplayWeights, PathLike, np.ndarray, torch.Tensor, Mapping[str, float], Any],
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


class SamplerStateError(ValueError):
    """A saved sampler state that does not fit this sampler (other weights, seed, world size, rank,
    ``drop_last``, or a damaged state)."""


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
        weights: Union[ReplayWeights, PathLike, np.ndarray, torch.Tensor, Mapping[str, float], Any],
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

    def weights_digest(self) -> str:
        """SHA-256 (hex) of what decides the draw besides the seed: the mode, the normalised weights
        (float64 bytes) and the selected positions. Stored in :meth:`state_dict`."""
        h = hashlib.sha256()
        h.update(self.mode.encode())
        h.update(np.ascontiguousarray(self.weights.numpy(), dtype="<f8").tobytes())
        h.update(np.ascontiguousarray(self.selected.numpy(), dtype="<i8").tobytes())
        return h.hexdigest()

    def state_dict(self, consumed: Optional[int] = None) -> dict:
        """``{"epoch", "position", "seed", "num_samples", "num_replicas", "mode", "rank", "drop_last",
        "weights_digest"}``; ``position`` is ``consumed`` when given (indices of this epoch's shard the
        training loop has used), else the number this sampler has yielded."""
        return {
            "epoch": self.epoch,
            "position": self._position if consumed is None else int(consumed),
            "seed": self.seed,
            "num_samples": self.num_samples,
            "num_replicas": self.num_replicas,
            "mode": self.mode,
            "rank": self.rank,
            "drop_last": self.drop_last,
            "weights_digest": self.weights_digest(),
        }

    def load_state_dict(self, state: Mapping) -> None:
        """Continues the stream saved by :meth:`state_dict`. The state must come from a sampler with the
        same weights (compared by :meth:`weights_digest`), seed, sample count, mode, world size, rank
        and ``drop_last``; otherwise :class:`SamplerStateError` says which differs. A state saved before
        rank, ``drop_last`` and the digest were recorded loads with a warning that they are unchecked."""
        if not isinstance(state, Mapping):
            raise SamplerStateError(f"cannot resume: a sampler state is a mapping, got {type(state).__name__}")
        missing = [k for k in ("epoch", "position", "seed", "num_samples", "num_replicas", "mode") if k not in state]
        if missing:
            raise SamplerStateError(f"cannot resume: the saved state lacks {missing}")
        for key in ("epoch", "position", "seed", "num_samples", "num_replicas"):
            v = state[key]
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise SamplerStateError(f"cannot resume: saved {key}={v!r} is not an integer")
        checks = {"seed": self.seed, "num_samples": self.num_samples, "num_replicas": self.num_replicas, "mode": self.mode,
                  "rank": self.rank, "drop_last": self.drop_last, "weights_digest": self.weights_digest()}
        unchecked = [k for k in ("rank", "drop_last", "weights_digest") if k not in state]
        if unchecked:
            warnings.warn(f"sampler state saved without {unchecked}: resuming without checking them", RuntimeWarning, stacklevel=2)
        for key, mine in checks.items():
            if key in state and state[key] != mine:
                what = "other replay weights (digest differs)" if key == "weights_digest" else f"{key}={state[key]!r}, this sampler has {mine!r}"
                raise SamplerStateError(f"cannot resume: the state was saved with {what}")
        if int(state["epoch"]) < 0:
            raise SamplerStateError(f"cannot resume: epoch {state['epoch']} is negative")
        if not 0 <= int(state["position"]) <= self.per_rank:
            raise SamplerStateError(f"cannot resume: position {state['position']} is outside this rank's shard of {self.per_rank}")
        self.epoch = int(state["epoch"])
        self._resume_from = int(state["position"])
        self._position = self._resume_from


def running_fraction(ratio: float) -> Iterator[bool]:
    """The one rule both mixing samplers follow: whether position p = 1, 2, … of a training stream holds
    a replay row, such that after any p positions exactly ``round(p · ratio / (1 + ratio))`` do
    (``ratio`` replay rows per fine-tuning row; rounding half up). Endless."""
    if not (ratio >= 0 and math.isfinite(ratio)):
        raise ValueError(f"ratio must be finite and >= 0, got {ratio!r}")
    fraction = ratio / (1 + ratio)
    replayed = p = 0
    while True:
        p += 1
        if math.floor(p * fraction + 0.5) > replayed:  # fraction < 1: at most one more per position
            replayed += 1
            yield True
        else:
            yield False


def _replay_positions(task_size: int, ratio: float) -> list[bool]:
    """Which positions of one epoch hold a replay row (:func:`running_fraction`); the epoch ends when
    every task row has been placed once."""
    out: list[bool] = []
    placed = 0
    flags = running_fraction(ratio)
    while placed < task_size:
        f = next(flags)
        out.append(f)
        placed += not f
    return out


class ReplayMixSampler(Sampler[int]):
    """The one ratio-mixing sampler: indices into ``concat(task rows, replay rows)`` with replay rows
    interleaved at ``ratio`` replay rows per task row as an exact running fraction
    (:func:`running_fraction`: any ``batch_size`` consecutive indices hold ``round``-ed shares).

    Iterating gives one epoch: the task rows in a fresh random order, replay rows drawn with replacement
    ∝ ``probabilities``. A pure function of (seed, epoch, the weights in force): every rank draws the
    same stream, which ``accelerate`` then splits into per-rank batches. Replay draws are made lazily,
    so :meth:`set_weights` takes effect from the next index the loader asks for. :meth:`batches` gives
    the same mix as fixed-size batches (what :class:`ReplayBatchSampler` iterates).

    ``replay_sampler`` (an index sampler over the replay rows, e.g. :class:`WeightedReplaySampler`)
    replaces the draw from ``probabilities``; when it runs out it moves to its next epoch.
    ``task_order``: ``"epoch"`` (a permutation per epoch, taken in order), ``"passes"`` (reshuffled
    passes, each permutation drawn when the last is used up and taken from its end) or ``"uniform"``
    (with replacement)."""

    def __init__(
        self,
        task_size: int,
        replay_size: int,
        ratio: float,
        probabilities: Optional[torch.Tensor] = None,
        *,
        seed: int = 0,
        replay_sampler: Optional[Sampler[int]] = None,
        task_order: str = "epoch",
    ):
        if ratio < 0:
            raise ValueError("ratio must be >= 0")
        next(running_fraction(ratio))  # a NaN or infinite ratio is refused here, not at the first draw
        if ratio > 0 and replay_size == 0 and replay_sampler is None:
            raise ValueError("a ratio > 0 needs at least one replay row")
        if task_order not in ("epoch", "passes", "uniform"):
            raise ValueError(f"task_order must be epoch, passes or uniform, got {task_order!r}")
        self.task_size = task_size
        self.replay_size = replay_size
        self.ratio = ratio
        self.seed = seed
        self.epoch = 0
        self.replay_sampler = replay_sampler
        self.task_order = task_order
        self.set_weights(probabilities)

    def set_weights(self, probabilities: Optional[torch.Tensor]) -> None:
        """Replay probabilities over the replay rows (None = uniform); used from the next draw on."""
        if probabilities is None:
            p = torch.full((self.replay_size,), 1.0 / max(1, self.replay_size), dtype=torch.float64)
        else:
            p = torch.as_tensor(probabilities, dtype=torch.float64)
            if p.shape != (self.replay_size,):
                raise ValueError(f"probabilities have shape {tuple(p.shape)}, expected ({self.replay_size},)")
        self.probabilities = p / p.sum() if self.replay_size else p
        self._cdf = torch.cumsum(self.probabilities, 0)

    def set_epoch(self, epoch: int) -> None:
        """Reseeds the task order and the replay draw for pass ``epoch``."""
        self.epoch = epoch

    @functools.cached_property
    def _positions(self) -> list[bool]:
        return _replay_positions(self.task_size, self.ratio)

    def __len__(self) -> int:
        return len(self._positions)

    @property
    def replay_rows_per_epoch(self) -> int:
        """How many replay rows one epoch holds."""
        return sum(self._positions)

    def _task_rows(self, g: torch.Generator) -> Iterator[int]:
        """Endless task rows in ``task_order`` from generator ``g``."""
        while True:
            if self.task_order == "uniform":
                yield int(torch.randint(self.task_size, (1,), generator=g))
                continue
            order = torch.randperm(self.task_size, generator=g).tolist()
            yield from (order if self.task_order == "epoch" else reversed(order))

    def _replay_rows(self) -> Iterator[int]:
        """Endless replay rows (indices into the replay set): from ``replay_sampler``, or drawn ∝ the
        probabilities in force at each draw."""
        if self.replay_sampler is not None:
            sampler = self.replay_sampler
            while True:
                drawn = 0
                for j in sampler:
                    drawn += 1
                    yield j
                if not drawn:
                    raise ValueError("the replay sampler gave no rows")
                if hasattr(sampler, "set_epoch"):
                    sampler.set_epoch(getattr(sampler, "epoch", 0) + 1)  # type: ignore[attr-defined]
        g_replay = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch + 500_009)
        while True:
            u = float(torch.rand((), generator=g_replay, dtype=torch.float64))
            j = int(torch.searchsorted(self._cdf, torch.tensor(u * float(self._cdf[-1]), dtype=torch.float64), right=True))
            yield min(j, self.replay_size - 1)

    def __iter__(self) -> Iterator[int]:
        tasks = self._task_rows(torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch))
        replay = self._replay_rows()
        for is_replay in self._positions:
            yield self.task_size + next(replay) if is_replay else next(tasks)

    def batches(self, batch_size: int, num_batches: int) -> Iterator[list[int]]:
        """``num_batches`` batches of ``batch_size`` indices: the running fraction decides how many rows of
        each batch are replay rows; the task rows (from a generator seeded with ``seed``) come first."""
        tasks = self._task_rows(torch.Generator().manual_seed(self.seed))
        replay = self._replay_rows()
        flags = running_fraction(self.ratio)
        for _ in range(num_batches):
            n_replay = sum(next(flags) for _ in range(batch_size))
            batch = [next(tasks) for _ in range(batch_size - n_replay)]
            batch.extend(self.task_size + next(replay) for _ in range(n_replay))
            yield batch


class ReplayBatchSampler(ReplayMixSampler):
    """Batches over ``ConcatDataset([task_dataset, upstream_dataset])`` that mix replay rows into
    fine-tuning at ``ratio`` replay examples per fine-tuning example, as an exact running fraction: after
    any number of batches, the replay rows so far are ``round(rows · ratio / (1 + ratio))``. Task rows are
    drawn uniformly with replacement (or in reshuffled passes with ``task_passes=True``); replay rows
    come from ``replay_sampler`` and are offset by ``task_size`` to index the concatenation. The batch
    form of :class:`ReplayMixSampler` (:meth:`ReplayMixSampler.batches`), kept under its own name and
    arguments.

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
        if ratio > 0 and replay_sampler is None:
            raise ValueError("a ratio > 0 needs a replay sampler")
        super().__init__(task_size, 0, ratio, seed=seed, replay_sampler=replay_sampler, task_order="passes" if task_passes else "uniform")
        self.fraction = ratio / (1 + ratio)
        self.batch_size = batch_size
        self.num_batches = num_batches
        self.task_passes = task_passes

    def __len__(self) -> int:
        return self.num_batches

    def __iter__(self) -> Iterator[list[int]]:  # type: ignore[override]
        return self.batches(self.batch_size, self.num_batches)


class OnlineReplay:
    """The one driver of the paper's online replay plan through the forgetscope CLI (the Hugging Face
    :class:`forgetscope.hf.ReplayCallback` runs on it too).

    1. ``schedule()`` asks ``forgetscope replay <matrix> --train-rows … --online-steps S`` for the step
       where uniform replay ends and the ids of the (default 30, or ``probes``) upstream examples to measure.
    2. Train ``uniform_until_step`` steps with uniform replay.
    3. Measure the forgetting of the probes (NLL now − NLL of the base model), pass it to
       ``plan(measured)``: it writes the observed file, runs ``forgetscope replay … --observed`` (row
       completion + the replay policy: ``policy`` when given, softmax when only ``temperature`` is
       given, else the engine's default ``DEFAULT_REPLAY_POLICY`` — the same rule as the CLI) and
       returns the ``ReplayWeights`` for the remaining steps.

    ``train_rows``: the CLI's syntax (``"0-19"``) or a list of row indices / task ids; ``None`` leaves the
    flag out. ``ratio``, ``temperature`` and ``method`` set to ``None`` leave their flags out too (the
    engine's defaults; without ``--temperature`` the engine's default policy applies).

    >>> online = OnlineReplay("train.parquet", "0-19", total_steps=500, n_fine_tune=4000)  # doctest: +SKIP
    """

    def __init__(
        self,
        matrix: PathLike,
        train_rows: Union[str, Sequence[Union[int, str]], None],
        *,
        total_steps: int,
        n_fine_tune: int,
        ratio: Optional[float] = DEFAULT_REPLAY_RATIO,
        temperature: Union[float, str, None] = None,
        method: Optional[str] = "lowrank",
        seed: int = 0,
        exclude: Optional[PathLike] = None,
        workdir: Optional[PathLike] = None,
        command: Optional[Sequence[str]] = None,
        policy: Optional[str] = None,
        probes: Optional[int] = None,
    ):
        from .api import rows_arg

        self.matrix = str(matrix)
        self.train_rows = rows_arg(train_rows)
        self.total_steps = total_steps
        self.n_fine_tune = n_fine_tune
        self.ratio = ratio
        self.temperature = temperature
        self.method = method
        self.policy = policy
        self.seed = seed
        self.n_probes = probes
        self.exclude = None if exclude is None else str(exclude)
        self.command = command
        self._tmp = None if workdir is not None else tempfile.TemporaryDirectory(prefix="forgetscope-online-")
        self.workdir = Path(workdir if workdir is not None else self._tmp.name)  # type: ignore[union-attr]
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._schedule: Optional[dict] = None

    def _common(self) -> list[str]:
        args = [self.matrix]
        if self.train_rows is not None:
            args += ["--train-rows", self.train_rows]
        args += ["--seed", str(self.seed)]
        if self.exclude is not None:
            args += ["--exclude", self.exclude]
        return args

    def schedule(self) -> dict:
        """The online plan: ``{"uniformUntilStep", "measureAtStep", "predictedFromStep", "probes": [ids]}``."""
        if self._schedule is None:
            args = ["replay", *self._common(), "--online-steps", str(self.total_steps)]
            if self.n_probes is not None:
                args += ["--probes", str(self.n_probes)]
            self._schedule = run_cli([*args, "--json"], command=self.command)
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
        returns the predicted replay weights (the CLI's weights file, also kept in ``workdir``; the CLI's
        JSON summary is kept as ``last_summary``)."""
        observed = write_id_values(self.workdir / "observed.csv", measured)
        out = self.workdir / out_name
        args = ["replay", *self._common(), "--observed", str(observed)]
        if self.method is not None:
            args += ["--method", self.method]
        if self.policy is not None:
            args += ["--policy", self.policy]
        if self.temperature is not None:  # with a policy that reads no temperature, the engine says so
            args += ["--temperature", self.temperature if isinstance(self.temperature, str) else repr(self.temperature)]
        args += ["--n", str(self.n_fine_tune)]
        if self.ratio is not None:
            args += ["--ratio", repr(self.ratio)]
        args += ["--out", str(out), "--force", "--json"]
        self.last_summary = run_cli(args, command=self.command)
        return read_replay_weights(out)
