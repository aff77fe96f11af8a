"""Teacher-forced per-token log-probs and a token class's log-mass (``forgetscope recipes --tokens``)."""

from __future__ import annotations

import re
from typing import Mapping, Optional, Sequence, Union

import torch
from torch import nn

from .collect import forward_logits
from .tensors import PathLike, save_tensors

_NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                 "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
                 "thousand million billion").split()
_WORDS = set(_NUMBER_WORDS) | {w.capitalize() for w in _NUMBER_WORDS}


def is_number_token(text: str) -> bool:
    """seed-000's number-token rule (same as forgetscope's ``isNumberToken``)."""
    t = re.sub(r"[\s\u2581\u0120]", "", text)
    if not t:
        return False
    return bool(re.fullmatch(r"\d+", t) or re.fullmatch(r"\d+(st|nd|rd|th)", t) or re.fullmatch(r"\d*\.\d+|\d+\.\d*", t)
                or re.fullmatch(r"\d+,\d+", t) or t in _WORDS)


def number_token_ids(vocab: Mapping[str, int]) -> list[int]:
    """Ids of the vocabulary's number tokens (ascending), e.g. from ``tokenizer.get_vocab()``."""
    return sorted(i for s, i in vocab.items() if is_number_token(s))


@torch.no_grad()
def token_logprobs(model: nn.Module, sequences: Sequence[torch.Tensor], class_ids: Optional[Sequence[int]] = None,
                   batch_size: int = 8, device: Optional[Union[str, torch.device]] = None) -> dict[str, torch.Tensor]:
    """Teacher-forced chosen-token log-probs of 1-D token sequences: ``logp`` f32 [T] (T = Σ(len−1)),
    ``offsets`` i32 [N+1], and when ``class_ids`` is given ``num_logmass`` f32 [T] = logsumexp over the
    class of log_softmax(z). Full-vocabulary logits never leave torch."""
    model.eval()
    dev = torch.device(device) if device is not None else next(model.parameters()).device
    cls = torch.tensor(list(class_ids), dtype=torch.long, device=dev) if class_ids is not None else None
    logps: list[torch.Tensor] = []
    masses: list[torch.Tensor] = []
    lengths: list[int] = []
    for start in range(0, len(sequences), batch_size):
        chunk = [s.to(dev).long() for s in sequences[start:start + batch_size]]
        width = max(len(s) for s in chunk)
        ids = torch.zeros(len(chunk), width, dtype=torch.long, device=dev)
        mask = torch.zeros(len(chunk), width, dtype=torch.long, device=dev)
        for i, s in enumerate(chunk):
            ids[i, :len(s)] = s
            mask[i, :len(s)] = 1
        logits = forward_logits(model, ids, mask)
        lsm = torch.log_softmax(logits[:, :-1].float(), dim=-1)
        for i, s in enumerate(chunk):
            n = len(s) - 1
            lengths.append(max(n, 0))
            if n <= 0:
                continue
            row = lsm[i, :n]
            logps.append(row.gather(-1, s[1:].unsqueeze(-1)).squeeze(-1).cpu())
            if cls is not None:
                masses.append(torch.logsumexp(row[:, cls], dim=-1).cpu())
    offsets = torch.zeros(len(lengths) + 1, dtype=torch.int32)
    offsets[1:] = torch.cumsum(torch.tensor(lengths, dtype=torch.int64), 0).to(torch.int32)
    out = {"logp": torch.cat(logps).float() if logps else torch.zeros(0), "offsets": offsets}
    if cls is not None:
        out["num_logmass"] = torch.cat(masses).float() if masses else torch.zeros(0)
    return out


def export_token_logprobs(model: nn.Module, sequences: Sequence[torch.Tensor], path: PathLike,
                          class_ids: Optional[Sequence[int]] = None, batch_size: int = 8) -> dict[str, torch.Tensor]:
    """:func:`token_logprobs` written to ``path`` (``tokens_<ckpt>.safetensors``)."""
    out = token_logprobs(model, sequences, class_ids, batch_size)
    save_tensors(path, out, {"format": "pt", "kind": "tokens", "mode": "teacher-forced"})
    return out
