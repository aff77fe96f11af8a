"""compute_nll / collect with real Hugging Face causal LMs (GPT-2 and Llama built from configs) and a
tokenizer trained here, against a hand computation: one unpadded sequence at a time, float64 log-softmax."""

from __future__ import annotations

import math

import pytest
import torch

from forgetscope.collect import collect, compute_nll, tokenize_examples
from forgetscope.tables import read_table

from conftest import CORPUS, tiny_gpt2, tiny_llama, train_tokenizer

TEXTS = {f"t{i}": text for i, text in enumerate(sorted(set(CORPUS)))} | {"short": "fox dog"}


def hand_nll(model, ids: list[int]) -> float:
    """-1/(n-1) Σ_t log softmax(logits_t)[ids_{t+1}] for one sequence, no padding, no batching."""
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids])).logits[0].double()
    logp = torch.log_softmax(logits, dim=-1)
    return -sum(float(logp[t, ids[t + 1]]) for t in range(len(ids) - 1)) / (len(ids) - 1)


@pytest.mark.parametrize("arch", ["gpt2", "llama"])
def test_batched_padded_nll_equals_the_hand_computation(arch):
    tok = train_tokenizer(bos=arch == "llama")
    tok.padding_side = "left"  # must not matter: compute_nll pads on the right and masks
    model = (tiny_gpt2 if arch == "gpt2" else tiny_llama)(len(tok), seed=3)
    ids = tokenize_examples(tok, TEXTS)
    if arch == "llama":
        assert all(v[0] == tok.bos_token_id for v in ids.values())
    else:
        assert all(v[0] != tok.bos_token_id for v in ids.values())
    got = compute_nll(model, TEXTS, tokenizer=tok, batch_size=3)  # texts in, mixed lengths per batch
    assert set(got) == set(TEXTS)
    for k, seq in ids.items():
        assert got[k] == pytest.approx(hand_nll(model, seq), abs=2e-5), k
    # An untrained model is close to uniform: the NLL is near log(vocab) (a sanity check on the units).
    assert abs(sum(got.values()) / len(got) - math.log(len(tok))) < 0.5


def test_bos_and_eos_choices_change_what_is_scored():
    tok = train_tokenizer(bos=False)
    plain = tokenize_examples(tok, {"a": "the lazy dog"})["a"]
    with_bos = tokenize_examples(tok, {"a": "the lazy dog"}, add_bos=True)["a"]
    with_eos = tokenize_examples(tok, {"a": "the lazy dog"}, add_eos=True)["a"]
    assert with_bos == [tok.bos_token_id, *plain] and with_eos == [*plain, tok.eos_token_id]
    llama_tok = train_tokenizer(bos=True)
    assert tokenize_examples(llama_tok, {"a": "the lazy dog"}, add_bos=False)["a"] == plain
    model = tiny_gpt2(len(tok), seed=1)
    nll = compute_nll(model, {"bos": with_bos, "plain": plain})
    assert nll["bos"] == pytest.approx(hand_nll(model, with_bos), abs=2e-5)
    assert nll["bos"] != pytest.approx(nll["plain"], abs=1e-4)  # the first word is now predicted
    with pytest.raises(TypeError, match="tokenizer="):
        compute_nll(model, {"a": "text without a tokenizer"})


@pytest.mark.parametrize("arch", ["gpt2", "llama"])
def test_bf16_weights_and_autocast_stay_close_to_float32(arch):
    tok = train_tokenizer(bos=arch == "llama")
    model = (tiny_gpt2 if arch == "gpt2" else tiny_llama)(len(tok), seed=5)
    ref = compute_nll(model, TEXTS, tokenizer=tok, batch_size=4)
    autocast = compute_nll(model, TEXTS, tokenizer=tok, batch_size=4, dtype=torch.bfloat16)
    bf16 = compute_nll(model.to(torch.bfloat16), TEXTS, tokenizer=tok, batch_size=4)
    for k in TEXTS:
        assert autocast[k] == pytest.approx(ref[k], abs=0.05)
        assert bf16[k] == pytest.approx(ref[k], abs=0.05)
    assert any(bf16[k] != ref[k] for k in TEXTS)  # it really ran in bfloat16


def test_collect_with_a_tokenizer_writes_the_long_table(tmp_path):
    tok = train_tokenizer(bos=True)
    base, tuned = tiny_llama(len(tok), seed=1), tiny_llama(len(tok), seed=2)
    out = tmp_path / "z.parquet"
    assert collect(out, "task-a", tuned, TEXTS, base=base, tokenizer=tok, batch_size=4) == {"written": len(TEXTS), "skipped": 0, "truncated": 0}
    table = read_table(out)
    ids = tokenize_examples(tok, TEXTS)
    rows = dict(zip(table.column("example").to_pylist(), zip(table.column("nll_before").to_pylist(), table.column("nll_after").to_pylist())))
    for k in ("t0", "short"):
        assert rows[k][0] == pytest.approx(hand_nll(base, ids[k]), abs=2e-5)
        assert rows[k][1] == pytest.approx(hand_nll(tuned, ids[k]), abs=2e-5)
