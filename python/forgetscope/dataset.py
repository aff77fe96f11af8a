"""The dataset-folder layout forgetscope reads (``Z.npy``, ``tasks.json``, ``examples.jsonl``, ``side/``), written atomically.

``Z.npy`` is the M×N forgetting matrix (rows in ``tasks.json`` order, columns in ``examples.jsonl`` order);
``base_nll.npy`` (N) is optional; ``side/<name>.npy`` are M×N matrices aligned with ``Z.npy``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np

from .atomic import atomic_write_bytes

PathLike = Union[str, os.PathLike]


def save_npy(path: PathLike, array: np.ndarray) -> Path:
    """Writes ``array`` as ``.npy`` atomically (temporary file in the same folder + rename)."""
    return atomic_write_bytes(Path(path), lambda f: np.save(f, np.ascontiguousarray(array), allow_pickle=False))


def _first_non_finite(a: np.ndarray) -> Optional[tuple[int, ...]]:
    bad = np.argwhere(~np.isfinite(a))
    return tuple(int(x) for x in bad[0]) if len(bad) else None


def write_dataset(folder: PathLike, Z: np.ndarray, tasks: Sequence[Union[str, Mapping[str, Any]]],
                  examples: Sequence[Union[str, Mapping[str, Any]]], base_nll: Optional[np.ndarray] = None) -> Path:
    """Writes a dataset folder: ``Z.npy`` (float32 M×N), ``tasks.json`` (one object per row, each with an
    ``id``; a plain string becomes ``{"id": s}``), ``examples.jsonl`` (one object per column, likewise) and
    ``base_nll.npy`` when given. Ids must be present, non-empty and unique (as strings) within each file
    (``ValueError`` naming the entries). Every file is written atomically. Returns the folder."""
    folder = Path(folder)
    Z = np.asarray(Z, dtype=np.float32)
    if Z.ndim != 2:
        raise ValueError(f"{folder / 'Z.npy'}: Z must be 2-D (M×N), got shape {Z.shape}")
    t = [{"id": x} if isinstance(x, str) else dict(x) for x in tasks]
    e = [{"id": x} if isinstance(x, str) else dict(x) for x in examples]
    if len(t) != Z.shape[0] or len(e) != Z.shape[1]:
        raise ValueError(f"{folder / 'Z.npy'}: shape {Z.shape} but {len(t)} tasks and {len(e)} examples")
    for kind, rows in (("tasks.json", t), ("examples.jsonl", e)):
        first: dict[str, int] = {}
        for k, r in enumerate(rows):
            if "id" not in r or r["id"] is None or str(r["id"]) == "":
                raise ValueError(f"{folder / kind}: entry {k} has no id")
            key = str(r["id"])
            if key in first:
                raise ValueError(f"{folder / kind}: entries {first[key]} and {k} have the same id {key!r} (ids must be unique)")
            first[key] = k
    save_npy(folder / "Z.npy", Z)
    atomic_write_bytes(folder / "tasks.json", lambda f: f.write(json.dumps(t, indent=1).encode()))
    atomic_write_bytes(folder / "examples.jsonl", lambda f: f.write("".join(json.dumps(r) + "\n" for r in e).encode()))
    if base_nll is not None:
        b = np.asarray(base_nll, dtype=np.float32).reshape(-1)
        if b.shape[0] != Z.shape[1]:
            raise ValueError(f"{folder / 'base_nll.npy'}: {b.shape[0]} values for {Z.shape[1]} examples")
        save_npy(folder / "base_nll.npy", b)
    return folder


def dataset_ids(folder: PathLike) -> tuple[list[str], list[str]]:
    """The task ids (``tasks.json``) and example ids (``examples.jsonl``) of a dataset folder, as strings."""
    folder = Path(folder)
    tasks = json.loads((folder / "tasks.json").read_text())
    examples = [json.loads(line) for line in (folder / "examples.jsonl").read_text().splitlines() if line.strip()]
    return [str(t["id"]) for t in tasks], [str(e["id"]) for e in examples]


def _check_order(file: Path, kind: str, have: Sequence[str], want: Sequence[str]) -> None:
    if len(have) != len(want):
        raise ValueError(f"{file}: {len(have)} {kind} but {len(want)} given")
    for k, (a, b) in enumerate(zip(have, want)):
        if a != b:
            raise ValueError(f"{file}: {kind[:-1]} {k} is {a!r} but the side matrix has {b!r} there (same order required)")


def write_side(folder: PathLike, name: str, matrix: np.ndarray, *, task_ids: Optional[Sequence[str]] = None,
               example_ids: Optional[Sequence[str]] = None) -> Path:
    """Writes ``folder/side/<name>.npy`` (float32 M×N) atomically, aligned with the folder's ``Z.npy``:
    its shape must equal Z's when ``Z.npy`` exists, and ``task_ids`` / ``example_ids``, when given, must
    equal the folder's ``tasks.json`` / ``examples.jsonl`` ids in order (rows = tasks, columns = examples).
    Non-finite values are refused (the error names the row and column). Returns the path written."""
    folder = Path(folder)
    if not name or any(c in name for c in "/\\") or name.startswith(".") or name.endswith(".npy"):
        raise ValueError(f"side name {name!r}: give a plain name such as 'first_order' (written as side/<name>.npy)")
    out = folder / "side" / f"{name}.npy"
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2:
        raise ValueError(f"{out}: a side matrix is M×N, got shape {m.shape}")
    bad = _first_non_finite(m)
    if bad is not None:
        raise ValueError(f"{out}: value at row {bad[0]}, column {bad[1]} is {m[bad]} (side values must be finite)")
    z_path = folder / "Z.npy"
    if z_path.exists():
        z_shape = np.load(z_path, mmap_mode="r").shape
        if tuple(z_shape) != m.shape:
            raise ValueError(f"{out}: shape {m.shape} does not match {z_path} {tuple(z_shape)}")
    if task_ids is not None or example_ids is not None:
        have_t, have_e = dataset_ids(folder)
        if task_ids is not None:
            _check_order(folder / "tasks.json", "tasks", have_t, [str(x) for x in task_ids])
        if example_ids is not None:
            _check_order(folder / "examples.jsonl", "examples", have_e, [str(x) for x in example_ids])
    return save_npy(out, m.astype(np.float32))


def read_side(folder: PathLike, name: str) -> np.ndarray:
    """Reads ``folder/side/<name>.npy`` (as written by :func:`write_side`)."""
    return np.load(Path(folder) / "side" / f"{name}.npy", allow_pickle=False)
