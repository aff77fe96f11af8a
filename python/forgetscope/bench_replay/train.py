"""Pretraining, fine-tuning with replay, and the resumable job runner of the benchmark (CPU, one thread
per worker; every random step seeded)."""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch

from ..atomic import atomic_write
from ..collect import collect, compute_nll
from ..replay import ReplayBatchSampler, WeightedReplaySampler
from . import corpus
from .models import build_model, lm_loss


def log(msg: str) -> None:
    """Progress line on stderr."""
    print(msg, file=sys.stderr, flush=True)


def pretrain(cfg: dict, streams: dict[str, np.ndarray], path: Path) -> float:
    """Pretrains a fresh model on the source mixture (``streams``: each source's byte or token ids; sources
    weighted equally; AdamW, warm-up + cosine) and saves its state dict to ``path``. Returns the seconds
    taken."""
    p = cfg["pretrain"]
    torch.manual_seed(cfg["model"].get("seed", 0))
    model = build_model(cfg["model"]["kind"], cfg["model"])
    opt = torch.optim.AdamW(model.parameters(), lr=p["lr"], betas=(0.9, 0.95), weight_decay=0.1)
    steps = p["steps"]
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + np.cos(np.pi * min(1.0, s / steps))))
    blobs = [ids for _, ids in sorted(streams.items())]
    g = np.random.default_rng(cfg["model"].get("seed", 0))
    t0 = time.time()
    for step in range(steps):
        rows = []
        for _ in range(p["batch"]):
            blob = blobs[g.integers(len(blobs))]
            s = g.integers(len(blob) - corpus.WINDOW)
            rows.append(blob[s: s + corpus.WINDOW])
        loss = lm_loss(model, torch.from_numpy(np.stack(rows).astype(np.int64)))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 100 == 0 or step == steps - 1:
            log(f"  pretrain {cfg['name']} step {step} loss {loss.item():.3f} ({time.time() - t0:.0f}s)")
    tmp = path.with_suffix(".tmp")
    torch.save(model.state_dict(), tmp)
    tmp.replace(path)
    return time.time() - t0


def load_base(run: dict) -> torch.nn.Module:
    """The pretrained base model of a run configuration."""
    model = build_model(run["model"]["kind"], run["model"])
    model.load_state_dict(torch.load(run["base"], weights_only=True))
    return model


def finetune(run: dict, task: torch.Tensor, upstream: torch.Tensor, replay_idx: list[int] | None, ratio: float, seed: int) -> torch.nn.Module:
    """Full fine-tuning (AdamW, constant lr, clip 1.0). Replay rows come from ``replay_idx`` (cycled,
    reshuffled per pass) at ``ratio`` replay rows per task row as an exact running fraction; the task
    rows are the same for every policy at the same ratio and seed."""
    return finetune_with_optimizer(run, task, upstream, replay_idx, ratio, seed)[0]


def finetune_with_optimizer(run: dict, task: torch.Tensor, upstream: torch.Tensor, replay_idx: list[int] | None, ratio: float,
                            seed: int) -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    """:func:`finetune`, also returning its AdamW optimizer at the end of the run (its state is what
    ``forgetscope.side_variants.adam_preconditioner`` reads)."""
    torch.manual_seed(seed)
    model = load_base(run)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=run["lr"], betas=(0.9, 0.999), weight_decay=0.0)
    sampler = None
    if replay_idx:
        w = np.zeros(len(upstream))
        w[replay_idx] = 1.0
        sampler = WeightedReplaySampler(w, num_samples=len(replay_idx), mode="selected", seed=seed)
    batches = ReplayBatchSampler(len(task), sampler, ratio if replay_idx else 0.0, run["batch"], run["steps"], seed=seed)
    both = torch.cat([task, upstream])
    for idx in batches:
        loss = lm_loss(model, both[idx])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    return model, opt


def _job(job: dict) -> dict:
    """One fine-tuning run and its evaluation (in a worker process)."""
    torch.set_num_threads(1)
    run = job["run"]
    t0 = time.time()
    task = torch.load(job["task_file"], weights_only=True)
    upstream = torch.load(run["upstream_file"], weights_only=True)
    model = finetune(run, task, upstream, job.get("replay_idx"), job.get("ratio", 0.0), job["seed"])
    cols = job["eval_cols"]
    ids = run["ids"]
    if "state_to" in job:  # its fine-tuned parameters, for the side information of the exported dataset
        state = {n: p.detach().clone() for n, p in model.named_parameters()}
        atomic_write(job["state_to"], lambda tmp: torch.save(state, tmp))
    if "collect_to" in job:  # a train task: the harness measures and writes its forgetting row
        collect(job["collect_to"], job["key"], model, [(ids[j], upstream[j]) for j in cols], base=job["base_nll"], batch_size=128)
        return {"key": job["key"], "nll": None, "seconds": time.time() - t0}
    nll = compute_nll(model, {ids[j]: upstream[j] for j in cols}, batch_size=128)
    return {"key": job["key"], "nll": [nll[ids[j]] for j in cols], "seconds": time.time() - t0}


def _cache_file(cache: Path, key: str) -> Path:
    return cache / (key.replace("|", "__").replace("/", "_") + ".json")


def run_jobs(jobs: list[dict], workers: int, cache: Path | None = None, label: str = "") -> dict:
    """Runs the jobs in ``workers`` processes (1 thread each). With ``cache`` every result is written
    as one JSON file as soon as it is done, and a rerun only computes the jobs it lacks (resumable)."""
    out: dict = {}
    todo = jobs
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        todo = []
        for j in jobs:
            f = _cache_file(cache, j["key"])
            if f.exists():
                out[j["key"]] = json.loads(f.read_text())
            else:
                todo.append(j)
        if out:
            log(f"  {label}: {len(out)} of {len(jobs)} jobs cached")
    t0 = time.time()

    def done(k: int, r: dict) -> None:
        out[r["key"]] = r
        if cache is not None:
            atomic_write(_cache_file(cache, r["key"]), lambda tmp: Path(tmp).write_text(json.dumps(r)))
        eta = (time.time() - t0) / (k + 1) * (len(todo) - k - 1)
        log(f"  {label} [{k + 1}/{len(todo)}] {r['key']} {r['seconds']:.1f}s (eta {eta:.0f}s)")

    if workers <= 1 or len(todo) <= 1:
        for k, j in enumerate(todo):
            done(k, _job(j))
    else:
        with ProcessPoolExecutor(workers) as pool:
            for k, r in enumerate(pool.map(_job, todo)):
                done(k, r)
    return out
