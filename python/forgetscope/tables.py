"""Atomic writers and readers for the tables forgetscope exchanges: Parquet, Arrow IPC, CSV (by extension)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Union

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


def table_format(path: PathLike) -> str:
    """The format of ``path`` from its extension: ``parquet``, ``arrow``, ``arrows`` (IPC stream) or ``csv``."""
    ext = Path(path).suffix.lower()
    if ext in PARQUET:
        return "parquet"
    if ext in ARROW_FILE:
        return "arrow"
    if ext in ARROW_STREAM:
        return "arrows"
    if ext in CSV:
        return "csv"
    raise ValueError(f"{path}: unknown table extension {ext!r} (use .parquet, .arrow, .arrows or .csv)")


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
            pacsv.write_csv(table, tmp)

    atomic_write(path, write)


def read_table(path: PathLike) -> pa.Table:
    """Reads a Parquet, Arrow IPC (file or stream) or CSV table; ids stay strings in CSV."""
    path = Path(path)
    fmt = table_format(path)
    if fmt == "parquet":
        return pq.read_table(path)
    if fmt in ("arrow", "arrows"):
        with pa.memory_map(str(path), "r") as source:
            try:
                return ipc.open_file(source).read_all()
            except pa.ArrowInvalid:
                source.seek(0)
                return ipc.open_stream(source).read_all()
    convert = pacsv.ConvertOptions(
        column_types={"task": pa.string(), "example": pa.string()}, strings_can_be_null=False
    )
    return pacsv.read_csv(path, convert_options=convert)
