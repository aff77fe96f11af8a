"""The subword side of the benchmark: a byte-level BPE tokenizer trained locally with the ``tokenizers``
library on the benchmark's own pretraining text (no hub, no downloads), and token windows that start at a
line start, like the byte windows of :func:`forgetscope.bench_replay.corpus.windows`.

BPE training has no random step: the same text and vocabulary size give the same tokenizer (checked
across processes by the tests); the text itself is chosen by seeded code."""

from __future__ import annotations

import random

import numpy as np

#: The one special token (end of text); id 0.
EOS = "<|endoftext|>"


def text_of(blob: bytes) -> str:
    """A source blob as text (UTF-8, undecodable bytes replaced)."""
    return blob.decode("utf-8", errors="replace")


def train_bpe(blobs: list[bytes], vocab_size: int, min_frequency: int = 2):
    """A byte-level BPE ``tokenizers.Tokenizer`` with at most ``vocab_size`` entries (256 byte symbols, the
    EOS token and merges), trained on ``blobs`` in the order given."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    if vocab_size < 258:
        raise ValueError(f"tokenizer vocab must be at least 258 (256 bytes, EOS, one merge), got {vocab_size}")
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=[EOS],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator([text_of(b) for b in blobs], trainer=trainer)
    return tok


def encode(tok, blob: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Token ids of ``blob`` (int64) and the indices of the tokens that begin a line: for every line start,
    the first token that starts at or after it."""
    text = text_of(blob)
    enc = tok.encode(text, add_special_tokens=False)
    ids = np.asarray(enc.ids, dtype=np.int64)
    starts = np.asarray([s for s, _ in enc.offsets], dtype=np.int64)
    line_starts = np.asarray([i + 1 for i, c in enumerate(text) if c == "\n"], dtype=np.int64)
    first = np.unique(np.searchsorted(starts, line_starts, side="left"))
    return ids, first[first < len(ids)]


def token_windows(ids: np.ndarray, line_tokens: np.ndarray, count: int, rng: random.Random, width: int) -> list[list[int]]:
    """``count`` windows of ``width`` tokens starting at a line's first token (anywhere if the text has too
    few lines), drawn with ``rng`` as the byte windows are."""
    starts = [int(s) for s in line_tokens if s + width <= len(ids)]
    if len(starts) < count:
        starts = list(range(0, len(ids) - width))
    picked = rng.sample(starts, min(count, len(starts)))
    return [ids[s : s + width].tolist() for s in picked]
