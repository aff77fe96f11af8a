"""``forgetscope collect`` / ``forgetscope-collect`` / ``python -m forgetscope collect``: measure a
fine-tuned model's forgetting on an upstream dataset from the command line.

    forgetscope collect --task my-task --model ./tuned --base ./base --data upstream.jsonl --out forgetting.parquet

Loads the fine-tuned model (``--model``) and the base model (``--base``) — Hugging Face folders or hub
names through ``AutoModelForCausalLM`` / ``AutoTokenizer``, or anything a ``--factory module:function``
returns as ``(model, tokenizer)`` when called with the path — reads the upstream examples (``--data``: a
JSONL file, a Parquet / Arrow / CSV table, or a ``datasets`` ``save_to_disk`` folder, with columns ``id``
and ``text``), and appends ``task, example, nll_before, nll_after`` rows to ``--out`` with
:func:`forgetscope.collect.collect`. Resumable: rows already in ``--out`` for the task are skipped; the base
NLL can be kept in ``--base-nll`` (computed and written there when the file does not exist yet, read
when it does). Under ``torchrun`` (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` in the environment) it opens the
process group itself (NCCL on GPUs, gloo on CPUs); every rank scores its shard and rank 0 writes.
Sequences longer than ``--max-length`` (default: the model's context length) are scored on their first
``--max-length`` tokens, and the command says how many were cut. A progress bar shows on stderr unless
``--quiet``. Bad input exits with status 2 and a ``file:line[:column]: message`` line.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Callable, Optional


class InputError(ValueError):
    """Bad command-line input: printed as ``file[:line[:column]]: message`` and exit status 2."""

    def __init__(self, file: str, message: str, line: Optional[int] = None, column: Optional[int] = None):
        self.file, self.line, self.column = file, line, column
        where = "" if line is None else f":{line}" if column is None else f":{line}:{column}"
        super().__init__(f"{file}{where}: {message}")


def _upstream_rows(path: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """``(line or row number, value of each of columns…)`` of every example of a JSONL file, a Parquet /
    Arrow / CSV table or a ``datasets`` folder, in file order; a missing column or a malformed JSON line
    is an :class:`InputError` naming the file and line."""
    p = Path(path)
    if not p.exists():
        raise InputError(path, "no such file or folder")
    if p.is_dir():
        try:
            import datasets
        except ImportError as e:
            raise InputError(path, "a folder is read as a `datasets` save_to_disk folder, which needs the `datasets` package (pip install 'forgetscope[hf]')") from e
        ds = datasets.load_from_disk(str(p))
        if isinstance(ds, datasets.DatasetDict):
            raise InputError(path, f"a DatasetDict with splits {list(ds)}: save one split (e.g. ds['train'].save_to_disk(...))")
        for c in columns:
            if c not in ds.column_names:
                raise InputError(path, f"no column {c!r} (has {ds.column_names})")
        return [(r + 1, *vals) for r, vals in enumerate(zip(*(ds[c] for c in columns)))]
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        rows: list[tuple[Any, ...]] = []
        with open(p, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    raise InputError(path, f"not JSON ({e.msg})", n, e.colno) from e
                if not isinstance(obj, dict):
                    raise InputError(path, "each line must be a JSON object", n)
                for c in columns:
                    if c not in obj:
                        raise InputError(path, f"no {c!r} field", n)
                rows.append((n, *(obj[c] for c in columns)))
        return rows
    import pyarrow as pa

    from .tables import read_table

    try:  # in CSV every column read here is text: ids keep their digits ("007"), texts stay strings
        table = read_table(p, csv_types={c: pa.string() for c in columns})
    except ValueError as e:
        raise InputError(path, str(e)) from e
    for c in columns:
        if c not in table.column_names:
            raise InputError(path, f"no column {c!r} (has {table.column_names})")
    # row r of the data is line r + 1 of a CSV (its header is line 1)
    offset = 1 if p.suffix.lower() in (".csv", ".tsv") else 0
    return [(r + 1 + offset, *vals) for r, vals in enumerate(zip(*(table.column(c).to_pylist() for c in columns)))]


def read_upstream(path: str, *, id_column: str = "id", text_column: str = "text") -> dict[str, str]:
    """``{id: text}`` from a JSONL file, a Parquet / Arrow / CSV table or a ``datasets`` folder, in file
    order. Ids are kept exactly as strings; a missing column, an empty text, a duplicate id or a malformed
    JSON line is an :class:`InputError` naming the file and line."""
    return read_upstream_with_meta(path, id_column=id_column, text_column=text_column)[0]


def read_upstream_with_meta(
    path: str, meta_columns: Sequence[str] = (), *, id_column: str = "id", text_column: str = "text"
) -> tuple[dict[str, str], dict[str, dict[str, Optional[str]]]]:
    """:func:`read_upstream` and, in the same pass, ``{id: {column: value}}`` of ``meta_columns`` (for
    :func:`forgetscope.collect.collect`'s ``example_meta``): values as strings, an empty or null value
    (or a NaN) as ``None``; a missing column is an :class:`InputError` like the text's."""
    texts: dict[str, str] = {}
    meta: dict[str, dict[str, Optional[str]]] = {}
    for n, ex_id, text, *values in _upstream_rows(path, (id_column, text_column, *meta_columns)):
        if ex_id is None or (isinstance(ex_id, str) and not ex_id):
            raise InputError(path, f"empty {id_column!r}", n)
        if isinstance(ex_id, float):
            raise InputError(path, f"{id_column!r} {ex_id!r} is a float: ids must be strings or integers to stay exact", n)
        key = str(ex_id)
        if not isinstance(text, str) or not text:
            raise InputError(path, f"example {key!r}: {text_column!r} is not a non-empty string", n)
        if key in texts:
            raise InputError(path, f"example id {key!r} appears twice", n)
        texts[key] = text
        if meta_columns:
            meta[key] = {c: None if v is None or v == "" or (isinstance(v, float) and v != v) else str(v) for c, v in zip(meta_columns, values)}
    if not texts:
        raise InputError(path, "no examples")
    return texts, meta


def _hf_loader(path: str) -> tuple[Any, Any]:
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as e:
        raise InputError(path, "loading a model folder needs `transformers` (pip install 'forgetscope[hf]'), or pass --factory module:function") from e
    return AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)


def load_factory(spec: Optional[str]) -> Callable[[str], tuple[Any, Any]]:
    """The model loader: ``module:function`` (imported, called with the model path, returning
    ``(model, tokenizer)``), or None for Hugging Face ``from_pretrained``."""
    if spec is None:
        return _hf_loader
    module, sep, name = spec.partition(":")
    if not sep or not module or not name:
        raise InputError("--factory", f"{spec!r} is not module:function")
    sys.path.insert(0, os.getcwd())  # a factory module beside the user's data, as `python -m` would find it
    try:
        fn = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as e:
        raise InputError("--factory", f"cannot load {spec!r}: {e}") from e
    finally:
        sys.path.pop(0)
    return fn


def _init_distributed() -> tuple[int, int, Optional[str]]:
    """Rank, world size and this rank's device under torchrun (opens the process group once); (0, 1, None) otherwise."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return 0, 1, None
    import torch
    import torch.distributed as dist

    local = int(os.environ.get("LOCAL_RANK", "0"))
    device = None
    if torch.cuda.is_available():
        torch.cuda.set_device(local)
        device = f"cuda:{local}"
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device else "gloo")
        _opened.append(True)
    return dist.get_rank(), dist.get_world_size(), device


_opened: list[bool] = []  # whether this command opened the process group (and so closes it)


def _close_distributed() -> None:
    if _opened:
        import torch.distributed as dist

        if dist.is_initialized():
            dist.barrier()
            dist.destroy_process_group()  # left to interpreter exit, gloo's threads can abort the process
        _opened.clear()


def _accepted(fn: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    params = inspect.signature(fn).parameters
    return {k: v for k, v in kwargs.items() if k in params}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="forgetscope collect",
        description="Measure a fine-tuned causal LM's per-example NLL on upstream examples and append "
        "task, example, nll_before, nll_after rows to a forgetting table (resumable).",
    )
    p.add_argument("--task", required=True, help="the task (row) name written in the table")
    p.add_argument("--model", required=True, help="the fine-tuned model: a Hugging Face folder or hub name, or what --factory loads")
    p.add_argument("--base", help="the base model (before fine-tuning), loaded like --model; needed unless --base-nll exists")
    p.add_argument("--base-nll", help="table of the base model's NLL (example, nll): read if it exists, else computed from --base and written")
    p.add_argument("--data", required=True, help="upstream examples: .jsonl, .parquet, .arrow, .csv or a datasets save_to_disk folder, columns id and text")
    p.add_argument("--out", required=True, help="the forgetting table to append to (.parquet, .arrow or .csv)")
    p.add_argument("--factory", help="module:function returning (model, tokenizer) when called with the --model / --base path")
    p.add_argument("--id-column", default="id", help="id column of --data (default: id)")
    p.add_argument("--text-column", default="text", help="text column of --data (default: text)")
    p.add_argument("--meta-columns", help="columns of --data written beside the losses as example metadata, comma-separated (e.g. source,text: lowrank's example effects use them)")
    p.add_argument("--max-length", type=int, help="tokens scored per example; longer texts are truncated to their first N tokens (default: the model's context length)")
    p.add_argument("--batch-size", type=int, default=8, help="examples per forward pass (default: 8)")
    p.add_argument("--device", help="torch device (default: cuda if available, else cpu; under torchrun cuda:LOCAL_RANK)")
    p.add_argument("--dtype", choices=["float32", "bfloat16", "float16"], help="autocast the forward pass (log-softmax stays float32)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def run(argv: Optional[Sequence[str]] = None) -> dict[str, Any]:
    """Parses ``argv`` and runs the collection; returns ``collect``'s counts plus ``task``, ``out``,
    ``examples`` and ``truncated`` (examples cut to ``max_length``). Raises :class:`InputError` on bad input."""
    args = _parser().parse_args(argv)
    if args.base is None and (args.base_nll is None or not Path(args.base_nll).exists()):
        raise InputError("--base", "give the base model (--base) or an existing base-NLL table (--base-nll)")
    if args.max_length is not None and args.max_length < 2:
        raise InputError("--max-length", f"must be at least 2 (1 context + 1 predicted token), got {args.max_length}")
    if args.batch_size < 1:
        raise InputError("--batch-size", f"must be at least 1, got {args.batch_size}")
    meta_columns = [c for c in (args.meta_columns or "").split(",") if c]
    texts, example_meta = read_upstream_with_meta(args.data, meta_columns, id_column=args.id_column, text_column=args.text_column)

    import torch

    from .collect import collect, compute_nll, pad_id_of, save_nll, tokenize_examples

    rank, world, dist_device = _init_distributed()
    device = args.device or dist_device or ("cuda" if torch.cuda.is_available() else "cpu")
    dtype = None if args.dtype in (None, "float32") else getattr(torch, args.dtype)
    progress = (not args.quiet) and rank == 0
    load = load_factory(args.factory)
    model, tokenizer = load(args.model)
    model.to(device)

    max_length = args.max_length
    if max_length is None:
        for attr in ("max_position_embeddings", "n_positions", "n_ctx"):
            v = getattr(getattr(model, "config", None), attr, None)
            if isinstance(v, int) and v > 1:
                max_length = v
                break
    full = tokenize_examples(tokenizer, texts)
    short = {k: v for k, v in full.items() if len(v) < 2}
    if short:
        k = next(iter(short))
        raise InputError(args.data, f"{len(short)} examples have fewer than 2 tokens (1 context + 1 predicted), e.g. {k!r}")
    truncated = [k for k, v in full.items() if max_length is not None and len(v) > max_length]
    ids = {k: v[:max_length] if max_length is not None else v for k, v in full.items()}
    if truncated and rank == 0:
        print(
            f"forgetscope collect: {len(truncated)} of {len(ids)} examples are longer than {max_length} tokens and are scored on their first {max_length} (--max-length)",
            file=sys.stderr,
        )
    pad_id = pad_id_of(tokenizer)
    nll_kwargs = dict(batch_size=args.batch_size, device=device, dtype=dtype, pad_id=pad_id)

    def bar(label: str) -> Any:
        if not progress:
            return None
        from tqdm import tqdm

        state: list[Any] = []

        def update(done: int, total: int) -> None:
            if not state:
                state.append(tqdm(total=total, desc=label, unit="ex", file=sys.stderr))
            state[0].update(done - state[0].n)
            if done >= total:
                state[0].close()

        return update

    base: Any
    if args.base_nll is not None and Path(args.base_nll).exists():
        base = args.base_nll
    else:
        base_model, _ = load(args.base)
        base_model.to(device)
        base = compute_nll(base_model, ids, progress=bar("base NLL"), **nll_kwargs)
        del base_model
        if args.base_nll is not None and rank == 0:
            save_nll(args.base_nll, base)
    counts = collect(args.out, args.task, model, ids, base=base, **nll_kwargs, **_accepted(collect, progress=progress),
                     **({"example_meta": example_meta} if example_meta else {}))
    return {**counts, "task": args.task, "out": args.out, "examples": len(ids), "truncated": len(truncated)}


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The console script: runs :func:`run`, prints a one-line summary (rank 0) and returns the exit status
    (2 for bad input)."""
    try:
        result = run(argv)
    except (InputError, ValueError, KeyError) as e:  # bad input: the data, the table to append to, the base NLL
        print(f"forgetscope collect: {e}" if not isinstance(e, InputError) else str(e), file=sys.stderr)
        return 2
    finally:
        _close_distributed()
    if int(os.environ.get("RANK", "0")) == 0:
        print(f"{result['task']}: {result['written']} rows written, {result['skipped']} already in {result['out']} ({result['truncated']} truncated)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
