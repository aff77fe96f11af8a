#!/usr/bin/env python3
"""Side information on a self-built model: the seed-replica noise floor and how well first_order predicts Z.

1. Pretrain bench/replay's tiny byte-level GPT on its local-text corpus (or reuse the cached base).
2. Fine-tune T tasks (full fine-tuning, AdamW, as bench/replay/closed_loop.py does) and R of them again
   with another seed; measure every row Z[i, j] = NLL_after − NLL_base with the harness (`compute_nll`).
3. Compute side information with `forgetscope.side`: per-example gradients at the base weights (exact,
   and projected at several dims), then first_order = ⟨∇NLL_j(θ0), θ_i − θ0⟩ and task_gradient =
   ⟨∇NLL_j(θ0), −lr·steps·ḡ_i⟩ (ḡ over 4 batches of the task at θ0), and the variants of
   `forgetscope.side_variants` (per layer, cosine, Adam-preconditioned with each run's final AdamW state,
   diagonal curvature), each timed.
4. Report the noise floor (RMSE between replica rows), median per-row Pearson of every side matrix
   with Z, projected-vs-exact agreement, and the cost in seconds of each step; write the dataset folder
   (Z.npy, tasks.json, examples.jsonl, base_nll.npy, side/*.npy) under bench/out/side/ and the report
   as bench/out/side/results.json (copied to bench/side/results.json with --record).

The model, data, pretraining and fine-tuning are those of `forgetscope.bench_replay` (the byte-gpt
adapter). CPU, one thread, every random step seeded. Run: `nice -n 10 python3 bench/side/run.py`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "python"))

from forgetscope.bench_replay.data import as_tensor, build_data  # noqa: E402
from forgetscope.bench_replay.models import lm_loss  # noqa: E402
from forgetscope.bench_replay.train import finetune_with_optimizer, load_base, pretrain  # noqa: E402
from forgetscope.collect import compute_nll  # noqa: E402
from forgetscope.dataset import write_dataset, write_side  # noqa: E402
from forgetscope.side import example_gradients, first_order, task_gradient, task_step  # noqa: E402
from forgetscope.side_variants import (  # noqa: E402
    adam_preconditioner,
    first_order_adam,
    first_order_by_group,
    first_order_cos,
    second_order_diag,
)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=str(REPO / "bench" / "out" / "side"))
    p.add_argument("--tasks", type=int, default=16)
    p.add_argument("--replicas", type=int, default=3, help="tasks fine-tuned again with another seed")
    p.add_argument("--per-source", type=int, default=60, help="upstream examples per source")
    p.add_argument("--source-bytes", type=int, default=400_000)
    p.add_argument("--pretrain-steps", type=int, default=400)
    p.add_argument("--pretrain-batch", type=int, default=32)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--task-windows", type=int, default=480)
    p.add_argument("--ft-steps", type=int, default=48)
    p.add_argument("--ft-batch", type=int, default=16)
    p.add_argument("--lrs", default="1e-4,3e-4", help="learning rates, drawn per task with a fixed seed")
    p.add_argument("--proj", default="rademacher:256,rademacher:1024,rademacher:4096,countsketch:4096,countsketch:16384,countsketch:65536",
                   help="projections to compare with the exact term, kind:dim")
    p.add_argument("--grad-batches", type=int, default=4, help="task batches for task_gradient's ḡ")
    p.add_argument("--record", action="store_true", help="also copy the report to bench/side/results.json")
    return p.parse_args()


def bench_config(a: argparse.Namespace) -> dict:
    """The forgetscope.bench_replay configuration of this run (byte-gpt adapter; every task available)."""
    return {"name": "side", "model": {"kind": "byte-gpt", "width": a.width, "layers": a.layers, "heads": 4, "context": 64, "seed": 0},
            "data": {"per_source": a.per_source, "source_bytes": a.source_bytes, "task_windows": a.task_windows,
                     "heldout_tasks": 0, "heldout_fraction": 0.2, "max_train_tasks": None, "task_bytes": 200_000},
            "pretrain": {"steps": a.pretrain_steps, "batch": a.pretrain_batch, "lr": 2e-3}}


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def median_row_pearson(S: np.ndarray, Z: np.ndarray) -> float:
    return float(np.median([pearson(S[i], Z[i]) for i in range(len(Z))]))


def variants(grads, base, tuned: list, preconditioners: list) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """The side matrices of forgetscope.side_variants for the tasks' weight changes, and each one's
    seconds per task (from the per-example gradients and the tuned weights; no further pass)."""
    out, seconds = {}, {}
    for name, fn in (("first_order_layers", lambda: first_order_by_group(grads, base, tuned)),
                     ("first_order_cos", lambda: {"first_order_cos": first_order_cos(grads, base, tuned)}),
                     ("first_order_adam", lambda: {"first_order_adam": first_order_adam(grads, base, tuned, preconditioners)}),
                     ("second_order_diag", lambda: {"second_order_diag": second_order_diag(grads, base, tuned)})):
        t0 = time.time()
        out.update(fn())
        seconds[name] = (time.time() - t0) / len(tuned)
    return out, seconds


def main() -> None:
    a = parse_args()
    torch.set_num_threads(1)
    t_start = time.time()
    load_start = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else None
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    bench = bench_config(a)
    data = build_data(bench)
    ups, ids = data["upstream"], data["upstream_ids"]
    N = len(ups)
    pre = {k: bench[k] for k in ("model", "data", "pretrain")}
    base_path = out / f"base-{hashlib.sha256(json.dumps(pre, sort_keys=True).encode()).hexdigest()[:12]}.pt"
    if not base_path.exists():
        seconds = pretrain(bench, data["streams"], base_path)
        base_path.with_suffix(".json").write_text(json.dumps({"seconds": seconds}))
    pretrain_s = json.loads(base_path.with_suffix(".json").read_text())["seconds"]

    names = sorted(data["tasks"])
    random.Random(2024).shuffle(names)
    tasks = sorted(names[: a.tasks])
    lrs = [float(x) for x in a.lrs.split(",")]
    lr_rng = random.Random(777)
    lr_of = {t: lr_rng.choice(lrs) for t in tasks}
    replicas = tasks[:: max(1, len(tasks) // a.replicas)][: a.replicas]
    upstream = as_tensor(ups)
    task_data = {t: as_tensor(data["tasks"][t]) for t in tasks}
    cfg = {"base": str(base_path), "model": bench["model"], "batch": a.ft_batch, "steps": a.ft_steps}
    base = load_base(cfg)
    examples = {ids[j]: upstream[j] for j in range(N)}

    t0 = time.time()
    base_nll = compute_nll(base, examples, batch_size=128)
    row_s = time.time() - t0  # one row measured directly = N forward passes (batched)
    base_vec = np.array([base_nll[i] for i in ids])
    print(f"N={N} upstream examples, {len(tasks)} tasks, replicas {replicas}; base NLL {base_vec.mean():.3f} "
          f"(pretraining {pretrain_s:.0f} s); base row {row_s:.2f} s", file=sys.stderr, flush=True)

    # per-example gradients at θ0: exact, then projected (once per upstream set)
    timings: dict[str, float] = {}
    t0 = time.time()
    exact = example_gradients(base, examples)
    timings["gradients_exact"] = time.time() - t0
    P = exact.G.shape[1]
    projected = {}
    for spec in a.proj.split(","):
        kind, k = spec.split(":")
        t0 = time.time()
        projected[f"{kind}{k}"] = example_gradients(base, examples, proj_dim=int(k), kind=kind, seed=0, batch_size=N)
        timings[f"gradients_{kind}{k}"] = time.time() - t0
    print(f"P={P} parameters; gradients: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()), file=sys.stderr, flush=True)

    # fine-tuning, rows, weight changes, task steps
    runs = [(t, 0) for t in tasks] + [(t, 1) for t in replicas]
    Z, tuned_states, adam_pre, steps_pred, ft_s, meas_s = {}, {}, {}, {}, [], []
    for k, (t, rep) in enumerate(runs):
        run_cfg = {**cfg, "lr": lr_of[t]}
        seed = 1000 + tasks.index(t) + 500 * rep
        t0 = time.time()
        model, opt = finetune_with_optimizer(run_cfg, task_data[t], upstream, None, 0.0, seed)
        ft_s.append(time.time() - t0)
        adam_pre[(t, rep)] = adam_preconditioner(opt, model)
        t0 = time.time()
        nll = compute_nll(model, examples, batch_size=128)
        meas_s.append(time.time() - t0)
        Z[(t, rep)] = np.array([nll[i] for i in ids]) - base_vec
        tuned_states[(t, rep)] = {n: p.detach().clone() for n, p in model.named_parameters()}
        print(f"  [{k + 1}/{len(runs)}] {t} seed {seed} lr {lr_of[t]:g}: mean Z {Z[(t, rep)].mean():.3f} "
              f"(fine-tune {ft_s[-1]:.1f} s, row {meas_s[-1]:.1f} s)", file=sys.stderr, flush=True)
    t0 = time.time()
    for t in tasks:  # ḡ over the first grad_batches batches of the task's training windows (seeded)
        g = torch.Generator().manual_seed(1000 + tasks.index(t))
        batches = [task_data[t][torch.randint(len(task_data[t]), (a.ft_batch,), generator=g)] for _ in range(a.grad_batches)]
        steps_pred[t] = task_step(base, batches, lr=lr_of[t], steps=a.ft_steps, loss_fn=lm_loss)
    timings["task_step_per_task"] = (time.time() - t0) / len(tasks)

    keys = [(t, 0) for t in tasks]
    Zm = np.stack([Z[k] for k in keys])
    t0 = time.time()
    F_all = first_order(exact, base, [tuned_states[k] for k in runs])
    dot_exact_s = (time.time() - t0) / len(runs)
    F = F_all[: len(tasks)]
    t0 = time.time()
    TG = task_gradient(exact, [steps_pred[t] for t in tasks])
    timings["dot_task_gradient_per_task"] = (time.time() - t0) / len(tasks)
    sides, variant_s = variants(exact, base, [tuned_states[k] for k in keys], [adam_pre[k] for k in keys])
    sides = {"first_order": F, "task_gradient": TG, **sides}
    timings.update({f"{name}_per_task": v for name, v in variant_s.items()})
    proj_report, proj_sides = {}, {}
    for k, g in projected.items():
        t0 = time.time()
        Fp = first_order(g, base, [tuned_states[kk] for kk in keys])
        proj_report[k] = {
            "seconds_per_task": (time.time() - t0) / len(keys),
            "median_row_pearson_with_exact": median_row_pearson(Fp, F),
            "relative_error": float(np.linalg.norm(Fp - F) / np.linalg.norm(F)),
            "median_row_pearson_with_Z": median_row_pearson(Fp, Zm),
        }
        timings[f"dot_{k}_per_task"] = proj_report[k]["seconds_per_task"]
        if k == max((x for x in projected if x.startswith(k.rstrip("0123456789"))), key=lambda x: projected[x].G.shape[1]):
            proj_sides[f"first_order_{k}"] = Fp
    timings["dot_exact_per_task"] = dot_exact_s

    # seed-replica noise floor
    floor = {}
    for t in replicas:
        za, zb = Z[(t, 0)], Z[(t, 1)]
        fa, fb = F_all[runs.index((t, 0))], F_all[runs.index((t, 1))]
        floor[t] = {"rmse_between_replicas": float(np.sqrt(np.mean((za - zb) ** 2))), "pearson_Z_replicas": pearson(za, zb),
                    "pearson_first_order_replicas": pearson(fa, fb), "mean_Z": float(za.mean()),
                    "pearson_first_order_a_with_Z_b": pearson(fa, zb)}
    rm = float(np.mean([v["rmse_between_replicas"] for v in floor.values()]))

    per_task = {t: {"lr": lr_of[t], "mean_Z": float(Zm[i].mean()), "pearson_first_order": pearson(F[i], Zm[i]),
                    "pearson_task_gradient": pearson(TG[i], Zm[i]), "pearson_first_order_mean_Z_scale": float(F[i].mean() / max(Zm[i].mean(), 1e-12))}
                for i, t in enumerate(tasks)}
    report = {
        "config": {k: v for k, v in vars(a).items() if k != "out"},
        "N": N, "P": P, "tasks": tasks, "replicas": replicas, "base_mean_nll": float(base_vec.mean()),
        "mean_Z": float(Zm.mean()),
        "noise_floor": {"mean_rmse_between_replicas": rm, "per_run_rmse": rm / np.sqrt(2), "per_task": floor},
        "median_row_pearson": {name: median_row_pearson(S, Zm) for name, S in sides.items()},
        "median_row_pearson_first_plus_second_order": median_row_pearson(F + sides["second_order_diag"], Zm),
        "backward_passes": {"once_per_upstream_set": N, "per_task": {name: a.grad_batches if name == "task_gradient" else 0 for name in sides}},
        "projected": proj_report,
        "per_task": per_task,
        "seconds": {**timings, "pretrain": pretrain_s, "row_direct_median": float(np.median(meas_s)), "base_row": row_s,
                    "finetune_median": float(np.median(ft_s)), "total": time.time() - t_start},
        "torch": torch.__version__, "threads": 1,
        "loadavg_start": load_start,
        "loadavg": Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else None,
    }

    folder = out / "dataset"
    src = data["upstream_source"]
    write_dataset(folder, Zm, [{"id": t, "name": t, "lr": lr_of[t], "steps": a.ft_steps, "batch": a.ft_batch, "recipe": "full",
                                "seed": 1000 + i} for i, t in enumerate(tasks)],
                  [{"id": ids[j], "source": src[j], "text": ups[j].decode("latin-1")} for j in range(N)], base_nll=base_vec)
    for name, S in sides.items():
        write_side(folder, name, S, task_ids=tasks, example_ids=ids)
    for name, Fp in proj_sides.items():  # the largest projection of each kind
        write_side(folder, name, Fp, task_ids=tasks, example_ids=ids)
    rep_folder = out / "replicas"
    write_dataset(rep_folder, np.stack([Z[(t, 1)] for t in replicas]), [f"{t}@seed{1000 + tasks.index(t) + 500}" for t in replicas], ids)
    write_side(rep_folder, "first_order", F_all[len(tasks):])
    (out / "results.json").write_text(json.dumps(report, indent=1))
    if a.record:
        (HERE / "results.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: report[k] for k in ("N", "P", "mean_Z", "noise_floor", "median_row_pearson", "projected", "seconds")}, indent=1))


if __name__ == "__main__":
    main()
