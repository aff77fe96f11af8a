#!/usr/bin/env python3
"""Closed-loop replay experiment: does forgetscope-predicted replay reduce forgetting more than uniform?

1. Pretrain a tiny byte-level transformer from scratch on local text (five sources, seeded).
2. Fine-tune it on each train task and measure the forgetting row with the harness (`forgetscope.collect`)
   → the train forgetting matrix (long Parquet table).
3. For every held-out task and seed: fine-tune without replay (a) and measure its true row; measure 30
   random non-held-out examples of that row; plan replay with forgetscope's TypeScript API / CLI:
   (b) uniform, (c) predicted from the 30 measured entries (lowrank completion → softmax(score/T)),
   (d) oracle = softmax of the true row; and (e) a neighbour-aware policy (facility location over the
   low-rank example factors, weighted by the predicted row). Fine-tune again with each plan at equal
   replay budget int(n·ratio)+1, ratios 1/32 and 1/8, with identical task batches across policies.
4. Score the mean forgetting (NLL after − NLL of the base model) on the held-out 20 % of upstream
   examples, which no policy ever replays; report means with 95 % t intervals and paired tests.

Run: `npm run bench -- replay` (or `python3 bench/replay/closed_loop.py --help`). CPU, one thread per
worker. Every random step is seeded; the results land in bench/out/replay/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "python"))

import corpus  # noqa: E402
import stats  # noqa: E402
from model import ByteGPT, lm_loss  # noqa: E402

from forgetscope.collect import collect, compute_nll  # noqa: E402
from forgetscope.replay import ReplayBatchSampler, WeightedReplaySampler, replay_count  # noqa: E402
from forgetscope.tables import read_table  # noqa: E402

POLICIES = ["uniform", "predicted", "oracle", "neighbour", "predicted-auto", "oracle-auto"]


def auto_temperature(scores: np.ndarray, support: float) -> float:
    """The temperature at which softmax(scores / T) has an effective support (exp of its entropy) of
    `support` examples: T = 0.1 is tuned to the paper's forgetting scale; on a model whose rows spread
    more, it puts all the weight on one or two examples, and this rule keeps the draw spread over a
    few times the replay budget. Found by bisection on log T."""
    def eff(t: float) -> float:
        z = (scores - scores.max()) / t
        w = np.exp(z)
        w /= w.sum()
        return float(np.exp(-(w * np.log(np.maximum(w, 1e-300))).sum()))
    lo, hi = 1e-6, 1e3
    for _ in range(100):
        mid = np.sqrt(lo * hi)
        if eff(mid) < support:
            lo = mid
        else:
            hi = mid
    return float(np.sqrt(lo * hi))


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=str(REPO / "bench" / "out" / "replay"))
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--heldout-tasks", type=int, default=6)
    p.add_argument("--per-source", type=int, default=120, help="upstream examples per source")
    p.add_argument("--source-bytes", type=int, default=400_000)
    p.add_argument("--pretrain-steps", type=int, default=500)
    p.add_argument("--pretrain-batch", type=int, default=32)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--task-windows", type=int, default=480, help="n: fine-tuning examples per task")
    p.add_argument("--ft-steps", type=int, default=48)
    p.add_argument("--ft-batch", type=int, default=16)
    p.add_argument("--ft-lr", type=float, default=3e-4)
    p.add_argument("--ratios", default="0.03125,0.125")
    p.add_argument("--temperature", type=float, default=0.1)
    p.add_argument("--probes", type=int, default=30)
    p.add_argument("--rank", type=int, default=5, help="low-rank factors for the neighbour policy")
    p.add_argument("--workers", type=int, default=2, help="worker processes (1 thread each)")
    p.add_argument("--policies", default="uniform,predicted,oracle,neighbour,predicted-auto,oracle-auto")
    p.add_argument("--auto-support", type=float, default=4.0, help="effective support of the auto-temperature policies, in replay budgets")
    p.add_argument("--reuse", help="results.json of an earlier run with the same settings: policies not run now are taken from it "
                   "(the no-replay runs must reproduce it exactly)")
    return p.parse_args()


# ---------------------------------------------------------------- data

def build_data(a: argparse.Namespace) -> dict:
    sources = corpus.upstream_sources(a.source_bytes, seed=1)
    rng = random.Random(1234)
    ups, src_of = [], []
    for name in sorted(sources):
        for w in corpus.windows(sources[name], a.per_source, rng):
            ups.append(w)
            src_of.append(name)
    order = list(range(len(ups)))
    rng.shuffle(order)
    ups = [ups[k] for k in order]
    src_of = [src_of[k] for k in order]
    ids = [f"u{j:04d}" for j in range(len(ups))]
    held_rng = random.Random(4242)
    held = []
    for name in sorted(sources):  # 20 % of every source, never replayed
        members = [j for j in range(len(ups)) if src_of[j] == name]
        held += held_rng.sample(members, len(members) // 5)
    texts = corpus.task_texts(200_000, seed=2)
    task_rng = random.Random(7)
    tasks = {name: corpus.windows(blob, a.task_windows, task_rng) for name, blob in sorted(texts.items())}
    names = sorted(tasks)
    random.Random(2024).shuffle(names)
    return {
        "sources": sources,
        "upstream": ups,
        "upstream_ids": ids,
        "upstream_source": src_of,
        "held": sorted(held),
        "tasks": tasks,
        "heldout_tasks": sorted(names[: a.heldout_tasks]),
        "train_tasks": sorted(names[a.heldout_tasks :]),
    }


def as_tensor(windows: list[bytes]) -> torch.Tensor:
    return torch.tensor([list(w) for w in windows], dtype=torch.long)


# ---------------------------------------------------------------- training

def pretrain(a: argparse.Namespace, data: dict, path: Path) -> None:
    torch.manual_seed(0)
    model = ByteGPT(layers=a.layers, width=a.width, heads=4, mlp=4 * a.width, seed=0)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, betas=(0.9, 0.95), weight_decay=0.1)
    warm = max(1, a.pretrain_steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + np.cos(np.pi * min(1.0, s / a.pretrain_steps)))
    )
    blobs = [np.frombuffer(b, dtype=np.uint8) for _, b in sorted(data["sources"].items())]
    g = np.random.default_rng(0)
    t0 = time.time()
    for step in range(a.pretrain_steps):
        rows = []
        for _ in range(a.pretrain_batch):
            blob = blobs[g.integers(len(blobs))]  # sources weighted equally
            s = g.integers(len(blob) - corpus.WINDOW)
            rows.append(blob[s : s + corpus.WINDOW])
        loss = lm_loss(model, torch.from_numpy(np.stack(rows).astype(np.int64)))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 100 == 0 or step == a.pretrain_steps - 1:
            print(f"  pretrain step {step} loss {loss.item():.3f} ({time.time() - t0:.0f}s)", file=sys.stderr, flush=True)
    torch.save(model.state_dict(), path)


def load_model(cfg: dict) -> ByteGPT:
    model = ByteGPT(layers=cfg["layers"], width=cfg["width"], heads=4, mlp=4 * cfg["width"], seed=0)
    model.load_state_dict(torch.load(cfg["base"], weights_only=True))
    return model


def finetune(cfg: dict, task: torch.Tensor, upstream: torch.Tensor, replay_idx: list[int] | None, ratio: float, seed: int) -> ByteGPT:
    """Full fine-tuning (AdamW, constant lr, clip 1.0). Replay rows come from ``replay_idx`` (cycled,
    reshuffled per pass) at ``ratio`` replay rows per task row, as an exact running fraction; the task
    rows are the same for every policy at the same ratio and seed."""
    torch.manual_seed(seed)
    model = load_model(cfg)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], betas=(0.9, 0.999), weight_decay=0.0)
    sampler = None
    if replay_idx:
        w = np.zeros(len(upstream))
        w[replay_idx] = 1.0
        sampler = WeightedReplaySampler(w, num_samples=len(replay_idx), mode="selected", seed=seed)
    batches = ReplayBatchSampler(len(task), sampler, ratio if replay_idx else 0.0, cfg["batch"], cfg["steps"], seed=seed)
    both = torch.cat([task, upstream])
    for idx in batches:
        loss = lm_loss(model, both[idx])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    return model


def _job(job: dict) -> dict:
    """One fine-tuning run + evaluation (runs in a worker process)."""
    torch.set_num_threads(1)
    cfg = job["cfg"]
    t0 = time.time()
    task = torch.load(job["task_file"], weights_only=True)
    upstream = torch.load(cfg["upstream_file"], weights_only=True)
    model = finetune(cfg, task, upstream, job.get("replay_idx"), job.get("ratio", 0.0), job["seed"])
    cols = job["eval_cols"]
    ids = cfg["ids"]
    if "collect_to" in job:  # a train task: the harness measures and writes its forgetting row
        collect(job["collect_to"], job["key"], model, [(ids[j], upstream[j]) for j in cols], base=job["base_nll"], batch_size=128)
        return {"key": job["key"], "nll": None, "seconds": time.time() - t0}
    nll = compute_nll(model, {ids[j]: upstream[j] for j in cols}, batch_size=128)
    return {"key": job["key"], "nll": [nll[ids[j]] for j in cols], "seconds": time.time() - t0}


def run_jobs(jobs: list[dict], workers: int, cache: Path | None = None) -> dict:
    """Runs the jobs (in `workers` processes); with `cache`, each result is kept as a JSON file and a
    rerun only computes the jobs it lacks."""
    out = {}
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        todo = []
        for j in jobs:
            f = cache / (j["key"].replace("|", "__") + ".json")
            if f.exists():
                out[j["key"]] = json.loads(f.read_text())
            else:
                todo.append(j)
        fresh = run_jobs(todo, workers)
        for k, r in fresh.items():
            (cache / (k.replace("|", "__") + ".json")).write_text(json.dumps(r))
        out.update(fresh)
        return out
    if workers <= 1:
        for k, j in enumerate(jobs):
            r = _job(j)
            out[r["key"]] = r
            print(f"  [{k + 1}/{len(jobs)}] {r['key']} {r['seconds']:.1f}s", file=sys.stderr, flush=True)
        return out
    with ProcessPoolExecutor(workers) as pool:
        for k, r in enumerate(pool.map(_job, jobs)):
            out[r["key"]] = r
            print(f"  [{k + 1}/{len(jobs)}] {r['key']} {r['seconds']:.1f}s", file=sys.stderr, flush=True)
    return out


# ---------------------------------------------------------------- policies

def neighbour_policy(scores: np.ndarray, factors: np.ndarray, held: np.ndarray, count: int) -> list[int]:
    """Greedy facility location: pick replay examples that cover the predicted forgetting of all
    upstream examples (held-out ones included — they are never replayed, but replaying a close
    neighbour protects them). Coverage of i by j = max(0, cosine of their low-rank example factors)."""
    e = factors / np.maximum(np.linalg.norm(factors, axis=1, keepdims=True), 1e-12)
    sim = np.maximum(e @ e.T, 0.0)
    p = np.maximum(scores, 0.0)
    cover = np.zeros(len(scores))
    chosen: list[int] = []
    candidate = ~held.copy()
    for _ in range(count):
        gain = p @ np.maximum(sim - cover[:, None], 0.0)
        gain[~candidate] = -np.inf
        j = int(np.argmax(gain))
        chosen.append(j)
        candidate[j] = False
        cover = np.maximum(cover, sim[:, j])
    return chosen


def run_plans(jobs: list[dict], train_file: Path, held_file: Path, work: Path) -> dict:
    spec = work / "plan-jobs.json"
    out = work / "plan-out.json"
    spec.write_text(json.dumps({"train": str(train_file), "exclude": str(held_file), "jobs": jobs}))
    subprocess.run(["node", str(HERE / "plan.mjs"), str(spec), str(out)], check=True)
    return json.loads(out.read_text())


def cli_check(job: dict, planned: dict, train_file: Path, held_file: Path, work: Path) -> None:
    """The CLI (`forgetscope replay`) must select exactly what the API planned for the same inputs."""
    obs = work / "cli-observed.csv"
    obs.write_text("example,value\n" + "".join(f"{i},{v!r}\n" for i, v in zip(job["observed"]["ids"], job["observed"]["values"])))
    cmd = ["node", str(REPO / "dist" / "cli" / "bin.js"), "replay", str(train_file), "--observed", str(obs), "--method", job["method"],
           "--temperature", repr(job["temperature"]), "--n", str(job["n"]), "--ratio", repr(job["ratio"]), "--seed", str(job["seed"]),
           "--exclude", str(held_file), "--out", str(work / "cli-weights.parquet"), "--force", "--json"]
    summary = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    assert summary["selected"] == planned["selected"], "CLI and API plans differ"


# ---------------------------------------------------------------- main

def main() -> None:
    a = parse_args()
    torch.set_num_threads(1)
    t_start = time.time()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    ratios = [float(r) for r in a.ratios.split(",")]
    data = build_data(a)
    N = len(data["upstream"])
    ids = data["upstream_ids"]
    held_mask = np.zeros(N, bool)
    held_mask[data["held"]] = True
    held_cols = [int(j) for j in np.flatnonzero(held_mask)]
    live_cols = [int(j) for j in np.flatnonzero(~held_mask)]
    (out / "heldout.txt").write_text("\n".join(ids[j] for j in held_cols) + "\n")
    print(f"upstream N={N} ({', '.join(f'{k} {len(v)} B' for k, v in sorted(data['sources'].items()))}); "
          f"held-out {len(held_cols)}; tasks: train {len(data['train_tasks'])}, held-out {data['heldout_tasks']}", file=sys.stderr)

    pre_args = ("per_source", "source_bytes", "pretrain_steps", "pretrain_batch", "width", "layers")
    ft_args = pre_args + ("heldout_tasks", "task_windows", "ft_steps", "ft_batch", "ft_lr")
    base_key = _key({k: getattr(a, k) for k in pre_args})
    config_key = _key({k: getattr(a, k) for k in ft_args})
    base_path = out / f"base-{base_key}.pt"
    t0 = time.time()
    timing = base_path.with_suffix(".json")
    if not base_path.exists():
        pretrain(a, data, base_path)
        timing.write_text(json.dumps({"seconds": time.time() - t0}))
    pretrain_s = json.loads(timing.read_text())["seconds"] if timing.exists() else float("nan")
    torch.save(as_tensor(data["upstream"]), out / "upstream.pt")
    cfg = {"base": str(base_path), "layers": a.layers, "width": a.width, "lr": a.ft_lr, "batch": a.ft_batch, "steps": a.ft_steps,
           "upstream_file": str(out / "upstream.pt"), "ids": ids}
    for name, w in data["tasks"].items():
        torch.save(as_tensor(w), out / f"task-{name}.pt")

    base = load_model(cfg)
    base_nll = compute_nll(base, {ids[j]: data["upstream"][j] for j in range(N)}, batch_size=128)
    base_vec = np.array([base_nll[i] for i in ids])
    print(f"base model: mean upstream NLL {base_vec.mean():.3f} nats/byte (pretraining {pretrain_s:.0f}s)", file=sys.stderr)

    # 2. train forgetting matrix through the harness (resumable: tasks already in the table are skipped)
    t0 = time.time()
    train_file = out / f"train-{config_key}.parquet"
    parts = out / f"train-parts-{config_key}"
    parts.mkdir(exist_ok=True)
    jobs = [{"key": t, "cfg": cfg, "task_file": str(out / f"task-{t}.pt"), "seed": 1000 + k, "eval_cols": list(range(N)),
             "collect_to": str(parts / f"{t}.parquet"), "base_nll": base_nll}
            for k, t in enumerate(data["train_tasks"]) if not (parts / f"{t}.parquet").exists()]
    run_jobs(jobs, a.workers)
    import pyarrow as pa  # noqa: E402
    from forgetscope.tables import write_table  # noqa: E402
    write_table(train_file, pa.concat_tables([read_table(parts / f"{t}.parquet") for t in data["train_tasks"]]))
    train_s = time.time() - t0
    table = read_table(train_file)
    tasks_in = sorted(set(table.column("task").to_pylist()))
    Z = np.zeros((len(tasks_in), N))
    tix = {t: i for i, t in enumerate(tasks_in)}
    jx = {e: j for j, e in enumerate(ids)}
    for t, e, b, aft in zip(*(table.column(c).to_pylist() for c in ("task", "example", "nll_before", "nll_after"))):
        Z[tix[t], jx[e]] = aft - b
    u, s, vt = np.linalg.svd(Z, full_matrices=False)
    r2 = [1 - np.mean((Z - (u[:, :k] * s[:k]) @ vt[:k]) ** 2) / np.mean((Z - Z.mean()) ** 2) for k in (1, 2, 3, 5)]
    print(f"train matrix {Z.shape}, mean Z {Z.mean():.3f}, R² ranks 1,2,3,5: {', '.join(f'{x:.3f}' for x in r2)}", file=sys.stderr)
    factors = vt[: a.rank].T * s[: a.rank]

    # 3a. no-replay runs of the held-out tasks: the true rows
    t0 = time.time()
    n = a.task_windows
    runs = [(h, s_) for h in data["heldout_tasks"] for s_ in range(a.seeds)]
    jobs = [{"key": f"{h}|{s_}|none", "cfg": cfg, "task_file": str(out / f"task-{h}.pt"), "seed": s_, "eval_cols": list(range(N))} for h, s_ in runs]
    none = run_jobs(jobs, a.workers, out / f"jobs-{config_key}")
    true_row = {(h, s_): np.array(none[f"{h}|{s_}|none"]["nll"]) - base_vec for h, s_ in runs}

    # 3b. plans (TypeScript API in one Node process; checked against the CLI once per ratio)
    plan_jobs = []
    for h, s_ in runs:
        z = true_row[(h, s_)]
        probe = sorted(np.random.default_rng([s_, hash_name(h)]).choice(live_cols, a.probes, replace=False).tolist())
        for r in ratios:
            common = {"n": n, "ratio": r, "temperature": a.temperature, "seed": s_, "method": "lowrank"}
            plan_jobs.append({**common, "name": f"{h}|{s_}|{r}|uniform", "observed": {"ids": [ids[j] for j in live_cols], "values": [0.0] * len(live_cols)}})
            plan_jobs.append({**common, "name": f"{h}|{s_}|{r}|predicted", "observed": {"ids": [ids[j] for j in probe], "values": [float(z[j]) for j in probe]}})
            plan_jobs.append({**common, "name": f"{h}|{s_}|{r}|oracle", "observed": {"ids": [ids[j] for j in live_cols], "values": [float(z[j]) for j in live_cols]}})
    plans = run_plans(plan_jobs, train_file, out / "heldout.txt", out)
    policies = a.policies.split(",")
    auto_jobs = []
    temps = {}
    for job in plan_jobs:
        base_name, pol = job["name"].rsplit("|", 1)
        if pol in ("predicted", "oracle") and f"{pol}-auto" in policies:
            h, s_, r = base_name.split("|")
            sc = np.array(plans[job["name"]]["scores"])[live_cols]
            t_auto = auto_temperature(sc, a.auto_support * replay_count(n, float(r)))
            temps[f"{base_name}|{pol}-auto"] = t_auto
            auto_jobs.append({**job, "name": f"{base_name}|{pol}-auto", "temperature": t_auto})
    if auto_jobs:
        plans.update(run_plans(auto_jobs, train_file, out / "heldout.txt", out))
    for r in ratios:
        first = next(j for j in plan_jobs if j["ratio"] == r and j["name"].endswith("predicted"))
        cli_check(first, plans[first["name"]], train_file, out / "heldout.txt", out)
    plan_s = time.time() - t0

    # 3c. replay runs, equal budget int(n·ratio)+1
    jobs = []
    for h, s_ in runs:
        for r in ratios:
            k = replay_count(n, r)
            sel = {p: [jx[i] for i in plans[f"{h}|{s_}|{r}|{p}"]["selected"]] for p in ("uniform", "predicted", "oracle", "predicted-auto", "oracle-auto") if f"{h}|{s_}|{r}|{p}" in plans}
            pred_scores = np.array(plans[f"{h}|{s_}|{r}|predicted"]["scores"])
            chosen = neighbour_policy(pred_scores, factors, held_mask, k)
            random.Random(s_).shuffle(chosen)
            sel["neighbour"] = chosen
            for p in policies:
                assert len(sel[p]) == k and not held_mask[sel[p]].any()
                jobs.append({"key": f"{h}|{s_}|{r}|{p}", "cfg": cfg, "task_file": str(out / f"task-{h}.pt"), "seed": s_,
                             "replay_idx": sel[p], "ratio": r, "eval_cols": held_cols})
    replay = run_jobs(jobs, a.workers, out / f"jobs-{config_key}")
    replay_s = time.time() - t0 - plan_s

    # 4. forgetting on the held-out upstream examples
    base_held = base_vec[held_cols]
    forget = {}
    for h, s_ in runs:
        forget[(h, s_, "none")] = float(np.mean(true_row[(h, s_)][held_cols]))
        for r in ratios:
            for p in policies:
                forget[(h, s_, r, p)] = float(np.mean(np.array(replay[f"{h}|{s_}|{r}|{p}"]["nll"]) - base_held))
    reused = []
    if a.reuse:
        old = json.loads(Path(a.reuse).read_text())["per_run"]
        for h, s_ in runs:
            prev = old[f"{h}|{s_}|none"]
            assert abs(prev - forget[(h, s_, "none")]) < 1e-9, f"{h}|{s_}: no-replay run differs from the reused results ({prev} vs {forget[(h, s_, 'none')]})"
        for key, v in old.items():
            parts = key.split("|")
            if len(parts) == 4 and parts[3] not in policies:
                forget[(parts[0], int(parts[1]), float(parts[2]), parts[3])] = v
                reused.append(key)
    results = summarise(forget, runs, ratios)
    pred_quality = {}
    for h, s_ in runs:
        pr = np.array(plans[f"{h}|{s_}|{ratios[0]}|predicted"]["scores"])
        z = true_row[(h, s_)]
        pred_quality[f"{h}|{s_}"] = {"rmse": float(np.sqrt(np.mean((pr - z)[live_cols] ** 2))), "pearson": float(np.corrcoef(pr[live_cols], z[live_cols])[0, 1])}
    report = {
        "config": {k: v for k, v in vars(a).items() if k != "out"},
        "N": N, "heldout_examples": len(held_cols), "train_tasks": data["train_tasks"], "heldout_tasks": data["heldout_tasks"],
        "base_mean_nll": float(base_vec.mean()), "train_matrix_mean_z": float(Z.mean()), "train_r2": dict(zip(("1", "2", "3", "5"), map(float, r2))),
        "prediction": {"mean_rmse": float(np.mean([v["rmse"] for v in pred_quality.values()])), "mean_pearson": float(np.mean([v["pearson"] for v in pred_quality.values()])), "runs": pred_quality},
        "results": results,
        "per_run": {"|".join(map(str, k)): v for k, v in forget.items()},
        "auto_temperatures": temps, "reused_from_earlier_run": sorted({k.split("|")[3] for k in reused}),
        "seconds": {"pretrain": pretrain_s, "train_matrix": train_s, "heldout_no_replay_and_plans": plan_s, "replay_runs": replay_s, "total": time.time() - t_start},
        "torch": torch.__version__, "threads_per_worker": 1, "workers": a.workers,
    }
    (out / "results.json").write_text(json.dumps(report, indent=1))
    print(markdown(report, ratios))


def _key(d: dict) -> str:
    """Cache key of the runs that depend on these settings (the pretrained base, the train matrix)."""
    return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]


def hash_name(name: str) -> int:
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)


def summarise(forget: dict, runs: list, ratios: list[float]) -> dict:
    res = {}
    none = np.array([forget[(h, s, "none")] for h, s in runs])
    res["none"] = dict(zip(("mean", "lo", "hi"), stats.mean_ci(none)))
    for r in ratios:
        present = [p for p in POLICIES if (runs[0][0], runs[0][1], r, p) in forget]
        per = {p: np.array([forget[(h, s, r, p)] for h, s in runs]) for p in present}
        entry = {p: dict(zip(("mean", "lo", "hi"), stats.mean_ci(v))) for p, v in per.items()}
        tests = {}
        pairs = [(x, "uniform") for x in present if x != "uniform"] + [("neighbour", "oracle"), ("predicted", "oracle"), ("predicted-auto", "oracle"), ("predicted-auto", "oracle-auto"), ("uniform", "none")]
        for a_, b_ in pairs:
            if a_ not in per or (b_ != "none" and b_ not in per):
                continue
            d = per[a_] - (none if b_ == "none" else per[b_])
            t = stats.paired_t(d)
            tests[f"{a_}-{b_}"] = {"mean_diff": t["mean"], "ci": list(stats.mean_ci(d)[1:]), "t": t["t"], "p_t": t["p"], "p_signflip": stats.sign_flip_p(d),
                                   "wins": int(np.sum(d < 0)), "pairs": len(d)}
        gain_oracle = entry["uniform"]["mean"] - entry["oracle"]["mean"]
        entry["tests"] = tests
        entry["fraction_of_oracle_gain"] = {p: ((entry["uniform"]["mean"] - entry[p]["mean"]) / gain_oracle if gain_oracle != 0 else None) for p in present if p not in ("uniform", "oracle")}
        res[str(r)] = entry
    return res


def markdown(rep: dict, ratios: list[float]) -> str:
    res = rep["results"]
    lines = [f"N = {rep['N']} upstream examples ({rep['heldout_examples']} held out), {len(rep['train_tasks'])} train tasks, "
             f"held-out tasks {', '.join(rep['heldout_tasks'])} × {rep['config']['seeds']} seeds; n = {rep['config']['task_windows']}, "
             f"T = {rep['config']['temperature']}, {rep['config']['probes']} probes; lowrank prediction on held-out tasks: RMSE {rep['prediction']['mean_rmse']:.4f}, Pearson {rep['prediction']['mean_pearson']:.3f}.",
             "", "| ratio | policy | mean forgetting on held-out examples (nats/byte) [95% CI] | vs uniform: mean diff [95% CI] | paired t p | sign-flip p | wins |",
             "|---|---|---|---|---|---|---|",
             f"| – | (a) no replay | {res['none']['mean']:.4f} [{res['none']['lo']:.4f}, {res['none']['hi']:.4f}] | | | | |"]
    label = {"uniform": "(b) uniform", "predicted": "(c) forgetscope predicted, T = 0.1", "oracle": "(d) oracle softmax, T = 0.1", "neighbour": "(e) neighbour-aware (predicted)",
             "predicted-auto": "(f) forgetscope predicted, auto T", "oracle-auto": "(g) oracle softmax, auto T"}
    for r in ratios:
        e = res[str(r)]
        for p in [q for q in POLICIES if q in e]:
            m = e[p]
            if p == "uniform":
                t = e["tests"]["uniform-none"]
                extra = f"vs none {t['mean_diff']:+.4f} [{t['ci'][0]:+.4f}, {t['ci'][1]:+.4f}] | {t['p_t']:.2g} | {t['p_signflip']:.2g} | {t['wins']}/{t['pairs']}"
            else:
                t = e["tests"][f"{p}-uniform"]
                extra = f"{t['mean_diff']:+.4f} [{t['ci'][0]:+.4f}, {t['ci'][1]:+.4f}] | {t['p_t']:.2g} | {t['p_signflip']:.2g} | {t['wins']}/{t['pairs']}"
            lines.append(f"| 1/{round(1 / r)} | {label[p]} | {m['mean']:.4f} [{m['lo']:.4f}, {m['hi']:.4f}] | {extra} |")
    lines.append("")
    for r in ratios:
        e = res[str(r)]
        f = e["fraction_of_oracle_gain"]
        lines.append(f"ratio 1/{round(1 / r)}: share of the oracle's (T = 0.1) gain over uniform: " + ", ".join(f"{p} {fmt_pct(v)}" for p, v in f.items()) + "; "
                     + "; ".join(f"{k} {t['mean_diff']:+.4f} (t p = {t['p_t']:.2g}, sign-flip p = {t['p_signflip']:.2g})" for k, t in e["tests"].items() if k.endswith("-oracle") or k.endswith("-oracle-auto")) + ".")
    sec = rep["seconds"]
    lines.append(f"\nTime: pretraining {sec['pretrain']:.0f} s, train matrix {sec['train_matrix']:.0f} s, held-out no-replay runs + plans {sec['heldout_no_replay_and_plans']:.0f} s, "
                 f"replay runs {sec['replay_runs']:.0f} s, total {sec['total']:.0f} s ({rep['workers']} worker(s), 1 thread each).")
    return "\n".join(lines)


def fmt_pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.0f} %"


if __name__ == "__main__":
    main()
