"""Variants of the first-order side term (per layer, cosine, Adam-preconditioned, diagonal curvature):
values worked by hand on a 4-parameter linear model, the layer split summing to first_order on real
transformers (exact and projected), Adam's preconditioner against a constant-gradient run."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from forgetscope.side import example_gradients, first_order
from forgetscope.side_variants import (
    adam_preconditioner,
    first_order_adam,
    first_order_by_group,
    first_order_cos,
    layer_groups,
    second_order_diag,
    side_variants,
)

from conftest import random_examples


class Scalar(nn.Module):
    """One float64 parameter ``w`` of shape [1]."""

    def __init__(self, value: float):
        super().__init__()
        self.w = nn.Parameter(torch.tensor([value], dtype=torch.float64))


class Linear4(nn.Module):
    """f(x) = θ·x with one scalar parameter per "layer", named as a transformer names them."""

    def __init__(self, theta):
        super().__init__()
        self.embed = Scalar(theta[0])
        self.blocks = nn.ModuleList([Scalar(t) for t in theta[1:3]])
        self.head = Scalar(theta[3])

    def params(self):
        return [self.embed.w, self.blocks[0].w, self.blocks[1].w, self.head.w]

    def forward(self, x):
        return sum(p * v for p, v in zip(self.params(), x))


def squared_error(model, item):
    x, y = item
    return 0.5 * ((model(torch.tensor(x, dtype=torch.float64)) - y) ** 2).sum()


# θ = (1, 0, 2, −1); loss ½(θ·x − y)², gradient r·x with r = θ·x − y:
#   A: x = (1, 2, 0, 1), y = 0 → r = 0, g = 0;  B: x = (1, 0, 1, 0), y = 1 → r = 2, g = (2, 0, 2, 0);
#   C: x = (0, 1, 1, 2), y = 2 → r = −2, g = (0, −2, −2, −4).
THETA = (1.0, 0.0, 2.0, -1.0)
EXAMPLES = {"A": ((1, 2, 0, 1), 0.0), "B": ((1, 0, 1, 0), 1.0), "C": ((0, 1, 1, 2), 2.0)}
D1, D2 = (0.5, -1.0, 0.0, 2.0), (-1.0, 1.0, 1.0, 0.0)
NAMES = ["embed.w", "blocks.0.w", "blocks.1.w", "head.w"]


def snapshot(values):
    return {n: torch.tensor([v], dtype=torch.float64) for n, v in zip(NAMES, values)}


@pytest.fixture
def hand():
    model = Linear4(THETA)
    grads = example_gradients(model, EXAMPLES, loss_fn=squared_error)
    base = snapshot(THETA)
    tuned = [snapshot([t + d for t, d in zip(THETA, delta)]) for delta in (D1, D2)]
    return grads, base, tuned


def test_gradients_and_groups_of_the_hand_model(hand):
    grads, _, _ = hand
    assert grads.names == NAMES
    assert np.allclose(grads.G.numpy(), [[0, 0, 0, 0], [2, 0, 2, 0], [0, -2, -2, -4]])
    assert layer_groups(grads.names) == {"embed": ["embed.w"], "L0": ["blocks.0.w"], "L1": ["blocks.1.w"], "head": ["head.w"]}


def test_per_layer_terms_by_hand_and_their_sum(hand):
    grads, base, tuned = hand
    got = first_order_by_group(grads, base, tuned)
    assert list(got) == ["first_order_embed", "first_order_L0", "first_order_L1", "first_order_head"]
    # ⟨g_j[group], d_i[group]⟩, columns A, B, C
    want = {"embed": [[0, 1, 0], [0, -2, 0]], "L0": [[0, 0, 2], [0, 0, -2]], "L1": [[0, 0, 0], [0, 2, -2]],
            "head": [[0, 0, -8], [0, 0, 0]]}
    for g, w in want.items():
        assert np.allclose(got[f"first_order_{g}"], w, atol=1e-12), g
    total = first_order(grads, base, tuned)
    assert np.allclose(total, [[0, 1, -6], [0, 0, -4]], atol=1e-12)
    assert np.allclose(sum(got.values()), total, rtol=0, atol=1e-12)


def test_cosine_by_hand_with_a_zero_gradient(hand):
    grads, base, tuned = hand
    got = first_order_cos(grads, base, tuned)
    nB, nC, n1, n2 = math.sqrt(8), math.sqrt(24), math.sqrt(5.25), math.sqrt(3)
    want = [[0, 1 / (nB * n1), -6 / (nC * n1)], [0, 0, -4 / (nC * n2)]]
    assert np.allclose(got, want, rtol=1e-12, atol=1e-15)
    assert got[1, 2] == pytest.approx(-2 / (3 * math.sqrt(2)))  # −4 / (2√6·√3)


def test_second_order_diag_by_hand(hand):
    grads, base, tuned = hand
    # ½ Σ_p d_p² g_jp²: task 1 B ½(0.25·4) = 0.5, C ½(1·4 + 4·16) = 34; task 2 B ½(4 + 4) = 4, C ½(4 + 4) = 4
    assert np.allclose(second_order_diag(grads, base, tuned), [[0, 0.5, 34], [0, 4, 4]], atol=1e-12)
    assert np.allclose(second_order_diag(grads, base, tuned[::-1]), [[0, 4, 4], [0, 0.5, 34]], atol=1e-12)  # squares kept, reused


def test_adam_preconditioned_term_by_hand(hand):
    grads, base, tuned = hand
    # v̂ = (0.04, 0.25, 1, 16) → P = 1/√v̂ = (5, 2, 1, 0.25) (ε = 0); stored as exp_avg_sq = v̂·(1 − β₂^step)
    vhat = [0.04, 0.25, 1.0, 16.0]
    scale = 1 - 0.9 ** 10
    pre = adam_preconditioner({n: torch.tensor([v * scale]) for n, v in zip(NAMES, vhat)}, step=10, beta2=0.9, eps=0.0)
    assert np.allclose([float(pre[n]) for n in NAMES], [5, 2, 1, 0.25], rtol=1e-6)
    got = first_order_adam(grads, base, tuned, [pre, pre])
    # task 1: B 2·0.5·5 = 5, C (−2)(−1)·2 + (−4)·2·0.25 = 2; task 2: B 2·(−1)·5 + 2·1·1 = −8, C (−2)·2 + (−2)·1 = −6
    assert np.allclose(got, [[0, 5, 2], [0, -8, -6]], rtol=1e-6)
    with pytest.raises(KeyError, match="no Adam state for 1 parameters"):
        first_order_adam(grads, base, tuned, [pre, {n: pre[n] for n in NAMES[:3]}])
    with pytest.raises(ValueError, match="2 weight changes but 1 preconditioners"):
        first_order_adam(grads, base, tuned, [pre])


def test_adam_preconditioner_from_a_real_optimizer():
    # a loss with a constant gradient c: every step sees g = c, so v̂ = c² exactly after bias correction
    c = torch.tensor([0.5, -2.0, 0.0, 3.0], dtype=torch.float64)
    model = Linear4(THETA)
    opt = torch.optim.AdamW(model.parameters(), lr=0.01, betas=(0.9, 0.95), eps=1e-6)
    for _ in range(5):
        opt.zero_grad()
        sum(ck * p for ck, p in zip(c, model.params())).sum().backward()
        opt.step()
    want = dict(zip(NAMES, (1 / (0.5 + 1e-6), 1 / (2 + 1e-6), 1 / 1e-6, 1 / (3 + 1e-6))))
    for source in (opt, opt.state_dict()):
        pre = adam_preconditioner(source, model)
        assert sorted(pre) == sorted(want)
        for n, w in want.items():
            assert float(pre[n]) == pytest.approx(w, rel=1e-6), n
    with pytest.raises(ValueError, match="needs the model"):
        adam_preconditioner(opt)
    with pytest.raises(ValueError, match="needs the step count"):
        adam_preconditioner({"embed.w": torch.ones(1)})


def test_layer_groups_of_real_models():
    from transformers import GPT2Config, GPT2LMHeadModel

    from forgetscope.bench_replay.models import ByteGPT

    byte = [n for n, _ in ByteGPT(layers=2, width=8, heads=2, mlp=16, context=8).named_parameters()]
    groups = layer_groups(byte)
    assert list(groups) == ["embed", "L0", "L1", "head"]
    assert groups["embed"] == ["tok.weight", "pos.weight"] and groups["head"] == ["ln.weight", "ln.bias", "head.weight"]
    assert all(n.startswith("blocks.1.") for n in groups["L1"]) and sum(map(len, groups.values())) == len(byte)
    cfg = GPT2Config(vocab_size=16, n_positions=8, n_embd=8, n_layer=3, n_head=2)
    hf = [n for n, _ in GPT2LMHeadModel(cfg).named_parameters()]
    g = layer_groups(hf)
    assert list(g) == ["embed", "L0", "L1", "L2", "head"]
    assert g["embed"] == ["transformer.wte.weight", "transformer.wpe.weight"]  # the tied lm_head is wte
    assert g["head"] == ["transformer.ln_f.weight", "transformer.ln_f.bias"]
    assert layer_groups(["w", "b"]) == {"all": ["w", "b"]}


def tuned_byte_gpt(base: nn.Module, seed: int) -> nn.Module:
    """A copy of ``base`` after three Adam steps on random byte windows: a real weight change."""
    import copy

    from forgetscope.bench_replay.models import lm_loss

    model = copy.deepcopy(base)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    batch = torch.randint(0, 64, (4, 12), generator=torch.Generator().manual_seed(seed))
    for _ in range(3):
        opt.zero_grad()
        lm_loss(model, batch).backward()
        opt.step()
    return model, opt


@pytest.mark.parametrize("proj", [None, 512])
def test_layer_split_sums_to_first_order_on_a_transformer(proj):
    from forgetscope.bench_replay.models import ByteGPT

    base = ByteGPT(layers=2, width=16, heads=2, mlp=32, context=16, seed=1)
    runs = [tuned_byte_gpt(base, seed=s) for s in (2, 3)]
    tuned = [m for m, _ in runs]
    examples = random_examples(6, vocab=64, lo=4, hi=14, seed=4)
    grads = example_gradients(base, examples, proj_dim=proj, kind="countsketch", seed=1)
    parts = first_order_by_group(grads, base, tuned)
    assert list(parts) == ["first_order_embed", "first_order_L0", "first_order_L1", "first_order_head"]
    total = first_order(grads, base, tuned)
    assert all(np.abs(p).max() > 1e-4 for p in parts.values())  # every group moved
    # exact: float64 sums in another order; projected: each group's change is projected in float32
    tol = 1e-10 if proj is None else 1e-5
    assert np.allclose(sum(parts.values()), total, rtol=tol, atol=tol * 1e-2)
    pre = [adam_preconditioner(opt, model) for model, opt in runs]
    every = side_variants(grads, base, tuned, preconditioners=pre)
    assert np.array_equal(every["first_order"], total)
    assert ("second_order_diag" in every) == (proj is None)
    assert np.array_equal(every["first_order_adam"], first_order_adam(grads, base, tuned, pre))
    assert np.array_equal(every["first_order_cos"], first_order_cos(grads, base, tuned))
    assert np.abs(every["first_order_cos"]).max() <= 1.0
    if proj is None:
        # float64 reference for one entry of each term, from autograd on the base model directly
        from forgetscope.side import example_nll

        j, ex = 2, list(examples)[2]
        g = torch.autograd.grad(example_nll(base, torch.tensor(examples[ex])), list(base.parameters()))
        d = [(t.detach().double() - b.detach().double()) for t, b in zip(tuned[1].parameters(), base.parameters())]
        dot = sum(float((gi.double() * di).sum()) for gi, di in zip(g, d))
        norms = math.sqrt(sum(float((gi.double() ** 2).sum()) for gi in g)) * math.sqrt(sum(float((di ** 2).sum()) for di in d))
        curv = 0.5 * sum(float((gi.double() ** 2 * di ** 2).sum()) for gi, di in zip(g, d))
        assert every["first_order_cos"][1, j] == pytest.approx(dot / norms, rel=1e-5)
        assert every["second_order_diag"][1, j] == pytest.approx(curv, rel=1e-5)
    else:
        with pytest.raises(ValueError, match="exact gradients"):
            second_order_diag(grads, base, tuned)


def test_group_partition_is_checked(hand):
    grads, base, tuned = hand
    with pytest.raises(ValueError, match="in groups 'a' and 'b'"):
        first_order_by_group(grads, base, tuned, {"a": ["embed.w", "head.w"], "b": ["head.w", "blocks.0.w", "blocks.1.w"]})
    with pytest.raises(ValueError, match=r"missing \['head.w'\]"):
        first_order_by_group(grads, base, tuned, {"a": ["embed.w", "blocks.0.w", "blocks.1.w"]})
