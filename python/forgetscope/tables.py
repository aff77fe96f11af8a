"""Atomic writers and readers for the tables forgetscope exchanges: Parquet, Arrow IPC, CSV (by extension),
the one writer of ``example, value`` CSV files handed to the engine (measured entries, side scores), and
:class:`TableError`, the error for bad table content."""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Optional, Union

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from .atomic import atomic_write

PathLike = Union[str, "os.PathLike[str]"]

PARQUET = (".parquet", ".pq")
ARROW_FILE = (".arrow", ".feather", ".ipc")
ARROW_STREAM = (".arrows",)
CSV = (".csv",)
TSV = (".tsv",)


EMBEDDING_PREFIX = "embedding."
"""The prefix of example metadata keys that hold an example embedding (``embedding.0``, ``embedding.1``, …):
the one kind of numeric example metadata, taken by the engine as covariates of lowrank's example effects."""


def is_embedding_key(key: str) -> bool:
    """Whether ``key`` names a coordinate of an example embedding: :data:`EMBEDDING_PREFIX` and a non-empty rest
    (the engine's ``isEmbeddingKey``)."""
    return isinstance(key, str) and len(key) > len(EMBEDDING_PREFIX) and key.startswith(EMBEDDING_PREFIX)


class TableError(ValueError):
    """A table file holds something forgetscope cannot use. The message names the file and, where
    known, the 1-based data row (the header is not counted) and the column; the same are kept as
    ``path``, ``row`` and ``column``."""

    def __init__(self, path: PathLike, message: str, *, row: Optional[int] = None, column: Optional[str] = None):
        where = str(path)
        if row is not None:
            where += f": row {row}"
        if column is not None:
            where += f", column {column!r}" if row is not None else f": column {column!r}"
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.row = row
        self.column = column


def table_format(path: PathLike) -> str:
    """The format of ``path`` from its extension: ``parquet``, ``arrow``, ``arrows`` (IPC stream), ``csv``
    or ``tsv`` (tab-separated, as the engine writes ``.tsv``)."""
    ext = Path(path).suffix.lower()
    if ext in PARQUET:
        return "parquet"
    if ext in ARROW_FILE:
        return "arrow"
    if ext in ARROW_STREAM:
        return "arrows"
    if ext in CSV:
        return "csv"
    if ext in TSV:
        return "tsv"
    raise ValueError(f"{path}: unknown table extension {ext!r} (use .parquet, .arrow, .arrows, .csv or .tsv)")


def write_table(path: PathLike, table: pa.Table) -> None:
    """Writes ``table`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    path = Path(path)
    fmt = table_format(path)

    def write(tmp: str) -> None:
        if fmt == "parquet":
            pq.write_table(table, tmp)
        elif fmt == "arrow":
            feather.write_feather(table, tmp, compression="uncompressed")
        elif fmt == "arrows":
            with pa.OSFile(tmp, "wb") as sink, ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
        else:
            pacsv.write_csv(table, tmp, pacsv.WriteOptions(delimiter="\t" if fmt == "tsv" else ","))

    atomic_write(path, write)


def read_table(
    path: PathLike,
    *,
    csv_types: Optional[Mapping[str, pa.DataType]] = None,
    csv_text: Optional[Callable[[str], bool]] = None,
) -> pa.Table:
    """Reads a Parquet, Arrow IPC (file or stream), CSV or TSV table; ids (``task``, ``example``) stay strings
    in CSV. ``csv_types`` sets the types of further CSV columns (e.g. ``{"selected": pa.string()}`` to
    check the values yourself rather than take pyarrow's inference); ``csv_text(name)`` true reads that
    CSV column as strings whatever it holds (metadata such as a ``source`` of "2019" or "007" stays
    text, never an integer). Every format is read through one open file, so a read that overlaps a
    writer's atomic rename sees one whole version."""
    path = Path(path)
    fmt = table_format(path)
    if fmt == "parquet":
        # One open file for the footer and the pages: given a path, pyarrow opens it again for the pages,
        # and a writer's atomic rename in between pairs one file's footer with another's pages.
        with pa.OSFile(str(path), "rb") as source:
            return pq.read_table(source)
    if fmt in ("arrow", "arrows"):
        with pa.memory_map(str(path), "r") as source:
            try:
                return ipc.open_file(source).read_all()
            except pa.ArrowInvalid:
                source.seek(0)
                return ipc.open_stream(source).read_all()
    parse = pacsv.ParseOptions(delimiter="\t" if fmt == "tsv" else ",")
    with pa.OSFile(str(path), "rb") as source:
        data = source.read_buffer()
    types: dict[str, pa.DataType] = {}
    if csv_text is not None:  # the header's names, from the same bytes
        with pacsv.open_csv(pa.BufferReader(data), parse_options=parse) as head:
            types = {name: pa.string() for name in head.schema.names if csv_text(name)}
    convert = pacsv.ConvertOptions(
        column_types={**types, "task": pa.string(), "example": pa.string(), **(csv_types or {})}, strings_can_be_null=False
    )
    return pacsv.read_csv(pa.BufferReader(data), parse_options=parse, convert_options=convert)


def write_id_values(
    path: PathLike,
    values: Union[Mapping[Any, Any], Iterable[tuple[Any, Any]]],
    *,
    value_column: str = "value",
) -> Path:
    """Writes ``example, <value_column>`` rows as CSV atomically — the file ``forgetscope replay
    --observed`` / ``--side-scores`` and ``forgetscope predict --observed`` read. Ids are written as
    ``str(id)`` (quoted when they hold a comma, quote or line break), values as ``repr(float(v))`` (the
    shortest form that reads back to the same double). A non-finite value is refused (``ValueError``
    naming the example): a missing measurement is left out, never written as a number."""
    pairs = values.items() if isinstance(values, Mapping) else values
    rows: list[tuple[str, str]] = []
    for ex, v in pairs:
        f = float(v)
        if not math.isfinite(f):
            raise ValueError(f"{value_column} of example {ex!r} is {f}, not a finite number")
        rows.append((str(ex), repr(f)))

    def write(tmp: str) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["example", value_column])
            w.writerows(rows)

    return atomic_write(Path(path), write)
