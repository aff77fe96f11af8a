"""Model adapters of the closed-loop replay benchmark: a tiny byte-level GPT written here, a Hugging Face
``transformers`` GPT-2 built from a config (no hub; both read byte windows, vocabulary 256), and a
``transformers`` Llama built from a config that reads token windows of the locally trained BPE tokenizer
(``forgetscope.bench_replay.tokenizer``). All return logits from ``forward(input_ids)``, so training, the
harness (``forgetscope.collect``) and the gradient side rows share one code path. A new adapter is a
function ``(options) -> nn.Module`` in :data:`ADAPTERS`."""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import nn


class Block(nn.Module):
    """Pre-norm transformer block (causal self-attention + GELU MLP)."""

    def __init__(self, width: int, heads: int, mlp: int):
        super().__init__()
        self.ln1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.ln2 = nn.LayerNorm(width)
        self.up = nn.Linear(width, mlp)
        self.down = nn.Linear(mlp, width)
        self.heads = heads

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=-1)
        shape = (b, t, self.heads, c // self.heads)
        q, k, v = (z.view(shape).transpose(1, 2) for z in (q, k, v))
        a = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(a.transpose(1, 2).reshape(b, t, c))
        return x + self.down(torch.nn.functional.gelu(self.up(self.ln2(x))))


class ByteGPT(nn.Module):
    """A tiny byte-level causal transformer (vocabulary 256): ``forward(input_ids) -> logits``."""

    def __init__(self, layers: int = 2, width: int = 96, heads: int = 4, mlp: int = 384, context: int = 64, seed: int = 0):
        super().__init__()
        torch.manual_seed(seed)
        self.tok = nn.Embedding(256, width)
        self.pos = nn.Embedding(context, width)
        self.blocks = nn.ModuleList(Block(width, heads, mlp) for _ in range(layers))
        self.ln = nn.LayerNorm(width)
        self.head = nn.Linear(width, 256, bias=False)
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)
        for blk in self.blocks:
            nn.init.normal_(blk.down.weight, std=0.02 / math.sqrt(2 * layers))

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        t = input_ids.shape[1]
        x = self.tok(input_ids) + self.pos(torch.arange(t, device=input_ids.device))
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.ln(x))


class HFLogits(nn.Module):
    """A Hugging Face causal LM seen as ``forward(input_ids) -> logits``."""

    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.inner(input_ids=input_ids).logits


def byte_gpt(options: dict) -> nn.Module:
    """The tiny byte-level GPT; options: layers, width, heads, context, seed."""
    width = int(options.get("width", 64))
    return ByteGPT(layers=int(options.get("layers", 2)), width=width, heads=int(options.get("heads", 4)), mlp=4 * width,
                   context=int(options.get("context", 64)), seed=int(options.get("seed", 0)))


def hf_gpt2(options: dict) -> nn.Module:
    """``transformers.GPT2LMHeadModel`` from a ``GPT2Config`` (byte vocabulary 256, no dropout, tied
    embeddings); options: layers, width, heads, context, seed."""
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(int(options.get("seed", 0)))
    cfg = GPT2Config(vocab_size=256, n_positions=int(options.get("context", 64)), n_embd=int(options.get("width", 64)),
                     n_layer=int(options.get("layers", 2)), n_head=int(options.get("heads", 4)), resid_pdrop=0.0,
                     embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=0, eos_token_id=0)
    return HFLogits(GPT2LMHeadModel(cfg))


def hf_llama(options: dict) -> nn.Module:
    """``transformers.LlamaForCausalLM`` from a ``LlamaConfig`` (vocabulary ``vocab``: the BPE tokenizer's
    size, 256 for bytes; tied embeddings, no dropout, no KV cache); options: vocab, layers, width, heads,
    mlp (default 4 · width), context, seed."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(int(options.get("seed", 0)))
    width, heads = int(options.get("width", 64)), int(options.get("heads", 4))
    cfg = LlamaConfig(vocab_size=int(options.get("vocab", 256)), hidden_size=width, intermediate_size=int(options.get("mlp", 4 * width)),
                      num_hidden_layers=int(options.get("layers", 2)), num_attention_heads=heads, num_key_value_heads=heads,
                      max_position_embeddings=int(options.get("context", 64)), tie_word_embeddings=True, attention_dropout=0.0,
                      use_cache=False, bos_token_id=0, eos_token_id=0, pad_token_id=0)
    return HFLogits(LlamaForCausalLM(cfg))


ADAPTERS: dict[str, Callable[[dict], nn.Module]] = {"byte-gpt": byte_gpt, "hf-gpt2": hf_gpt2, "hf-llama": hf_llama}


def build_model(kind: str, options: dict) -> nn.Module:
    """A freshly initialised model of adapter ``kind`` (a key of :data:`ADAPTERS`)."""
    if kind not in ADAPTERS:
        raise ValueError(f"unknown model adapter {kind!r}; choose one of {sorted(ADAPTERS)}")
    return ADAPTERS[kind](options)


def lm_loss(model: nn.Module, batch: torch.Tensor) -> torch.Tensor:
    """Mean next-token (next-byte) cross-entropy of a batch of equal-length windows."""
    logits = model(batch[:, :-1])
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
