"""Per-example token-mean negative log-likelihood of a causal LM, and the long forgetting table.

The loss of one example is the mean over its predicted tokens (every token after the first) of
``-log p(token | previous tokens)`` in natural log — the spec's "log-perplexity". Batches are right-padded
and masked, so padding never changes a result; log-softmax runs in float32 even when the model runs in
bfloat16. Under ``torch.distributed`` (gloo or NCCL; e.g. launched by ``torchrun``) every rank scores
its shard ``examples[rank::world_size]`` and the results are gathered on every rank.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np
import pyarrow as pa
import torch
import torch.distributed as dist

from .tables import PathLike, read_table, write_table

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


def compute_nll(
    model: torch.nn.Module,
    examples: Examples,
    *,
    batch_size: int = 32,
    device: Optional[Union[str, torch.device]] = None,
    dtype: Optional[torch.dtype] = None,
    pad_id: Optional[int] = None,
    progress: Optional[Callable[[int, int], None]] = None,
    tokenizer: Any = None,
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

    >>> compute_nll(model, {"a": [5, 7, 9]})  # doctest: +SKIP
    {'a': 2.31}
    """
    if tokenizer is not None:
        examples = _tokenize_texts(tokenizer, examples)
        if pad_id is None:
            pad_id = pad_id_of(tokenizer)
    if pad_id is None:
        pad_id = 0
    items = _as_items(examples)
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
    try:
        with torch.inference_mode():
            for start in range(0, len(shard), batch_size):
                chunk = shard[start : start + batch_size]
                ids, mask = _pad_right([t for _, t in chunk], pad_id)
                ids, mask = ids.to(device), mask.to(device)
                if use_autocast:
                    with torch.autocast(device_type=device.type, dtype=dtype):
                        logits = forward_logits(model, ids, mask)
                else:
                    logits = forward_logits(model, ids, mask)
                values = sequence_nll(logits, ids, mask).cpu().tolist()
                for (ex_id, _), v in zip(chunk, values):
                    local[ex_id] = float(v)
                if progress is not None:
                    progress(min(start + batch_size, len(shard)), len(shard))
    finally:
        model.train(was_training)
    if world == 1:
        return local
    gathered: list[Any] = [None] * world
    dist.all_gather_object(gathered, local)
    merged: dict[str, float] = {}
    for part in gathered:
        merged.update(part)
    return merged


def _existing_rows(out: Path) -> Optional[pa.Table]:
    if not out.exists():
        return None
    table = read_table(out)
    missing = [c for c in LONG_COLUMNS if c not in table.column_names]
    if missing:
        raise ValueError(f"{out}: cannot resume, the table lacks columns {missing}")
    return table.select(list(LONG_COLUMNS)).cast(
        pa.schema([("task", pa.string()), ("example", pa.string()), ("nll_before", pa.float64()), ("nll_after", pa.float64())])
    )


def _load_nll_mapping(source: PathLike) -> dict[str, float]:
    table = read_table(source)
    if "example" not in table.column_names or "nll" not in table.column_names:
        raise ValueError(f"{source}: a base-NLL table needs columns example, nll")
    return dict(zip(table.column("example").to_pylist(), table.column("nll").to_pylist()))


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
) -> dict[str, int]:
    """Measures the fine-tuned ``model`` (after training on ``task``) on ``examples`` and appends the rows
    ``task, example, nll_before, nll_after`` to the long table ``out`` (``.parquet``, ``.arrow`` or
    ``.csv``; written atomically by rank 0). Resumable: examples already in ``out`` for this task are
    skipped. ``base`` is the base model's NLL: a model (scored on the missing examples), a mapping
    ``{id: nll}``, or a table file with columns ``example, nll``. Returns ``{"written": k, "skipped": s}``.

    ``tokenizer``: a Hugging Face tokenizer when ``examples`` are texts (see :func:`compute_nll`).

    >>> collect("forgetting.parquet", "my-task", tuned, upstream, base=base_nll)  # doctest: +SKIP
    """
    out = Path(out)
    if tokenizer is not None:
        examples = _tokenize_texts(tokenizer, examples)
        if pad_id is None:
            pad_id = pad_id_of(tokenizer)
    items = _as_items(examples)
    existing = _existing_rows(out)
    done: set[str] = set()
    if existing is not None:
        tasks = existing.column("task").to_pylist()
        exs = existing.column("example").to_pylist()
        done = {e for t, e in zip(tasks, exs) if t == task}
    todo = [(i, t) for i, t in items if i not in done]
    rank, world = _rank_world()
    written = 0
    if todo:
        after = compute_nll(model, todo, batch_size=batch_size, device=device, dtype=dtype, pad_id=pad_id)
        before: Mapping[str, float]
        if isinstance(base, torch.nn.Module):
            before = compute_nll(base, todo, batch_size=batch_size, device=device, dtype=dtype, pad_id=pad_id)
        elif isinstance(base, Mapping):
            before = base
        else:
            before = _load_nll_mapping(base)
        ids = [i for i, _ in todo]
        missing = [i for i in ids if i not in before]
        if missing:
            raise KeyError(f"no base NLL for {len(missing)} examples, e.g. {missing[:3]}")
        new = pa.table(
            {
                "task": pa.array([task] * len(ids), pa.string()),
                "example": pa.array(ids, pa.string()),
                "nll_before": pa.array([float(before[i]) for i in ids], pa.float64()),
                "nll_after": pa.array([after[i] for i in ids], pa.float64()),
            }
        )
        if rank == 0:
            write_table(out, new if existing is None else pa.concat_tables([existing, new]))
        written = len(ids)
    if world > 1:
        dist.barrier()
    return {"written": written, "skipped": len(items) - len(todo)}


def save_nll(path: PathLike, nll: Mapping[str, float]) -> None:
    """Writes ``{example id: nll}`` as a table with columns ``example, nll`` (for ``collect(base=path)``)."""
    ids = list(nll)
    write_table(path, pa.table({"example": pa.array(ids, pa.string()), "nll": pa.array([float(nll[i]) for i in ids], pa.float64())}))
