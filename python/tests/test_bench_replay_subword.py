"""The benchmark's subword model, at a tiny size (seconds): the locally trained BPE tokenizer, token
windows, the hf-llama adapter through one forward/backward and the harness, and the generated
instruction records. Plumbing, not statistics."""

from __future__ import annotations

import json
import random
import re

import numpy as np
import pytest
import torch

from forgetscope.bench_replay import load_config
from forgetscope.bench_replay.data import as_tensor
from forgetscope.bench_replay.instruct import _generated, record
from forgetscope.bench_replay.models import build_model, lm_loss
from forgetscope.bench_replay.tokenizer import encode, token_windows, train_bpe
from forgetscope.collect import compute_nll

TEXT = b"".join(f"def f{i}(x):\n    return x * {i} + {i % 7}\n# line {i} of the text\n".encode() for i in range(300))


def test_bpe_is_deterministic_and_lossless():
    a, b = train_bpe([TEXT], 320), train_bpe([TEXT], 320)
    assert a.to_str() == b.to_str()
    assert 257 < a.get_vocab_size() <= 320
    ids, lines = encode(a, TEXT)
    assert a.decode(ids.tolist()) == TEXT.decode()
    assert len(ids) < len(TEXT) / 2  # merges happened: fewer tokens than bytes
    # a window starts at the first token at or after a line start (after the line's indentation at most)
    text = TEXT.decode()
    offsets = a.encode(text).offsets
    assert len(lines) > 100
    for s in lines:
        assert text[: offsets[s][0]].rstrip(" ").endswith("\n")
    starts = {tuple(ids[s : s + 16].tolist()) for s in lines}
    for w in token_windows(ids, lines, 20, random.Random(0), 16):
        assert len(w) == 16 and tuple(w) in starts
    with pytest.raises(ValueError, match="at least 258"):
        train_bpe([TEXT], 100)


def test_llama_adapter_forward_backward_and_harness():
    tok = train_bpe([TEXT], 320)
    ids, lines = encode(tok, TEXT)
    wins = token_windows(ids, lines, 6, random.Random(1), 12)
    model = build_model("hf-llama", {"vocab": 320, "width": 16, "layers": 1, "heads": 2, "mlp": 24, "context": 64, "seed": 3})
    batch = as_tensor(wins)
    logits = model(batch[:, :-1])
    assert logits.shape == (6, 11, 320)
    loss = lm_loss(model, batch)
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads) and sum(float(g.abs().sum()) for g in grads) > 0
    # the harness's token-mean NLL equals a float64 cross-entropy of the same logits
    nll = compute_nll(model, {f"w{k}": w for k, w in enumerate(wins)}, batch_size=4)
    with torch.no_grad():
        lp = torch.log_softmax(model(batch).double(), dim=-1)
    ref = -lp[:, :-1].gather(-1, batch[:, 1:, None]).squeeze(-1).mean(dim=1)
    assert np.allclose([nll[f"w{k}"] for k in range(6)], ref.numpy(), rtol=1e-5, atol=1e-6)
    again = build_model("hf-llama", {"vocab": 320, "width": 16, "layers": 1, "heads": 2, "mlp": 24, "context": 64, "seed": 3})
    assert all(torch.equal(p, q) for p, q in zip(model.state_dict().values(), again.state_dict().values()))


def test_instruction_records_are_right():
    words = ["alpha", "beta", "gamma", "delta", "kappa", "omega", "sigma", "theta"]
    rng = random.Random(5)
    for _ in range(50):
        m = re.fullmatch(r"### Instruction:\nWhat is (\d+) (plus|minus|times) (\d+)\?\n### Response:\n(-?\d+)\n", _generated("inst-arith", rng, words))
        a, op, b, v = int(m[1]), m[2], int(m[3]), int(m[4])
        assert v == {"plus": a + b, "minus": a - b, "times": a * b}[op]
        s = _generated("inst-sort", rng, words)
        given, got = re.fullmatch(r"### Instruction:\nSort these words alphabetically: (.*)\n### Response:\n(.*)\n", s).groups()
        assert got.split(", ") == sorted(given.split(", "))
        q, n = re.fullmatch(r"### Instruction:\nHow many words are in this sentence\? (.*)\n### Response:\n(\d+)\n", _generated("inst-count", rng, words)).groups()
        assert len(q.split()) == int(n)
        key, obj, val = re.fullmatch(r"### Instruction:\nReturn the value of '(\w+)' in this JSON: (.*)\n### Response:\n(.*)\n", _generated("inst-json", rng, words)).groups()
        assert str(json.loads(obj)[key]) == val
    assert record("a", "b") == "### Instruction:\na\n### Response:\nb\n"


def test_subword_config_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"model": {"kind": "hf-llama", "tokenizer": "bpe"}}))
    with pytest.raises(ValueError, match="integer model.vocab"):
        load_config(bad)
    bad.write_text(json.dumps({"model": {"kind": "hf-llama", "tokenizer": "wordpiece", "vocab": 512}}))
    with pytest.raises(ValueError, match="model.tokenizer must be bpe"):
        load_config(bad)
    bad.write_text(json.dumps({"data": {"task_set": "nosuch"}}))
    with pytest.raises(ValueError, match="data.task_set"):
        load_config(bad)


def test_export_writes_a_dataset_with_exact_first_order(tmp_path):
    from forgetscope.bench_replay.export import export_dataset
    from forgetscope.dataset import dataset_ids

    tok = train_bpe([TEXT], 300)
    ids, lines = encode(tok, TEXT)
    rng = random.Random(2)
    ups = token_windows(ids, lines, 5, rng, 10)
    tasks = {"a": token_windows(ids, lines, 8, rng, 10), "b": token_windows(ids, lines, 8, rng, 10)}
    opts = {"kind": "hf-llama", "vocab": 300, "width": 8, "layers": 1, "heads": 2, "mlp": 8, "context": 16, "seed": 0}
    base = build_model("hf-llama", opts)
    states = {}
    for k, t in enumerate(("a", "b")):  # one SGD step per task stands in for fine-tuning
        m = build_model("hf-llama", opts)
        m.load_state_dict(base.state_dict())
        lm_loss(m, as_tensor(tasks[t][k * 4 : k * 4 + 4])).backward()
        with torch.no_grad():
            for p in m.parameters():
                p -= 0.5 * p.grad
        states[t] = tmp_path / f"{t}.pt"
        torch.save({n: p.detach().clone() for n, p in m.named_parameters()}, states[t])
    data = {"train_tasks": ["a", "b"], "upstream_ids": [f"u{j}" for j in range(5)], "upstream": ups, "upstream_source": ["x"] * 5,
            "tasks": tasks, "tokenizer": tok}
    cfg = {"name": "t", "finetune": {"lr": 1e-3, "steps": 3, "batch": 2}}
    Z = np.arange(10, dtype=float).reshape(2, 5) / 10
    folder = tmp_path / "ds"
    export_dataset(folder, cfg, data, base, np.ones(5), Z, states)
    assert dataset_ids(folder) == (["a", "b"], [f"u{j}" for j in range(5)])
    assert np.array_equal(np.load(folder / "Z.npy"), Z.astype(np.float32))
    assert json.loads((folder / "examples.jsonl").read_text().splitlines()[1])["text"] == tok.decode(ups[1])
    # first_order[i, j] = <grad of example j's token-mean NLL at the base, theta_i - theta_0>, in float64 here
    F = np.load(folder / "side" / "first_order.npy")
    names = [n for n, _ in base.named_parameters()]
    for i, t in enumerate(("a", "b")):
        tuned = torch.load(states[t])
        delta = torch.cat([(tuned[n].double() - p.detach().double()).reshape(-1) for n, p in base.named_parameters()])
        for j in range(5):
            base.zero_grad()
            lm_loss(base, as_tensor([ups[j]])).backward()
            g = torch.cat([dict(base.named_parameters())[n].grad.double().reshape(-1) for n in names])
            assert F[i, j] == pytest.approx(float(g @ delta), rel=1e-4, abs=1e-7)
    assert np.load(folder / "side" / "task_gradient.npy").shape == (2, 5)
    # embeddings.jsonl: every example's leading principal components of the same gradients (k capped at N − 1)
    rows = [json.loads(line) for line in (folder / "embeddings.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == [f"u{j}" for j in range(5)]
    E = np.array([[r[f"embedding.{c}"] for c in range(4)] for r in rows])
    assert all(len(r) == 5 for r in rows)
    G = []
    for j in range(5):
        base.zero_grad()
        lm_loss(base, as_tensor([ups[j]])).backward()
        G.append(torch.cat([dict(base.named_parameters())[n].grad.double().reshape(-1) for n in names]).numpy())
    G = np.array(G)
    # E·Eᵀ is the best rank-4 approximation of G·Gᵀ
    w = np.sort(np.linalg.eigvalsh(G @ G.T))[::-1]
    assert np.linalg.norm(G @ G.T - E @ E.T) == pytest.approx(abs(w[4]), rel=1e-3, abs=1e-9)
    assert "embedding.0" not in json.loads((folder / "examples.jsonl").read_text().splitlines()[0])
    assert (folder / "tokenizer.json").is_file()
