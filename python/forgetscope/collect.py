"""Per-example token-mean negative log-likelihood of a causal LM, and the long forgetting table.

The loss of one example is the mean over its predicted tokens (every token after the first) of
``-log p(token | previous tokens)`` in natural log — the spec's "log-perplexity". Batches are right-padded
and masked, so padding never changes a result; log-softmax runs in float32 even when the model runs in
bfloat16. Under ``torch.distributed`` (gloo or NCCL; e.g. launched by ``torchrun``) every rank scores
its shard ``examples[rank::world_size]`` and the results are gathered on every rank.
"""

from __future__ import annotations

import inspect
import math
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np
import pyarrow as pa
import torch
import torch.distributed as dist

from .atomic import file_lock
from .tables import PathLike, TableError, is_embedding_key, read_table, table_format, write_table

Tokens = Union[Sequence[int], torch.Tensor, np.ndarray]
Examples = Union[Mapping[str, Tokens], Iterable[tuple[str, Tokens]]]

LONG_COLUMNS = ("task", "example", "nll_before", "nll_after")


def _accepts_attention_mask(model: torch.nn.Module) -> bool:
    forward = getattr(model, "forward", model)
    try:
        params = inspect.signature(forward).parameters
    except (TypeError, ValueError):
        return False
    return "attention_mask" in params


def forward_logits(model: torch.nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Logits ``[batch, length, vocab]`` of a Hugging Face causal LM (``.logits``) or a plain module
    returning logits (a tensor, a tuple whose first item is the logits, or a dict with ``"logits"``).
    The attention mask is passed when the model's ``forward`` takes one."""
    if _accepts_attention_mask(model):
        out = model(input_ids=input_ids, attention_mask=attention_mask)
    else:
        out = model(input_ids)
    if hasattr(out, "logits"):
        return out.logits
    if isinstance(out, Mapping):
        return out["logits"]
    if isinstance(out, (tuple, list)):
        return out[0]
    return out


def sequence_nll(logits: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Token-mean NLL per row (float64, shape ``[batch]``) from logits: position t predicts token t+1,
    counted where both are real tokens (mask 1). Rows with no predicted token give NaN."""
    logp = torch.log_softmax(logits[:, :-1].float(), dim=-1)
    target = input_ids[:, 1:].long()
    nll = -logp.gather(-1, target.unsqueeze(-1)).squeeze(-1).double()
    valid = (attention_mask[:, 1:] != 0) & (attention_mask[:, :-1] != 0)
    total = (nll * valid).sum(dim=1)
    count = valid.sum(dim=1)
    return total / count.double()


def _pad_right(seqs: list[torch.Tensor], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(int(s.numel()) for s in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for r, s in enumerate(seqs):
        ids[r, : s.numel()] = s
        mask[r, : s.numel()] = 1
    return ids, mask


def _as_items(examples: Examples) -> list[tuple[str, torch.Tensor]]:
    items = examples.items() if isinstance(examples, Mapping) else examples
    out = []
    for ex_id, toks in items:
        if isinstance(toks, (bytes, bytearray)):  # byte-level models: the bytes are the token ids
            toks = list(toks)
        elif isinstance(toks, str):
            raise TypeError(f"example {ex_id!r} is text: pass tokenizer= (a Hugging Face tokenizer) or token ids")
        t = torch.as_tensor(np.asarray(toks) if not isinstance(toks, torch.Tensor) else toks).long().flatten()
        if t.numel() < 2:
            raise ValueError(f"example {ex_id!r}: needs at least 2 tokens (1 context + 1 predicted), has {t.numel()}")
        out.append((str(ex_id), t))
    return out


def tokenize_examples(
    tokenizer: Any,
    texts: Union[Mapping[str, str], Iterable[tuple[str, str]]],
    *,
    add_bos: Optional[bool] = None,
    add_eos: bool = False,
    max_length: Optional[int] = None,
) -> dict[str, list[int]]:
    """Token ids of each text with a Hugging Face tokenizer, as ``{example id: ids}`` for :func:`compute_nll`.

    The first token is context, never predicted, so a BOS token decides whether the first word is scored:
    ``add_bos=None`` keeps what the tokenizer does (Llama-style tokenizers prepend BOS, GPT-2's does not);
    ``True`` makes every sequence start with ``tokenizer.bos_token_id`` (prepended when absent);
    ``False`` drops a leading BOS. ``add_eos=True`` appends ``eos_token_id`` (scores the end of the text).
    ``max_length`` truncates after BOS/EOS handling. The tokenizer's ``padding_side`` does not matter:
    :func:`compute_nll` pads on the right itself and masks the padding.
    """
    items = texts.items() if isinstance(texts, Mapping) else texts
    bos, eos = getattr(tokenizer, "bos_token_id", None), getattr(tokenizer, "eos_token_id", None)
    if add_bos and bos is None:
        raise ValueError("add_bos=True but the tokenizer has no bos_token_id")
    if add_eos and eos is None:
        raise ValueError("add_eos=True but the tokenizer has no eos_token_id")
    out: dict[str, list[int]] = {}
    for ex_id, text in items:
        ids = list(tokenizer(text, add_special_tokens=True)["input_ids"])
        if add_bos is True and (not ids or ids[0] != bos):
            ids = [bos, *ids]
        elif add_bos is False and ids and bos is not None and ids[0] == bos:
            ids = ids[1:]
        if add_eos and (not ids or ids[-1] != eos):
            ids.append(eos)
        if max_length is not None:
            ids = ids[:max_length]
        out[str(ex_id)] = ids
    return out


def pad_id_of(tokenizer: Any) -> int:
    """The id to pad with: the tokenizer's pad token, else its EOS, else 0 (padding is masked either way)."""
    for attr in ("pad_token_id", "eos_token_id"):
        v = getattr(tokenizer, attr, None)
        if v is not None:
            return int(v)
    return 0


def _tokenize_texts(tokenizer: Any, examples: Any) -> Any:
    pairs = list(examples.items() if isinstance(examples, Mapping) else examples)
    texts = [(i, t) for i, t in pairs if isinstance(t, str)]
    if not texts:
        return pairs
    ids = tokenize_examples(tokenizer, texts)
    return [(i, ids[str(i)] if isinstance(t, str) else t) for i, t in pairs]


def _rank_world() -> tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


class NllTruncationWarning(UserWarning):
    """Some examples were longer than ``max_length`` and were scored on their first ``max_length`` tokens."""


def model_context_length(model: Any) -> Optional[int]:
    """The longest input ``model`` takes, from its Hugging Face config (``max_position_embeddings``,
    ``n_positions``, ``n_ctx``, ``max_seq_len`` or ``seq_length``, in that order), or ``None`` when the
    model does not say (then no limit applies unless ``max_length`` is given)."""
    config = getattr(model, "config", None)
    for attr in ("max_position_embeddings", "n_positions", "n_ctx", "max_seq_len", "seq_length"):
        v = getattr(config, attr, None) if config is not None else None
        if isinstance(v, int) and not isinstance(v, bool) and v > 0:
            return v
    return None


def _vocab_size(model: Any) -> Optional[int]:
    v = getattr(getattr(model, "config", None), "vocab_size", None)
    return v if isinstance(v, int) and not isinstance(v, bool) and v > 0 else None


def _resolve_max_length(model: Any, max_length: Optional[int]) -> Optional[int]:
    if max_length is None:
        return model_context_length(model)
    if isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer)) or max_length < 2:
        raise ValueError(f"max_length must be an integer >= 2 (1 context + 1 predicted token), got {max_length!r}")
    return int(max_length)


def _truncate(items: list[tuple[str, torch.Tensor]], max_length: Optional[int]) -> tuple[list[tuple[str, torch.Tensor]], list[str]]:
    if max_length is None:
        return items, []
    cut = [i for i, t in items if t.numel() > max_length]
    if not cut:
        return items, []
    return [(i, t[:max_length]) for i, t in items], cut


def _check_token_range(items: list[tuple[str, torch.Tensor]], vocab: Optional[int]) -> None:
    for ex_id, t in items:
        lo = int(t.min())
        if lo < 0:
            raise ValueError(f"example {ex_id!r}: token id {lo} is negative")
        if vocab is not None:
            hi = int(t.max())
            if hi >= vocab:
                raise ValueError(f"example {ex_id!r}: token id {hi} is outside the model's vocabulary of {vocab}")


def _progress_callback(progress: Union[bool, Callable[[int, int], None], None], label: str) -> tuple[Optional[Callable[[int, int], None]], Callable[[], None]]:
    """A ``(done, total)`` callback and a closer: ``True`` shows a tqdm bar (a line on stderr every 10 %
    without tqdm), a callable is used as it is, ``False``/``None`` shows nothing."""
    if progress is None or progress is False:
        return None, lambda: None
    if callable(progress):
        return progress, lambda: None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        last = [-1]

        def line(done: int, total: int) -> None:
            tenth = (10 * done) // max(1, total)
            if tenth != last[0] or done == total:
                last[0] = tenth
                print(f"{label} {done}/{total}", file=sys.stderr, flush=True)

        return line, lambda: None
    bar: list[Any] = []

    def update(done: int, total: int) -> None:
        if not bar:
            bar.append(tqdm(total=total, desc=label, unit="ex"))
        bar[0].update(done - bar[0].n)

    return update, lambda: bar[0].close() if bar else None


class NllStats:
    """What :func:`compute_nll` did besides scoring, filled in when passed as ``stats=``: ``truncated``,
    the ids of the examples cut to ``max_length`` tokens (on this rank's shard, gathered on all ranks),
    and ``max_length``, the limit that applied (``None``: none)."""

    def __init__(self) -> None:
        self.truncated: list[str] = []
        self.max_length: Optional[int] = None


def compute_nll(
    model: torch.nn.Module,
    examples: Examples,
    *,
    batch_size: int = 32,
    device: Optional[Union[str, torch.device]] = None,
    dtype: Optional[torch.dtype] = None,
    pad_id: Optional[int] = None,
    progress: Union[bool, Callable[[int, int], None], None] = None,
    tokenizer: Any = None,
    max_length: Optional[int] = None,
    stats: Optional[NllStats] = None,
) -> dict[str, float]:
    """Token-mean NLL (nats per token) of every example, as ``{example id: nll}``.

    With a Hugging Face ``tokenizer``, examples may be texts (``{id: str}``), tokenised by
    :func:`tokenize_examples` (the tokenizer's own BOS/EOS behaviour; call it yourself to choose), and
    padding uses the tokenizer's pad (or EOS) id; ``pad_id`` defaults to that, else 0.

    ``examples``: ``{id: token ids}`` or an iterable of ``(id, token ids)``; token ids are a list, a
    tensor, an array, or ``bytes`` (a byte-level model's ids). ``dtype``: ``torch.bfloat16``
    or ``torch.float16`` runs the forward pass under autocast (log-softmax stays float32); ``None`` or
    ``torch.float32`` runs as the model is. Under an initialised process group, each rank scores
    ``examples[rank::world]`` and all ranks return the gathered whole.

    ``max_length``: an example longer than this is scored on its first ``max_length`` tokens; the
    default is the model's context length (:func:`model_context_length`; no limit when the model does
    not say). Truncation is never silent: a :class:`NllTruncationWarning` gives the count, and
    ``stats`` (an :class:`NllStats`) receives the ids. A model that still fails on a long batch gives a
    ``ValueError`` naming the length, not a bare ``IndexError``. Token ids must be ≥ 0 and, when the
    model's config states ``vocab_size``, below it (``ValueError`` naming the example).

    ``progress``: ``True`` shows a progress bar (tqdm when installed, else lines on stderr), or a
    callback ``(done, total)``; on rank 0 only under ``torch.distributed``.

    >>> compute_nll(model, {"a": [5, 7, 9]})  # doctest: +SKIP
    {'a': 2.31}
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if tokenizer is not None:
        examples = _tokenize_texts(tokenizer, examples)
        if pad_id is None:
            pad_id = pad_id_of(tokenizer)
    if pad_id is None:
        pad_id = 0
    limit = _resolve_max_length(model, max_length)
    items, cut = _truncate(_as_items(examples), limit)
    _check_token_range(items, _vocab_size(model))
    rank, world = _rank_world()
    shard = items[rank::world]
    if device is None:
        try:
            device = next(model.parameters()).device
        except StopIteration:
            device = torch.device("cpu")
    device = torch.device(device)
    # Sorting by length keeps padding small; results are keyed by id, so order does not matter.
    shard.sort(key=lambda it: it[1].numel())
    was_training = model.training
    model.eval()
    local: dict[str, float] = {}
    use_autocast = dtype in (torch.bfloat16, torch.float16)
    report, close = _progress_callback(progress if rank == 0 else None, "nll")
    try:
        with torch.inference_mode():
            for start in range(0, len(shard), batch_size):
                chunk = shard[start : start + batch_size]
                ids, mask = _pad_right([t for _, t in chunk], pad_id)
                ids, mask = ids.to(device), mask.to(device)
                try:
                    if use_autocast:
                        with torch.autocast(device_type=device.type, dtype=dtype):
                            logits = forward_logits(model, ids, mask)
                    else:
                        logits = forward_logits(model, ids, mask)
                except IndexError as e:
                    longest = max(chunk, key=lambda it: it[1].numel())
                    raise ValueError(
                        f"the model failed on a batch whose longest example {longest[0]!r} has {longest[1].numel()} tokens "
                        f"(IndexError: {e}); if that is beyond the model's context, pass max_length="
                    ) from e
                values = sequence_nll(logits, ids, mask).cpu().tolist()
                for (ex_id, _), v in zip(chunk, values):
                    local[ex_id] = float(v)
                if report is not None:
                    report(min(start + batch_size, len(shard)), len(shard))
    finally:
        close()
        model.train(was_training)
    if cut and rank == 0:
        warnings.warn(
            f"{len(cut)} of {len(items)} examples are longer than max_length={limit} tokens and were scored on their "
            f"first {limit} tokens (e.g. {cut[:3]})",
            NllTruncationWarning,
            stacklevel=2,
        )
    if stats is not None:
        stats.truncated = list(cut)
        stats.max_length = limit
    if world == 1:
        return local
    gathered: list[Any] = [None] * world
    dist.all_gather_object(gathered, local)
    merged: dict[str, float] = {}
    for part in gathered:
        merged.update(part)
    return merged


_LONG_SCHEMA = pa.schema([("task", pa.string()), ("example", pa.string()), ("nll_before", pa.float64()), ("nll_after", pa.float64())])


def _existing_rows(out: Path) -> Optional[pa.Table]:
    """The table at ``out`` (all its columns), checked for what :func:`collect` relies on: the long
    columns, non-empty ids, numeric NLLs, no (task, example) pair twice. ``None`` when ``out`` is absent."""
    if not out.exists():
        return None
    try:  # in CSV, metadata columns stay text ("2019" is a source, not a number)
        table = read_table(out, csv_text=lambda name: name not in ("nll_before", "nll_after") and not is_embedding_key(name))
    except (pa.ArrowException, OSError) as e:
        if isinstance(e, FileNotFoundError):
            return None
        raise TableError(out, f"cannot read the existing table: {type(e).__name__}: {e}") from e
    missing = [c for c in LONG_COLUMNS if c not in table.column_names]
    if missing:
        raise TableError(out, f"cannot append, the table lacks columns {missing} (has {table.column_names})")
    if len(set(table.column_names)) != len(table.column_names):
        raise TableError(out, f"a column name appears twice ({table.column_names})")
    for name in ("task", "example"):
        col = table.column(name)
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            raise TableError(out, f"ids must be strings, the column has type {col.type}", column=name)
        for r, v in enumerate(col.to_pylist()):
            if v is None or v == "":
                raise TableError(out, "the id is empty", row=r + 1, column=name)
    for name in ("nll_before", "nll_after"):
        t = table.column(name).type
        if not (pa.types.is_floating(t) or pa.types.is_integer(t) or pa.types.is_null(t)):
            raise TableError(out, f"NLLs must be numbers, the column has type {t}", column=name)
    seen: dict[tuple[str, str], int] = {}
    for r, key in enumerate(zip(table.column("task").to_pylist(), table.column("example").to_pylist())):
        if key in seen:
            raise TableError(out, f"task {key[0]!r}, example {key[1]!r} appears twice, in rows {seen[key] + 1} and {r + 1}", row=r + 1)
        seen[key] = r
    for name, typ in zip(_LONG_SCHEMA.names, _LONG_SCHEMA.types):
        i = table.column_names.index(name)
        table = table.set_column(i, name, table.column(name).cast(typ))
    # metadata in the types new rows carry: embeddings as float64 (a CSV of whole numbers reads as int64,
    # a table written elsewhere may hold float32), text as string (polars writes large_string); appending
    # to another type would not unify
    for i, name in enumerate(table.column_names):
        t = table.column(i).type
        if is_embedding_key(name) and (pa.types.is_floating(t) or pa.types.is_integer(t)):
            table = table.set_column(i, name, table.column(i).cast(pa.float64()))
        elif pa.types.is_large_string(t):
            table = table.set_column(i, name, table.column(i).cast(pa.string()))
    return table


def _done(existing: Optional[pa.Table], task: str) -> set[str]:
    if existing is None:
        return set()
    return {e for t, e in zip(existing.column("task").to_pylist(), existing.column("example").to_pylist()) if t == task}


def _load_nll_mapping(source: PathLike) -> dict[str, float]:
    table = read_table(source)
    if "example" not in table.column_names or "nll" not in table.column_names:
        raise TableError(source, f"a base-NLL table needs columns example, nll (has {table.column_names})")
    out: dict[str, float] = {}
    for r, (e, v) in enumerate(zip(table.column("example").to_pylist(), table.column("nll").to_pylist())):
        if e is None or e == "":
            raise TableError(source, "the example id is empty", row=r + 1, column="example")
        if e in out:
            raise TableError(source, f"example {e!r} appears twice", row=r + 1, column="example")
        out[str(e)] = v
    return out


def _finite_value(where: str, ex_id: str, v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"{where} of example {ex_id!r} is {v!r}, not a number") from None
    if not math.isfinite(f):
        raise ValueError(f"{where} of example {ex_id!r} is {f}: a missing or failed measurement is not written as a value")
    return f


def collect(
    out: PathLike,
    task: str,
    model: torch.nn.Module,
    examples: Examples,
    *,
    base: Union[torch.nn.Module, Mapping[str, float], PathLike],
    batch_size: int = 32,
    device: Optional[Union[str, torch.device]] = None,
    dtype: Optional[torch.dtype] = None,
    pad_id: Optional[int] = None,
    tokenizer: Any = None,
    max_length: Optional[int] = None,
    progress: Union[bool, Callable[[int, int], None], None] = None,
    example_meta: Optional[Mapping[str, Mapping[str, Union[str, float, None]]]] = None,
) -> dict[str, int]:
    """Measures the fine-tuned ``model`` (after training on ``task``) on ``examples`` and appends the rows
    ``task, example, nll_before, nll_after`` to the long table ``out`` (``.parquet``, ``.arrow`` or
    ``.csv``; written atomically by rank 0). Resumable: examples already in ``out`` for this task are
    skipped. ``base`` is the base model's NLL: a model (scored on the missing examples), a mapping
    ``{id: nll}``, or a table file with columns ``example, nll``. Returns ``{"written": k, "skipped": s,
    "truncated": t}`` (``t``: examples scored on their first ``max_length`` tokens, see
    :func:`compute_nll`).

    Several collectors may append to one table at once (processes, or jobs on a shared POSIX file
    system with working ``flock``): the read–append–write runs under an advisory lock on
    ``<out>.lock`` (:func:`forgetscope.atomic.file_lock`), and rows another collector wrote meanwhile are
    kept; a (task, example) pair both measured is written once and counted only by the first writer.
    Columns of ``out`` besides the four are kept (empty in the new rows).

    Checked before anything is measured: ``task`` is a non-empty string, example ids are unique, the
    existing table is readable with the four columns, non-empty ids and no pair twice
    (:class:`~forgetscope.tables.TableError` naming file, row and column). A base or fine-tuned NLL that
    is not a finite number raises ``ValueError``: nothing is written for it.

    ``tokenizer``: a Hugging Face tokenizer when ``examples`` are texts; ``max_length`` and ``progress``
    as in :func:`compute_nll` (the default limit is the smaller context of ``model`` and a ``base``
    model, so both score the same tokens).

    ``example_meta``: ``{example id: {"source": …, "text": …}}``, written as string columns on the rows
    this call adds (an example without a key gets an empty value). The engine reads a column with one
    value per example as example metadata, and lowrank's example effects use ``source`` and ``text``
    (better plans: docs/replay.md); giving them for one task's rows is enough. Keys may not be one of
    the four long columns; values are strings or ``None``, except under example embedding keys
    ``embedding.<i>`` (:func:`~forgetscope.side.embedding_meta`), which take finite numbers or ``None``
    and are written as float64 columns (the engine reads them as example covariates).

    >>> collect("forgetting.parquet", "my-task", tuned, upstream, base=base_nll)  # doctest: +SKIP
    """
    out = Path(out)
    table_format(out)
    if not isinstance(task, str) or task == "":
        raise ValueError(f"task must be a non-empty string, got {task!r}")
    if tokenizer is not None:
        examples = _tokenize_texts(tokenizer, examples)
        if pad_id is None:
            pad_id = pad_id_of(tokenizer)
    items = _as_items(examples)
    meta_columns = _meta_columns(example_meta)
    seen: set[str] = set()
    for ex_id, _ in items:
        if ex_id == "":
            raise ValueError("an example id is empty")
        if ex_id in seen:
            raise ValueError(f"example {ex_id!r} is given twice")
        seen.add(ex_id)
    existing = _existing_rows(out)
    for c in meta_columns:  # a column of another type could not take the values written
        if existing is not None and c in existing.column_names:
            t = existing.column(c).type
            if is_embedding_key(c):
                if not (pa.types.is_floating(t) or pa.types.is_integer(t) or pa.types.is_null(t)):
                    raise TableError(out, f"holds {t}; an example embedding is written as float64", column=c)
            elif not (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t)):
                raise TableError(out, f"holds {t}; example metadata is written as strings", column=c)
    done = _done(existing, task)
    todo = [(i, t) for i, t in items if i not in done]
    rank, world = _rank_world()
    written = 0
    truncated = 0
    if todo:
        stats = NllStats()
        if max_length is None:  # one limit for both models, so before and after score the same tokens
            known = [c for c in (model_context_length(model), model_context_length(base)) if c is not None]
            max_length = min(known) if known else None
        opts = dict(batch_size=batch_size, device=device, dtype=dtype, pad_id=pad_id, max_length=max_length)
        after = compute_nll(model, todo, progress=progress, stats=stats, **opts)
        truncated = len(stats.truncated)
        before: Mapping[str, float]
        if isinstance(base, torch.nn.Module):
            with warnings.catch_warnings():  # the same examples, already reported for the fine-tuned model
                warnings.simplefilter("ignore", NllTruncationWarning)
                before = compute_nll(base, todo, **opts)
        elif isinstance(base, Mapping):
            before = base
        else:
            before = _load_nll_mapping(base)
        ids = [i for i, _ in todo]
        missing = [i for i in ids if i not in before]
        if missing:
            raise KeyError(f"no base NLL for {len(missing)} examples, e.g. {missing[:3]}")
        values = {i: (_finite_value("base NLL", i, before[i]), _finite_value("NLL after fine-tuning", i, after[i])) for i in ids}
        if rank == 0:
            with file_lock(out):
                current = _existing_rows(out)  # another collector may have appended meanwhile
                now_done = _done(current, task)
                keep = [i for i in ids if i not in now_done]
                if keep:
                    new = pa.table(
                        {
                            "task": pa.array([task] * len(keep), pa.string()),
                            "example": pa.array(keep, pa.string()),
                            "nll_before": pa.array([values[i][0] for i in keep], pa.float64()),
                            "nll_after": pa.array([values[i][1] for i in keep], pa.float64()),
                            **{
                                c: pa.array(
                                    [(example_meta or {}).get(i, {}).get(c) for i in keep],
                                    pa.float64() if is_embedding_key(c) else pa.string(),
                                )
                                for c in meta_columns
                            },
                        }
                    )
                    whole = new if current is None else pa.concat_tables([current, new], promote_options="default")
                    write_table(out, whole)
            written = len(keep)
    if world > 1:
        box = [written]
        dist.broadcast_object_list(box, src=0)
        written = int(box[0])
        dist.barrier()
    return {"written": written, "skipped": len(items) - len(todo), "truncated": truncated}


def _meta_columns(example_meta: Optional[Mapping[str, Mapping[str, Union[str, float, None]]]]) -> list[str]:
    """The metadata columns :func:`collect` writes (sorted), checked: no long column; string values, or
    finite numbers under embedding keys."""
    if example_meta is None:
        return []
    if not isinstance(example_meta, Mapping):
        raise TypeError(f"example_meta must map example ids to {{column: value}}, got {type(example_meta).__name__}")
    names: set[str] = set()
    for ex_id, meta in example_meta.items():
        if not isinstance(meta, Mapping):
            raise TypeError(f"example_meta[{ex_id!r}] must be a mapping of column to value, got {type(meta).__name__}")
        for key, value in meta.items():
            if not isinstance(key, str) or key == "" or key in LONG_COLUMNS:
                raise ValueError(f"example_meta[{ex_id!r}]: {key!r} cannot be a metadata column (not one of {list(LONG_COLUMNS)}, non-empty)")
            if value is None:
                pass
            elif is_embedding_key(key):
                if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
                    raise TypeError(f"example_meta[{ex_id!r}][{key!r}] is an embedding coordinate: a number or None, got {type(value).__name__}")
                if not math.isfinite(float(value)):
                    raise ValueError(f"example_meta[{ex_id!r}][{key!r}] is {value!r}, not a finite number (give None for a missing value)")
            elif not isinstance(value, str):
                raise TypeError(
                    f"example_meta[{ex_id!r}][{key!r}] must be a string or None, got {type(value).__name__} "
                    "(numbers are taken only under embedding keys embedding.<i>)"
                )
            names.add(key)
    return sorted(names)


def save_nll(path: PathLike, nll: Mapping[str, float]) -> None:
    """Writes ``{example id: nll}`` as a table with columns ``example, nll`` (for ``collect(base=path)``)."""
    ids = list(nll)
    write_table(path, pa.table({"example": pa.array(ids, pa.string()), "nll": pa.array([float(nll[i]) for i in ids], pa.float64())}))
