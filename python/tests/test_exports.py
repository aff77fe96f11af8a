"""Tests of the seed-method exports on a tiny model built here (fast: a few seconds)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from torch import nn

from forgetscope.dual_memory import DualMemory, ReservoirBuffer, ema_lambda, ema_update, weighted_replay_sample
from forgetscope.exports import (
    add_lora,
    capture_layer_inputs,
    diagonal_fisher,
    export_layer_inputs,
    export_token_logprobs,
    interpolation_losses,
    is_number_token,
    load_tensors,
    lora_snapshot,
    number_token_ids,
    per_example_gradients,
    weight_delta,
    weight_snapshot,
)


class TinyLM(nn.Module):
    """Embedding → one MLP block (up, down) → head; plain module returning logits."""

    def __init__(self, vocab: int = 7, width: int = 5, seed: int = 0):
        super().__init__()
        torch.manual_seed(seed)
        self.emb = nn.Embedding(vocab, width)
        self.up = nn.Linear(width, 8)
        self.down = nn.Linear(8, width)
        self.head = nn.Linear(width, vocab)

    def forward(self, input_ids):
        h = self.emb(input_ids)
        h = h + self.down(torch.relu(self.up(h)))
        return self.head(h)


def nll(model, seq):
    logits = model(seq.unsqueeze(0))[0, :-1]
    return torch.nn.functional.cross_entropy(logits, seq[1:])


SEQS = [torch.tensor([1, 2, 3, 4]), torch.tensor([0, 6, 5]), torch.tensor([3, 3, 1, 2, 0])]


def test_weight_snapshot_and_delta(tmp_path):
    m = TinyLM()
    before = weight_snapshot(m, tmp_path / "w0.safetensors", pattern=r"up|down", only_2d=True)
    assert sorted(before) == ["down.weight", "up.weight"]
    with torch.no_grad():
        m.up.weight.add_(0.5)
    d = weight_delta(tmp_path / "w0.safetensors", m, tmp_path / "d.safetensors")
    assert torch.allclose(d["up.weight"], torch.full((8, 5), 0.5))
    assert torch.equal(d["down.weight"], torch.zeros(5, 8))
    assert torch.equal(load_tensors(tmp_path / "d.safetensors")["up.weight"], d["up.weight"])


def test_token_logprobs_teacher_forced_against_a_direct_computation(tmp_path):
    m = TinyLM()
    out = export_token_logprobs(m, SEQS, tmp_path / "tokens.safetensors", class_ids=[2, 3], batch_size=2)
    assert out["offsets"].tolist() == [0, 3, 5, 9]
    assert out["offsets"].dtype == torch.int32
    with torch.no_grad():
        for i, s in enumerate(SEQS):
            lsm = torch.log_softmax(m(s.unsqueeze(0))[0, :-1].double(), -1)
            a, b = out["offsets"][i].item(), out["offsets"][i + 1].item()
            ref = lsm.gather(-1, s[1:, None]).squeeze(-1)
            assert torch.allclose(out["logp"][a:b].double(), ref, atol=1e-6)
            mass = torch.log(lsm.exp()[:, [2, 3]].sum(-1))
            assert torch.allclose(out["num_logmass"][a:b].double(), mass, atol=1e-6)
            # token-mean NLL per example = − mean(logp), the forgetting matrix's quantity
            assert math.isclose(-out["logp"][a:b].double().mean().item(), nll(m, s).item(), rel_tol=1e-5)
    saved = load_tensors(tmp_path / "tokens.safetensors")
    assert set(saved) == {"logp", "offsets", "num_logmass"}


def test_number_tokens_rule():
    assert all(is_number_token(t) for t in ["12", "Ġ42", "▁3rd", "1.5", "1,000", "seven", "Twenty"])
    assert not any(is_number_token(t) for t in ["a1", "1.2.3", "SEVEN", "", "1,2,3"])
    assert number_token_ids({"a": 0, "7": 5, "Ġten": 2, "x": 9}) == [2, 5]


def test_fisher_is_the_mean_of_squared_per_example_gradients(tmp_path):
    m = TinyLM()
    G, layout = per_example_gradients(m, SEQS, nll, pattern=r"^up\.weight$")
    assert G.shape == (3, 40) and layout[0]["name"] == "up.weight"
    F = diagonal_fisher(m, SEQS, nll, pattern=r"^up\.weight$", path=tmp_path / "fisher.safetensors")
    assert torch.allclose(F["up.weight"].reshape(-1), (G**2).mean(0), atol=1e-9)
    # the pitfall: the square of the batch-mean gradient is smaller (Jensen) and not the Fisher
    assert not torch.allclose(F["up.weight"].reshape(-1), G.mean(0) ** 2)
    # sample-count argument
    F2 = diagonal_fisher(m, SEQS, nll, pattern=r"^up\.weight$", n_samples=2)
    assert torch.allclose(F2["up.weight"].reshape(-1), (G[:2] ** 2).mean(0), atol=1e-9)
    from safetensors import safe_open

    with safe_open(str(tmp_path / "fisher.safetensors"), "pt") as f:
        assert f.metadata()["samples"] == "3" and f.metadata()["label_mode"] == "empirical"
    from forgetscope.exports import export_per_example_gradients

    G2 = export_per_example_gradients(m, SEQS, nll, tmp_path / "grads_upstream.safetensors", pattern=r"^up\.weight$")
    saved = load_tensors(tmp_path / "grads_upstream.safetensors")
    assert torch.allclose(saved["G"], G2) and torch.allclose(saved["fisher"], (G**2).mean(0), atol=1e-9)
    assert torch.allclose(saved["gL"], G.mean(0), atol=1e-9)
    assert json.loads((tmp_path / "layout.json").read_text())[0]["name"] == "up.weight"
    Gp, lay = per_example_gradients(m, SEQS, nll, pattern=r"^up\.weight$", projection_dim=6, seed=3)
    assert Gp.shape == (3, 6) and lay[0]["seed"] == 3 and lay[0]["kind"] == "gaussian"
    # one home: the same rows as forgetscope.side with its seeded Gaussian projection, which is linear in G
    from forgetscope.side import Projection, example_gradients

    proj = Projection(6, 3, "gaussian")
    home = example_gradients(m, [(str(i), s) for i, s in enumerate(SEQS)], loss_fn=nll, pattern=r"^up\.weight$", projection=proj)
    assert torch.equal(Gp, home.G)
    assert torch.allclose(Gp, proj.apply([G]), atol=1e-6)
    # the exact rows are the home's too, and n_samples takes the first examples
    exact = example_gradients(m, [(str(i), s) for i, s in enumerate(SEQS)], loss_fn=nll, pattern=r"^up\.weight$")
    assert torch.equal(G, exact.G)
    assert torch.equal(per_example_gradients(m, SEQS, nll, pattern=r"^up\.weight$", n_samples=2)[0], G[:2])


def test_capture_layer_inputs_with_pre_hooks(tmp_path):
    m = TinyLM()
    X = capture_layer_inputs(m, ["up", "down"], lambda: [m(s.unsqueeze(0)) for s in SEQS], max_rows=10, seed=0)
    assert X["up"].shape == (10, 5) and X["down"].shape == (10, 8)
    full = capture_layer_inputs(m, ["up"], lambda: [m(s.unsqueeze(0)) for s in SEQS], max_rows=1000)
    h = torch.cat([m.emb(s) for s in SEQS]).detach()
    assert torch.allclose(full["up"], h)  # the input of `up` is the embedding stream
    paths = export_layer_inputs(X, tmp_path / "acts")
    assert sorted(p.name for p in paths) == ["down.weight.safetensors", "up.weight.safetensors"]
    assert load_tensors(paths[0])["X"].shape[0] == 10


def test_lora_snapshot_peft_layout_and_interpolation_path(tmp_path):
    m = TinyLM()
    names = add_lora(m, r"^(up|down)$", r=2, alpha=4, seed=1)
    assert names == ["up", "down"]
    trainable = sorted(n for n, p in m.named_parameters() if p.requires_grad)
    assert trainable == ["down.lora_A.weight", "down.lora_B.weight", "up.lora_A.weight", "up.lora_B.weight"]
    s0 = lora_snapshot(m, tmp_path / "slow.safetensors")
    cfg = json.loads((tmp_path / "adapter_config.json").read_text())
    assert cfg["r"] == 2 and cfg["lora_alpha"] == 4 and cfg["target_modules"] == ["down", "up"]
    with torch.no_grad():
        for n, p in m.named_parameters():
            if "lora_" in n:
                p.add_(0.3 * torch.randn(p.shape, generator=torch.Generator().manual_seed(len(n))))
    s1 = lora_snapshot(m)
    evaluate = lambda model: torch.stack([nll(model, s) for s in SEQS])
    at1 = evaluate(m).double()
    alphas = [0.0, 0.5, 1.0]
    fac = interpolation_losses(m, s0, s1, alphas, evaluate, "factors", tmp_path / "path.safetensors", tmp_path / "path.csv")
    dlt = interpolation_losses(m, s0, s1, alphas, evaluate, "delta")
    assert fac.shape == (3, 3)
    assert torch.allclose(fac[2], at1, atol=1e-6) and torch.allclose(dlt[2], at1, atol=1e-6)
    assert torch.allclose(fac[0], dlt[0], atol=1e-6)
    assert not torch.allclose(fac[1], dlt[1], atol=1e-6)  # EMA of factors is not EMA of BA
    # the model's adapter is restored
    assert torch.allclose(evaluate(m).double(), at1)
    # delta mode at α = 0.5 equals a model whose update is the mean of the two products
    lines = (tmp_path / "path.csv").read_text().splitlines()
    assert lines[0] == "alpha,loss" and len(lines) == 4
    assert math.isclose(float(lines[2].split(",")[1]), fac[1].mean().item(), rel_tol=1e-9)
    saved = load_tensors(tmp_path / "path.safetensors")
    assert saved["nll"].shape == (3, 3)


def test_dual_memory_matches_the_spec_cases():
    draws = {3: 1, 4: 4, 5: 0}
    buf = ReservoirBuffer(3, rand_int=lambda hi: draws[hi])
    assert [buf.add(i) for i in range(6)] == [0, 1, 2, 1, -1, 0]
    assert buf.items() == [5, 3, 2] and buf.seen == 6
    assert weighted_replay_sample([1, 2, 0.5, 4], 2, [0.5, 0.5, 0.9, 0.2]) == [2, 1]
    assert [ema_lambda(k, 0.99) for k in range(4)] == pytest.approx([0, 0.5, 2 / 3, 0.75])
    slow = [torch.tensor([0.0])]
    seq = []
    for k, v in enumerate([1.0, 3.0, 5.0, 7.0]):
        ema_update(slow, [torch.tensor([v])], ema_lambda(k, 0.25))
        seq.append(slow[0].item())
    assert seq == pytest.approx([1, 2.5, 4.375, 6.34375])
    mem = DualMemory(20, scores={f"e{i}": (i % 10) / 10 for i in range(100)}, temperature=0.1, seed=0)
    for i in range(100):
        mem.add(f"e{i}")
    w = np.mean([mem.scores[x] for _ in range(50) for x in mem.sample(5)])
    u = np.mean([mem.scores[x] for _ in range(50) for x in mem.sample(5, uniform=True)])
    assert w > u + 0.1


def test_export_svd_factors(tmp_path):
    from forgetscope.exports import export_svd

    m = TinyLM()
    paths = export_svd(m, tmp_path / "svd", k=3, pattern=r"^up\.weight$")
    assert [p.name for p in paths] == ["up.weight.safetensors"]
    f = load_tensors(paths[0])
    assert f["U_h"].shape == (8, 3) and f["V_h"].shape == (5, 3) and f["S"].shape == (5,)
    w = m.up.weight.detach()
    # U_hᵀ W V_h = diag(S[:3]) and S are the singular values of W
    assert torch.allclose(f["U_h"].T @ w @ f["V_h"], torch.diag(f["S"][:3]), atol=1e-5)
    assert torch.allclose(f["S"], torch.linalg.svdvals(w), atol=1e-5)
