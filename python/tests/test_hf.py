"""forgetscope.hf with a real transformers Trainer (tiny GPT-2 from a config, a tokenizer trained here):
replay rows at the requested ratio counted by example id, reseeded epochs, the weighted loss under gradient
accumulation against a hand computation, the online ReplayCallback driving the engine."""

from __future__ import annotations

import copy
import json

import datasets
import numpy as np
import pytest
import torch
from transformers import DataCollatorForLanguageModeling, Trainer, TrainingArguments

from forgetscope import api
from forgetscope.hf import ReplayCallback, ReplayMixSampler, ReplayTrainer, add_replay, replay_mixture, weighted_causal_lm_loss

from conftest import REPO, tiny_gpt2, train_tokenizer

FIXTURE = REPO / "fixtures" / "real-dev-v1"


@pytest.fixture(scope="module")
def tok():
    return train_tokenizer(bos=False)


def _tokenised(tok, texts: list[str], **columns) -> datasets.Dataset:
    enc = tok(texts, truncation=True, max_length=20)
    return datasets.Dataset.from_dict({"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], **columns})


@pytest.fixture(scope="module")
def upstream(tok) -> datasets.Dataset:
    """The fixture's 1,000 upstream examples (ids = the matrix's columns), with extra text columns the
    Trainer drops (remove_unused_columns=True)."""
    rows = [json.loads(line) for line in (FIXTURE / "examples.jsonl").read_text().splitlines()]
    return _tokenised(tok, [r["text"] for r in rows], example=[str(r["id"]) for r in rows], source=[r["source"] for r in rows], text=[r["text"] for r in rows])


@pytest.fixture(scope="module")
def task(tok) -> datasets.Dataset:
    return _tokenised(tok, [f"{a} + {b} = {a + b}" for a in range(4) for b in range(6)])  # 24 rows


def _args(tmp_path, **kw) -> TrainingArguments:
    base = dict(output_dir=str(tmp_path), per_device_train_batch_size=8, max_steps=4, learning_rate=1e-3, report_to=[], save_strategy="no", logging_strategy="no", disable_tqdm=True, use_cpu=True, seed=0, dataloader_num_workers=0)
    base.update(kw)
    return TrainingArguments(**base)


def test_batches_hold_replay_rows_at_the_ratio_counted_by_example_id(tmp_path, tok, task, upstream):
    support = [str(i) for i in range(1000, 1010)]
    trainer = ReplayTrainer(
        model=tiny_gpt2(len(tok)), args=_args(tmp_path, num_train_epochs=2, max_steps=-1), train_dataset=task,
        data_collator=DataCollatorForLanguageModeling(tok, mlm=False),
        replay_dataset=upstream, replay_weights={i: 1.0 for i in support}, replay_ratio=1 / 3,
    )
    trainer.train()
    # 24 task rows at 1 replay row per 3 task rows: 32 rows = 4 batches of 8 per epoch, 2 epochs.
    assert [len(b) for b in trainer.replay_log] == [8] * 8
    epochs = [trainer.replay_log[:4], trainer.replay_log[4:]]
    for batches in epochs:
        ids = [[trainer.replay_ids[r] for r in batch] for batch in batches]
        replay = [[i for i in b if not i.startswith("task:")] for b in ids]
        assert [len(r) for r in replay] == [2, 2, 2, 2]  # 1/(1+3) of every batch, by example id
        assert set(i for r in replay for i in r) <= set(support)  # drawn only where the weights are
        task_rows = sorted(i for b in ids for i in b if i.startswith("task:"))
        assert task_rows == sorted(f"task:{i}" for i in range(24))  # every task row once per epoch
    assert epochs[0] != epochs[1]  # reseeded per epoch (set_epoch reaches the sampler)
    assert trainer.replay_fraction() == pytest.approx(0.25)


def test_weighted_loss_is_the_same_under_gradient_accumulation(tmp_path, tok, task, upstream):
    model0 = tiny_gpt2(len(tok), seed=4)

    def one_step(batch, accum, replay_loss_weight):
        model = copy.deepcopy(model0)
        trainer = ReplayTrainer(
            model=model, args=_args(tmp_path, per_device_train_batch_size=batch, gradient_accumulation_steps=accum, max_steps=1, optim="sgd", learning_rate=1.0, lr_scheduler_type="constant", max_grad_norm=0.0, weight_decay=0.0),
            train_dataset=task, data_collator=DataCollatorForLanguageModeling(tok, mlm=False),
            replay_dataset=upstream, replay_ratio=1 / 3, replay_loss_weight=replay_loss_weight,
        )
        trainer.train()
        return trainer, model

    t_big, big = one_step(8, 1, 0.3)
    t_acc, acc = one_step(4, 2, 0.3)
    rows = [r for b in t_big.replay_log for r in b]
    assert rows == [r for b in t_acc.replay_log for r in b]  # the same 8 rows, in one batch or two
    for p, q in zip(big.parameters(), acc.parameters()):
        torch.testing.assert_close(p, q, atol=1e-6, rtol=1e-5)

    # By hand: one SGD step of lr 1 on Σ_i w_i Σ_t l_it / (label tokens of all 8 rows), w = 0.3 on replay rows.
    mixed = t_big.train_dataset
    collate = DataCollatorForLanguageModeling(tok, mlm=False)
    batch = collate([{k: mixed[r][k] for k in ("input_ids", "attention_mask")} for r in rows])
    w = torch.tensor([0.3 if r >= 24 else 1.0 for r in rows])
    ref = copy.deepcopy(model0).train()
    logits = ref(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    labels = batch["labels"]
    tok_loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1), ignore_index=-100, reduction="none").view(labels.shape[0], -1)
    hand = (tok_loss.sum(1) * w).sum() / (labels[:, 1:] != -100).sum()
    assert float(weighted_causal_lm_loss(logits, labels, w).detach()) == pytest.approx(float(hand.detach()), rel=1e-6)
    hand.backward()
    for p, q in zip(ref.parameters(), big.parameters()):
        torch.testing.assert_close(p.detach() - p.grad, q, atol=1e-6, rtol=1e-5)

    _, unweighted = one_step(8, 1, 1.0)
    assert any(not torch.allclose(p, q) for p, q in zip(big.parameters(), unweighted.parameters()))


def test_add_replay_to_an_existing_trainer_and_the_datasets_helper(tmp_path, tok, task, upstream):
    trainer = Trainer(model=tiny_gpt2(len(tok)), args=_args(tmp_path, max_steps=2), train_dataset=task, data_collator=DataCollatorForLanguageModeling(tok, mlm=False))
    add_replay(trainer, upstream, replay_ratio=1 / 7)
    assert type(trainer).__name__ == "ReplayTrainer" and isinstance(trainer, Trainer)
    trainer.train()
    assert [sum(r >= 24 for r in b) for b in trainer.replay_log] == [1, 1]  # 1 replay row per 8

    e0 = replay_mixture(task, upstream, 1 / 3, weights=np.r_[np.ones(5), np.zeros(995)], seed=1, epoch=0)
    e1 = replay_mixture(task, upstream, 1 / 3, weights=np.r_[np.ones(5), np.zeros(995)], seed=1, epoch=1)
    assert len(e0) == len(e1) == 32
    assert e0["forgetscope_example"] != e1["forgetscope_example"]
    replay0 = [i for i in e0["forgetscope_example"] if not i.startswith("task:")]
    assert len(replay0) == 8 and set(replay0) <= {"1000", "1001", "1002", "1003", "1004"}
    assert e0["forgetscope_example"] == replay_mixture(task, upstream, 1 / 3, weights=np.r_[np.ones(5), np.zeros(995)], seed=1, epoch=0)["forgetscope_example"]


def test_the_offline_path_takes_what_plan_replay_returns(tmp_path, tok, task, upstream):
    """ReplayTrainer, add_replay, replay_mixture and the samplers take plan_replay's DataFrame, its whole
    result, the CLI's file or {id: weight}; the draw probabilities are the engine's weights, in dataset order."""
    from forgetscope import WeightedReplaySampler, as_replay_weights, read_replay_weights

    obs = {str(1000 + j): 0.05 * (j % 7) for j in range(0, 300, 10)}
    plan = api.plan_replay(FIXTURE, observed=obs, train_rows="1-36", n=len(task), ratio=1 / 8, policy="softmax", progress=False)
    frame = plan["weights"]
    want = dict(zip(frame["example"].astype(str), frame["weight"]))
    ids = [str(e) for e in upstream["example"]]
    arr = np.array([want[i] for i in ids])
    expected = arr / arr.sum()
    file = tmp_path / "replay.parquet"
    frame.to_parquet(file)
    for source in (frame, plan, str(file), want, as_replay_weights(frame)):
        trainer = ReplayTrainer(
            model=tiny_gpt2(len(tok)), args=_args(tmp_path, max_steps=1), train_dataset=task,
            data_collator=DataCollatorForLanguageModeling(tok, mlm=False), replay_dataset=upstream, replay_weights=source, replay_ratio=1 / 8,
        )
        np.testing.assert_array_equal(trainer.replay_sampler.probabilities.numpy(), expected)
    assert read_replay_weights(file).examples == as_replay_weights(plan).examples == frame["example"].astype(str).tolist()
    mixed = replay_mixture(task, upstream, 1 / 8, weights=frame, seed=0)
    assert len(mixed) > len(task)
    sampler = WeightedReplaySampler(frame, num_samples=50, dataset_ids=ids, seed=0)
    np.testing.assert_array_equal(sampler.weights.numpy(), expected)
    with pytest.raises(TypeError, match="DataFrame with columns example and weight"):
        as_replay_weights(42)


def test_mix_sampler_small_replay_set_and_weight_switch():
    s = ReplayMixSampler(task_size=1000, replay_size=2, ratio=1 / 32, seed=0)
    idx = list(s)
    assert sum(i >= 1000 for i in idx) == s.replay_rows_per_epoch == round(len(idx) / 33)  # a 2-row replay set keeps the ratio
    s.set_weights(torch.tensor([0.0, 1.0]))
    assert {i for i in s if i >= 1000} == {1001}


def test_replay_callback_switches_to_the_engines_predicted_weights(tmp_path, tok, task, upstream):
    trainer = ReplayTrainer(
        model=tiny_gpt2(len(tok), seed=2), args=_args(tmp_path, max_steps=20, learning_rate=5e-3), train_dataset=task,
        data_collator=DataCollatorForLanguageModeling(tok, mlm=False), replay_dataset=upstream, replay_ratio=1 / 3,
    )
    cb = ReplayCallback(trainer, FIXTURE, train_rows="1-36", probes=12, refresh_every=8, n_fine_tune=640)
    trainer.add_callback(cb)
    trainer.train()
    assert cb.switch_step == 2  # uniform replay for the first 10 % of 20 steps
    assert [h["step"] for h in cb.history] == [2, 10, 18]
    assert len(cb.probes) == 12 and set(cb.history[0]["observed"]) == set(cb.probes)
    assert any(v != 0 for v in cb.history[0]["observed"].values())  # the weights moved: forgetting measured
    last = cb.history[-1]
    # planned at the trainer's ratio (1/3) with the engine's default policy
    assert last["summary"]["ratio"] == 1 / 3 and last["summary"]["replayN"] == int(640 / 3) + 1
    assert last["summary"]["policy"] == json.loads((REPO / "python" / "forgetscope" / "defaults.json").read_text())["policy"]
    again = api.plan_replay(FIXTURE, observed=last["observed"], train_rows="1-36", n=640, ratio=1 / 3)
    assert np.array_equal(again["weights"]["weight"].to_numpy(), last["weights"]["weight"].to_numpy())
    want = dict(zip(last["weights"]["example"], last["weights"]["weight"]))
    p = trainer.replay_sampler.probabilities.numpy()
    np.testing.assert_allclose(p, [want[i] for i in trainer.replay_upstream_ids], rtol=1e-12, atol=0)
    assert (p == 0).any() and p.max() > 1 / 1000  # no longer uniform over the 1,000 upstream rows


def _ddp_worker(rank: int, world: int, port: int, out: str) -> None:
    import os

    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE=str(world), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    tok = train_tokenizer(bos=False)
    task = _tokenised(tok, [f"{a} + {b} = {a + b}" for a in range(4) for b in range(6)])
    up = _tokenised(tok, [f"upstream {i}" for i in range(40)], example=[str(i) for i in range(40)])
    trainer = ReplayTrainer(
        model=tiny_gpt2(len(tok)), args=_args(out, max_steps=-1, num_train_epochs=1, per_device_train_batch_size=4, ddp_backend="gloo"),
        train_dataset=task, data_collator=DataCollatorForLanguageModeling(tok, mlm=False), replay_dataset=up, replay_ratio=1 / 3,
    )
    try:
        trainer.train()
        with open(os.path.join(out, f"rank{rank}.json"), "w") as f:
            json.dump({"world": trainer.args.world_size, "log": trainer.replay_log, "stream": list(trainer.replay_sampler)}, f)
    finally:
        # the Trainer opened the process group and leaves it open; left to interpreter exit, gloo's
        # threads were once torn down while joinable (std::terminate → SIGABRT after a finished run)
        import torch.distributed as dist

        if dist.is_initialized():
            dist.barrier()
            dist.destroy_process_group()


def test_replay_trainer_under_two_gloo_processes(tmp_path):
    import torch.multiprocessing as mp

    from conftest import free_port

    mp.spawn(_ddp_worker, args=(2, free_port(), str(tmp_path)), nprocs=2, join=True)
    r0, r1 = (json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1))
    assert r0["world"] == r1["world"] == 2 and r0["stream"] == r1["stream"]  # one global stream on both ranks
    stream = r0["stream"]
    batches = [stream[i : i + 4] for i in range(0, len(stream), 4)]  # 32 rows: 24 task + 8 replay
    assert r0["log"] == batches[0::2] and r1["log"] == batches[1::2]  # disjoint, together the whole stream
    assert all(sum(r >= 24 for r in b) == 1 for b in r0["log"] + r1["log"])  # the ratio holds on every rank
