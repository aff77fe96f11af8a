"""Shared fixtures: tiny seeded models and the built forgetscope CLI.

Nothing here skips: torch, numpy and pyarrow are hard requirements of the harness, and the CLI tests need
``npm run build`` to have run (``npm test`` builds first); a missing piece is a failure.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from torch import nn

REPO = Path(__file__).resolve().parents[2]
CLI_BIN = REPO / "dist" / "cli" / "bin.js"


class BigramLM(nn.Module):
    """Logits at position t depend only on token t: easy to check by hand."""

    def __init__(self, vocab: int = 11, seed: int = 0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.table = nn.Parameter(torch.randn(vocab, vocab, generator=g))

    def forward(self, input_ids):  # a plain module: no attention mask
        return self.table[input_ids]


class TinyCausalLM(nn.Module):
    """A 1-layer causal transformer with learned positions (context matters, so padding could leak)."""

    def __init__(self, vocab: int = 32, width: int = 16, context: int = 24, seed: int = 0):
        super().__init__()
        torch.manual_seed(seed)
        self.tok = nn.Embedding(vocab, width)
        self.pos = nn.Embedding(context, width)
        self.block = nn.TransformerEncoderLayer(width, 2, 32, dropout=0.0, batch_first=True)
        self.head = nn.Linear(width, vocab)

    def forward(self, input_ids):
        n = input_ids.shape[1]
        x = self.tok(input_ids) + self.pos(torch.arange(n, device=input_ids.device))
        causal = nn.Transformer.generate_square_subsequent_mask(n, device=input_ids.device)
        return self.head(self.block(x, src_mask=causal, is_causal=True))


class HFStyleLM(nn.Module):
    """Mimics a Hugging Face causal LM: keyword arguments, attention mask, output object with ``.logits``."""

    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner
        self.calls = 0

    def forward(self, input_ids=None, attention_mask=None):
        assert attention_mask is not None and attention_mask.shape == input_ids.shape
        self.calls += 1
        return SimpleNamespace(logits=self.inner(input_ids))


def write_rank2_table(path: Path, m: int, n: int, seed: int):
    """Writes a rank-2 long table (task, example, delta) of tasks t0.. × examples e000.. to ``path`` and
    returns its example factors (u, v): row i is a_i·u + b_i·v."""
    import numpy as np
    import pyarrow as pa

    from forgetscope.tables import write_table

    rng = np.random.default_rng(seed)
    u, v = rng.random(n), rng.normal(size=n) * 0.3
    rows = []
    for i in range(m):
        a, b = rng.uniform(0.5, 2), rng.normal()
        rows += [(f"t{i}", f"e{j:03d}", float(a * u[j] + b * v[j])) for j in range(n)]
    write_table(path, pa.table({k: list(c) for k, c in zip(("task", "example", "delta"), zip(*rows))}))
    return u, v


def random_examples(n: int, vocab: int, lo: int = 2, hi: int = 20, seed: int = 0) -> dict[str, list[int]]:
    g = torch.Generator().manual_seed(seed)
    out = {}
    for i in range(n):
        length = int(torch.randint(lo, hi + 1, (1,), generator=g))
        out[f"ex{i:03d}"] = torch.randint(1, vocab, (length,), generator=g).tolist()
    return out


@pytest.fixture
def cli():
    """Runs the built CLI (``node dist/cli/bin.js``) and returns (returncode, parsed JSON or None, stderr)."""
    assert CLI_BIN.is_file(), f"{CLI_BIN} is missing: run `npm run build` first"

    def run(*args: str):
        proc = subprocess.run(["node", str(CLI_BIN), *args], capture_output=True, text=True, timeout=120)
        data = json.loads(proc.stdout) if proc.returncode == 0 and "--json" in args else None
        return proc.returncode, data, proc.stderr

    return run


def pytest_sessionfinish(session, exitstatus):
    """No collected tests is a failure here (exit 1), never pytest's quiet exit status 5."""
    if exitstatus == 5:
        session.exitstatus = 1


# --- Tiny Hugging Face models and a tokenizer trained here (no hub downloads) -------------------------

CORPUS = [
    "the quick brown fox jumps over the lazy dog",
    "a forgetting matrix has one row per task and one column per upstream example",
    "replay mixes a few upstream examples into every fine-tuning batch",
    "def add(a, b):\n    return a + b\n",
    "import torch\nfrom torch import nn\n",
    "licensed under the apache license, version 2.0",
    "0123456789 + - * / = ( ) [ ] { }",
] * 3


def train_tokenizer(bos: bool = True):
    """A byte-level BPE tokenizer trained on CORPUS with ``tokenizers``, as a PreTrainedTokenizerFast.
    ``bos=True``: a Llama-style tokenizer that prepends ``<s>``; ``False``: GPT-2 style (no BOS added)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<pad>", "<s>", "</s>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS, trainer=trainer)
    if bos:
        tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", tok.token_to_id("<s>"))])
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<s>", eos_token="</s>")


def tiny_gpt2(vocab: int, seed: int = 0):
    """GPT-2 architecture, 2 layers, width 32, random init."""
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(seed)
    return GPT2LMHeadModel(GPT2Config(vocab_size=vocab, n_positions=64, n_embd=32, n_layer=2, n_head=2, bos_token_id=1, eos_token_id=2, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)).eval()


def tiny_llama(vocab: int, seed: int = 0):
    """Llama architecture (RoPE, RMSNorm, grouped-query attention), 2 layers, width 32, random init."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    cfg = LlamaConfig(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64, bos_token_id=1, eos_token_id=2, pad_token_id=0)
    return LlamaForCausalLM(cfg).eval()


# ---------------------------------------------------------------------------------------------------
# Multi-process (gloo) runs on localhost, shared by the distributed tests.


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (for a gloo rendezvous)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gloo_main(rank: int, world: int, port: int, fn, args: tuple) -> None:
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    try:
        fn(rank, world, *args)
    finally:
        dist.destroy_process_group()


def run_gloo(fn, *args, world: int = 2) -> None:
    """Runs ``fn(rank, world, *args)`` in ``world`` processes joined in one gloo process group.

    ``fn`` must be a module-level function (the processes are spawned, so it is pickled by name).
    """
    import torch.multiprocessing as mp

    mp.spawn(_gloo_main, args=(world, free_port(), fn, args), nprocs=world, join=True)
