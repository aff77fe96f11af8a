"""Side information (first_order, task_gradient) on tiny models built here: hand computations, the
projection's JL behaviour, a Taylor check against the measured NLL change, the writer, seeds."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch import nn

from forgetscope.collect import compute_nll
from forgetscope.dataset import read_side, write_dataset, write_side
from forgetscope.side import (
    ExampleGradients,
    Projection,
    embedding_meta,
    example_embeddings,
    example_gradients,
    first_order,
    task_gradient,
    task_step,
    weight_change,
    write_folder_side,
)

from conftest import BigramLM, TinyCausalLM, random_examples


def finetuned(base: nn.Module, seed: int, steps: int = 5, lr: float = 0.05, data=None) -> nn.Module:
    """A copy of ``base`` after a few SGD steps on ``data`` (default: random sequences): a real weight change."""
    model = pickle_copy(base)
    data = data or random_examples(8, vocab=32, lo=6, hi=12, seed=seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        loss = sum(nll_by_hand(model, torch.tensor(t)) for t in data.values()) / len(data)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def progressions(n: int, seed: int, steps=(1, 2, 3, 5)) -> dict[str, list[int]]:
    """Arithmetic progressions mod 32 (step by example): structured text, so that a task trained on one
    step moves the NLL of the upstream examples with the same step (gradients aligned with the change)."""
    g = torch.Generator().manual_seed(seed)
    out = {}
    for i in range(n):
        s = steps[i % len(steps)]
        x0, length = int(torch.randint(0, 32, (1,), generator=g)), int(torch.randint(6, 17, (1,), generator=g))
        out[f"p{i:03d}"] = [(x0 + s * t) % 32 for t in range(length)]
    return out


def pickle_copy(m: nn.Module) -> nn.Module:
    import copy

    return copy.deepcopy(m)


def nll_by_hand(model: nn.Module, tokens: torch.Tensor) -> torch.Tensor:
    """Token-mean NLL written out directly (no harness code): mean over t ≥ 1 of −log softmax(logits[t−1])[x_t]."""
    logits = model(tokens.reshape(1, -1))[0]
    logp = torch.log_softmax(logits[:-1], dim=-1)
    return -logp[torch.arange(len(tokens) - 1), tokens[1:]].mean()


def test_exact_first_order_equals_autograd_by_hand():
    torch.manual_seed(0)
    base = TinyCausalLM(vocab=32, seed=1)
    tuned = [finetuned(base, seed=s) for s in (2, 3)]
    examples = random_examples(5, vocab=32, lo=4, hi=16, seed=4)
    grads = example_gradients(base, examples)
    F = first_order(grads, base, tuned)
    assert F.shape == (2, 5)
    j, ex = 3, list(examples)[3]
    loss = nll_by_hand(base, torch.tensor(examples[ex]))
    g = torch.autograd.grad(loss, list(base.parameters()))
    for i, t in enumerate(tuned):
        want = sum(float((gp.double() * (tp.detach().double() - bp.detach().double())).sum())
                   for gp, tp, bp in zip(g, t.parameters(), base.parameters()))
        assert F[i, j] == pytest.approx(want, rel=1e-4, abs=1e-7)
    assert np.abs(F).max() > 1e-3  # the check is not trivially 0 = 0


def test_bigram_gradient_matches_the_closed_form():
    # NLL = mean_t −log softmax(T[x_t])[x_{t+1}] ⇒ ∂/∂T[a] = Σ_{t: x_t = a} (softmax(T[a]) − e_{x_{t+1}}) / n.
    model = BigramLM(vocab=7, seed=3)
    seq = [1, 4, 4, 2, 6, 1, 3]
    grads = example_gradients(model, {"s": seq})
    T = model.table.detach().double()
    want = torch.zeros_like(T)
    n = len(seq) - 1
    for a, b in zip(seq[:-1], seq[1:]):
        want[a] += (torch.softmax(T[a], dim=0) - torch.nn.functional.one_hot(torch.tensor(b), 7).double()) / n
    assert torch.allclose(grads.G[0].double(), want.reshape(-1), atol=1e-6)


def test_plain_module_with_loss_fn():
    # loss = (w·x + b − y)²  ⇒  ∇w = 2r·x, ∇b = 2r.
    lin = nn.Linear(3, 1)
    data = {"a": (torch.tensor([1.0, 2.0, -1.0]), 0.5), "b": (torch.tensor([0.0, -3.0, 2.0]), -1.0)}
    grads = example_gradients(lin, data, loss_fn=lambda m, ex: ((m(ex[0]) - ex[1]) ** 2).sum())
    assert grads.names == ["weight", "bias"] and grads.ids == ["a", "b"]
    for k, (x, y) in enumerate(data.values()):
        r = float(lin(x).detach()) - y
        assert torch.allclose(grads.G[k], torch.cat([2 * r * x, torch.tensor([2 * r])]), atol=1e-6)


def test_hugging_face_causal_lm():
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    cfg = GPT2Config(vocab_size=32, n_positions=24, n_embd=16, n_layer=1, n_head=2, bos_token_id=0, eos_token_id=0,
                     resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    model = GPT2LMHeadModel(cfg)
    examples = random_examples(3, vocab=32, lo=5, hi=12, seed=1)
    grads = example_gradients(model, examples, pattern=r"^transformer\.h\.0\.")
    assert all(n.startswith("transformer.h.0.") for n in grads.names)
    ex = list(examples)[1]
    ids = torch.tensor([examples[ex]])
    logp = torch.log_softmax(model(input_ids=ids).logits[0, :-1], dim=-1)
    loss = -logp[torch.arange(ids.shape[1] - 1), ids[0, 1:]].mean()
    params = dict(model.named_parameters())
    g = torch.autograd.grad(loss, [params[n] for n in grads.names])
    assert torch.allclose(grads.G[1], torch.cat([x.reshape(-1) for x in g]), atol=1e-5)


@pytest.mark.parametrize("kind", ["rademacher", "countsketch"])
def test_projection_preserves_inner_products_within_the_jl_bound(kind):
    base = TinyCausalLM(vocab=32, seed=1)
    tuned = [finetuned(base, seed=s, data=progressions(8, s, steps=(step,))) for s, step in ((5, 1), (6, 2), (7, 5))]
    examples = progressions(40, seed=8)
    exact = example_gradients(base, examples)
    F = first_order(exact, base, tuned)
    P = exact.G.shape[1]
    deltas = list(exact.flatten([weight_change(base, t, exact.names) for t in tuned]))
    # scale of the JL error of ⟨Rg, Rd⟩: sqrt(|g|²|d|² + ⟨g,d⟩²) / sqrt(k) per entry
    scale = np.sqrt(np.outer([float(d.norm()) ** 2 for d in deltas], (exact.G.double().norm(dim=1) ** 2).numpy()) + F ** 2)
    errors, corrs = {}, {}
    for k in (32, 256, 1024):
        proj = example_gradients(base, examples, proj_dim=k, seed=11, kind=kind, chunk=1000, batch_size=16)
        Fp = first_order(proj, base, tuned)
        assert proj.G.shape == (40, k) and P > 3 * 1024
        z = (Fp - F) / scale * np.sqrt(k)  # ≈ standard normal entries
        errors[k] = float(np.linalg.norm(Fp - F) / np.linalg.norm(F))
        corrs[k] = float(np.median([np.corrcoef(Fp[i], F[i])[0, 1] for i in range(len(tuned))]))
        assert np.sqrt(np.mean(z ** 2)) < 1.6, (k, np.sqrt(np.mean(z ** 2)))
    assert errors[32] > errors[256] > errors[1024]
    assert corrs[1024] > 0.95, corrs


def test_projection_is_blockwise_consistent_and_seeded():
    R = Projection(dim=8, seed=3, kind="gaussian", chunk=5)
    x = torch.randn(2, 23, generator=torch.Generator().manual_seed(0))
    whole = R.apply([x])
    pieces = R.apply([x[:, :4], x[:, 4:11], x[:, 11:]])  # parameter boundaries cut blocks anywhere
    assert torch.allclose(whole, pieces, atol=1e-6)
    full = torch.cat([R.block(b) for b in range(5)])[:23]  # the R it stands for, materialised only here
    assert torch.allclose(whole, x @ full, atol=1e-5)
    assert torch.equal(Projection(8, 3, "gaussian", 5).block(2), R.block(2))
    assert not torch.equal(Projection(8, 4, "gaussian", 5).block(2), R.block(2))
    rad = Projection(dim=16, seed=0, kind="rademacher", chunk=7).block(0)
    assert set(torch.unique(rad * 4).tolist()) == {-1.0, 1.0}
    cs = Projection(dim=6, seed=2, kind="countsketch", chunk=4)
    assert torch.allclose(cs.apply([x]), cs.apply([x[:, :9], x[:, 9:]]), atol=1e-6)
    dense = torch.zeros(24, 6)  # one ±1 per row of R
    for b in range(6):
        where, sign = cs.block(b)
        dense[4 * b + torch.arange(4), where] = sign
    assert torch.allclose(cs.apply([x]), x @ dense[:23], atol=1e-5)
    assert (dense.abs().sum(1) == 1).all()


def test_seed_determinism_and_save_load(tmp_path):
    base = TinyCausalLM(vocab=32, seed=1)
    examples = random_examples(6, vocab=32, seed=2)
    a = example_gradients(base, examples, proj_dim=64, seed=5)
    b = example_gradients(base, examples, proj_dim=64, seed=5, batch_size=4)
    c = example_gradients(base, examples, proj_dim=64, seed=6)
    assert torch.allclose(a.G, b.G, atol=1e-6)
    assert not torch.allclose(a.G, c.G, atol=1e-3)
    a.save(tmp_path / "g.safetensors")
    back = ExampleGradients.load(tmp_path / "g.safetensors")
    assert back.ids == a.ids and back.names == a.names and back.projection == a.projection
    assert torch.equal(back.G, a.G)
    tuned = finetuned(base, seed=9)
    assert np.allclose(first_order(back, base, [tuned]), first_order(a, base, [tuned]))


def test_first_order_is_the_taylor_term_of_the_measured_nll_change():
    torch.manual_seed(0)
    base = TinyCausalLM(vocab=32, seed=1).double()
    direction = weight_change(base, finetuned(base, seed=3, steps=3, lr=0.02))
    examples = random_examples(10, vocab=32, lo=6, hi=16, seed=4)
    grads = example_gradients(base, examples)
    f = grads.dot([direction])[0]
    before = np.array([compute_nll(base, examples)[i] for i in grads.ids])
    errs = {}
    for eps in (0.4, 0.2, 0.1):
        moved = pickle_copy(base)
        with torch.no_grad():
            for n, p in moved.named_parameters():
                p += eps * direction[n]
        change = np.array([compute_nll(moved, examples)[i] for i in grads.ids]) - before
        errs[eps] = float(np.abs(change - eps * f).max())
        assert errs[eps] < 0.2 * np.abs(eps * f).max()
    # the remainder is second order: halving the step divides it by about 4
    assert 3.0 < errs[0.4] / errs[0.2] < 5.0 and 3.0 < errs[0.2] / errs[0.1] < 5.0, errs


def test_task_gradient_is_first_order_of_one_sgd_step():
    base = TinyCausalLM(vocab=32, seed=1)
    batch = torch.tensor([t[:8] for t in random_examples(4, vocab=32, lo=8, hi=8, seed=3).values()])
    examples = random_examples(5, vocab=32, seed=4)
    grads = example_gradients(base, examples)
    step = task_step(base, [batch], lr=0.01, steps=1)
    moved = pickle_copy(base)  # one plain SGD step on the same batch and loss
    loss = torch.nn.functional.cross_entropy(moved(batch)[:, :-1].reshape(-1, 32), batch[:, 1:].reshape(-1))
    loss.backward()
    with torch.no_grad():
        for p in moved.parameters():
            p -= 0.01 * p.grad
    assert np.allclose(task_gradient(grads, [step]), first_order(grads, base, [moved]), rtol=1e-4, atol=1e-8)
    # two batches: the mean gradient, scaled by lr·steps
    b2 = batch.flip(0)[:, 1:]
    two = task_step(base, [batch, b2], lr=0.01, steps=3)
    one = [task_step(base, [b], lr=0.01, steps=3) for b in (batch, b2)]
    for n in two:
        assert torch.allclose(two[n], (one[0][n] + one[1][n]) / 2)


def test_write_side_aligns_with_the_dataset_folder(tmp_path):
    Z = np.arange(6, dtype=np.float32).reshape(2, 3)
    write_dataset(tmp_path, Z, ["t0", {"id": "t1", "lr": 1e-4}], ["e0", "e1", "e2"], base_nll=np.ones(3))
    assert json.loads((tmp_path / "tasks.json").read_text())[1] == {"id": "t1", "lr": 1e-4}
    side = np.array([[0.5, -1.0, 2.0], [0.0, 1e-3, 3.0]])
    path = write_side(tmp_path, "first_order", side, task_ids=["t0", "t1"], example_ids=["e0", "e1", "e2"])
    assert path == tmp_path / "side" / "first_order.npy"
    got = read_side(tmp_path, "first_order")
    assert got.dtype == np.float32 and np.array_equal(got, side.astype(np.float32))
    assert sorted(p.name for p in (tmp_path / "side").iterdir()) == ["first_order.npy"]  # no temporary left
    with pytest.raises(ValueError, match=r"shape \(3, 2\) does not match .*Z.npy"):
        write_side(tmp_path, "x", side.T)
    with pytest.raises(ValueError, match=r"examples.jsonl: example 1 is 'e1' but .* 'e2'"):
        write_side(tmp_path, "x", side, example_ids=["e0", "e2", "e1"])
    with pytest.raises(ValueError, match=r"row 1, column 2"):
        write_side(tmp_path, "x", np.array([[0, 0, 0], [0, 0, np.nan]]))
    with pytest.raises(ValueError, match="plain name"):
        write_side(tmp_path, "../x", side)


def _side_worker(rank: int, world: int, outdir: str) -> None:
    """Runs inside run_gloo's process group (rank ``rank`` of ``world``)."""
    base = TinyCausalLM(vocab=32, seed=1)
    examples = random_examples(11, vocab=32, seed=2)
    exact = example_gradients(base, examples)
    proj = example_gradients(base, examples, proj_dim=48, seed=3, chunk=500, batch_size=2)
    exact.save(f"{outdir}/exact{rank}.safetensors")
    proj.save(f"{outdir}/proj{rank}.safetensors")


def test_two_gloo_ranks_equal_one_process(tmp_path):
    from conftest import run_gloo

    run_gloo(_side_worker, str(tmp_path))
    base = TinyCausalLM(vocab=32, seed=1)
    examples = random_examples(11, vocab=32, seed=2)
    single = {"exact": example_gradients(base, examples), "proj": example_gradients(base, examples, proj_dim=48, seed=3, chunk=500)}
    for kind, want in single.items():
        for rank in (0, 1):
            got = ExampleGradients.load(tmp_path / f"{kind}{rank}.safetensors")
            assert got.ids == list(examples) and got.G.shape == want.G.shape  # every rank holds the whole, in order
            assert torch.allclose(got.G, want.G, atol=1e-6)


def test_bfloat16_autocast_close_to_float32():
    base = TinyCausalLM(vocab=32, seed=1)
    examples = random_examples(4, vocab=32, lo=8, hi=16, seed=2)
    full = example_gradients(base, examples).G
    half = example_gradients(base, examples, dtype=torch.bfloat16).G
    assert half.dtype == torch.float32 and not torch.equal(half, full)  # autocast really ran in bfloat16
    for a, b in zip(full, half):
        assert float(torch.nn.functional.cosine_similarity(a, b, dim=0)) > 0.99


def test_write_folder_side_orders_rows_and_columns_by_the_folder(tmp_path):
    base = TinyCausalLM(vocab=32, seed=1)
    examples = random_examples(5, vocab=32, seed=2)
    grads = example_gradients(base, examples)
    tuned = {"ta": finetuned(base, seed=3), "tb": finetuned(base, seed=4)}
    order = ["ex003", "ex000", "ex004", "ex001", "ex002"]  # the folder's column order differs from grads'
    write_dataset(tmp_path, np.zeros((2, 5)), ["tb", "ta"], order)
    deltas = {t: weight_change(base, m, grads.names) for t, m in tuned.items()}
    got = write_folder_side(tmp_path, "first_order", grads, deltas)
    want = first_order(grads, base, [tuned["tb"], tuned["ta"]])[:, [list(examples).index(e) for e in order]]
    assert np.allclose(got, want) and np.allclose(read_side(tmp_path, "first_order"), want.astype(np.float32))
    with pytest.raises(KeyError, match="no weight change for 1 tasks"):
        write_folder_side(tmp_path, "x", grads, {"ta": deltas["ta"]})
    with pytest.raises(KeyError, match="no gradient for 1 examples"):
        write_folder_side(tmp_path, "x", grads.select(order[:4]), deltas)


def test_the_cli_reads_the_written_dataset_folder(tmp_path, cli):
    Z = np.array([[0.5, -0.25, 1.0], [0.0, 2.0, 0.125]], dtype=np.float32)
    write_dataset(tmp_path, Z, ["t0", "t1"], [{"id": "e0", "source": "a"}, {"id": "e1", "source": "b"}, {"id": "e2", "source": "a"}],
                  base_nll=np.array([1.0, 2.0, 3.0]))
    write_side(tmp_path, "first_order", np.ones((2, 3)))
    code, info, err = cli("info", str(tmp_path), "--json")
    assert code == 0, err
    assert info["format"] == "folder" and info["tasks"] == 2 and info["examples"] == 3 and info["hasNllBefore"]
    assert info["summary"]["mean"] == pytest.approx(float(Z.mean()))


def _reference_scores(G: np.ndarray, k: int) -> np.ndarray:
    """U_k·S_k of G's SVD in float64, signs fixed as example_embeddings fixes them."""
    U, S, _ = np.linalg.svd(G.astype(np.float64), full_matrices=False)
    E = U[:, :k] * S[:k]
    for c in range(k):
        if E[np.argmax(np.abs(E[:, c])), c] < 0:
            E[:, c] = -E[:, c]
    return E


def test_example_embeddings_are_the_leading_principal_scores_of_the_gradients():
    rng = np.random.default_rng(3)
    G = rng.normal(size=(9, 40)).astype(np.float32)
    E = example_embeddings(torch.from_numpy(G), k=4)
    assert E.shape == (9, 4) and E.dtype == np.float64
    np.testing.assert_allclose(E, _reference_scores(G, 4), atol=1e-9)
    # E·Eᵀ is the best rank-4 approximation of G·Gᵀ (whatever the signs)
    full = G.astype(np.float64) @ G.T.astype(np.float64)
    w = np.sort(np.linalg.eigvalsh(full))[::-1]
    assert np.linalg.norm(full - E @ E.T) == pytest.approx(np.sqrt((w[4:] ** 2).sum()), rel=1e-9)
    # k is capped at N − 1 and at D; ExampleGradients and arrays give the same
    assert example_embeddings(G[:, :3], k=10).shape == (9, 3)
    grads = ExampleGradients(ids=[f"e{j}" for j in range(9)], G=torch.from_numpy(G), names=["w"], shapes=[[40]])
    np.testing.assert_allclose(example_embeddings(grads, k=4), E)
    with pytest.raises(ValueError, match="k must be at least 1"):
        example_embeddings(G, k=0)


def test_example_embeddings_randomized_path_matches_the_exact_one(monkeypatch):
    import forgetscope.side as side

    rng = np.random.default_rng(5)
    # rank 3 with distinct singular values 4, 2, 1: the randomized SVD recovers it to float32 accuracy
    left, _ = np.linalg.qr(rng.normal(size=(30, 3)))
    right, _ = np.linalg.qr(rng.normal(size=(50, 3)))
    G = (left * np.array([4.0, 2.0, 1.0])) @ right.T
    G = G.astype(np.float32)
    exact = example_embeddings(G, k=3)
    monkeypatch.setattr(side, "EXACT_EMBEDDING_ROWS", 10)
    approx = example_embeddings(G, k=3, seed=1)
    np.testing.assert_allclose(approx, exact, rtol=1e-4, atol=1e-3 * np.abs(exact).max())
    np.testing.assert_array_equal(example_embeddings(G, k=3, seed=1), approx)


def test_embedding_meta_names_the_keys_lowrank_reads():
    meta = embedding_meta(["a", "b"], np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert meta == {"a": {"embedding.0": 1.0, "embedding.1": 2.0}, "b": {"embedding.0": 3.0, "embedding.1": 4.0}}
    with pytest.raises(ValueError, match="2 ids but embeddings of shape"):
        embedding_meta(["a", "b"], np.zeros((3, 2)))


def test_embeddings_in_examples_jsonl_reach_lowrank(tmp_path, cli):
    # test tasks forget along a per-example pattern e far more than any train task did (train loadings
    # ~0.1, test 1.0), so the train rows' span barely has it; given e as a covariate, lowrank's example
    # effects (prior learned from the small train loadings) follow it and the test error drops
    rng = np.random.default_rng(0)
    M, N = 14, 200
    u, e = rng.normal(size=N), rng.normal(size=N)
    loading = np.concatenate([rng.normal(0, 0.1, 10), np.ones(4)])
    Z = np.outer(rng.uniform(0.5, 1.5, M), u) + np.outer(loading, e) * 0.5 + rng.normal(0, 0.05, (M, N))
    ids = [f"e{j}" for j in range(N)]
    plain = tmp_path / "plain"
    embedded = tmp_path / "embedded"
    write_dataset(plain, Z, [f"t{i}" for i in range(M)], [{"id": i, "source": "s"} for i in ids])
    meta = embedding_meta(ids, e[:, None])
    write_dataset(embedded, Z, [f"t{i}" for i in range(M)], [{"id": i, "source": "s", **meta[i]} for i in ids])
    args = ("--train-rows", "0-9", "--test-rows", "10-13", "--methods", "lowrank", "--seeds", "0-2", "--known", "20", "--json")
    code, without, err = cli("evaluate", str(plain), *args)
    assert code == 0, err
    code, withe, err = cli("evaluate", str(embedded), *args)
    assert code == 0, err
    assert withe["methods"]["lowrank"]["rmse"] < 0.99 * without["methods"]["lowrank"]["rmse"], (withe["methods"]["lowrank"]["rmse"], without["methods"]["lowrank"]["rmse"])
