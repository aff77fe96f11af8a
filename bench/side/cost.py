#!/usr/bin/env python3
"""Cost of side information against measuring a row directly, on bench/side's tiny base model (median of runs).

Per upstream set, once: N per-example backward passes (``example_gradients``, exact or projected).
Per new task: one weight change dotted with G (``first_order``) and the variants of
``forgetscope.side_variants`` (per layer, cosine, Adam-preconditioned, diagonal curvature) — against N forward
passes to measure the row (``compute_nll``, batched as collect does, and batch of one for a like-for-like
count of passes).
Run after bench/side/run.py (it reuses the cached base): `nice -n 10 python3 bench/side/cost.py`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "python"))
sys.path.insert(0, str(HERE))

from run import bench_config  # noqa: E402  (bench/side/run.py: the same model, data and fine-tuning)

from forgetscope.bench_replay.data import as_tensor, build_data  # noqa: E402
from forgetscope.bench_replay.train import finetune_with_optimizer, load_base  # noqa: E402
from forgetscope.collect import compute_nll  # noqa: E402
from forgetscope.side import example_gradients, first_order  # noqa: E402
from forgetscope.side_variants import (  # noqa: E402
    adam_preconditioner,
    first_order_adam,
    first_order_by_group,
    first_order_cos,
    second_order_diag,
)


def timed(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=str(REPO / "bench" / "out" / "side"))
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(1)
    out = Path(a.out)
    res = json.loads((out / "results.json").read_text())
    cfg_args = argparse.Namespace(**res["config"])
    bench = bench_config(cfg_args)
    data = build_data(bench)
    base_path = sorted(out.glob("base-*.pt"))[0]
    cfg = {"base": str(base_path), "model": bench["model"], "batch": cfg_args.ft_batch, "steps": cfg_args.ft_steps, "lr": 3e-4}
    base = load_base(cfg)
    upstream = as_tensor(data["upstream"])
    ids = data["upstream_ids"]
    examples = {ids[j]: upstream[j] for j in range(len(ids))}
    tuned, opt = finetune_with_optimizer(cfg, as_tensor(data["tasks"][res["tasks"][0]]), upstream, None, 0.0, 1000)
    pre = [adam_preconditioner(opt, tuned)]
    row: dict[str, float] = {}
    row["row_forward_batched_128"], _ = timed(lambda: compute_nll(tuned, examples, batch_size=128), a.runs)
    row["row_forward_batch_of_1"], _ = timed(lambda: compute_nll(tuned, examples, batch_size=1), a.runs)
    row["gradients_exact"], exact = timed(lambda: example_gradients(base, examples), a.runs)
    for kind, k in (("rademacher", 1024), ("rademacher", 4096), ("countsketch", 4096), ("countsketch", 65536)):
        row[f"gradients_{kind}{k}"], g = timed(lambda k=k, kind=kind: example_gradients(base, examples, proj_dim=k, kind=kind, batch_size=len(ids)), a.runs)
        row[f"dot_{kind}{k}_per_task"], _ = timed(lambda g=g: first_order(g, base, [tuned]), a.runs)
    row["dot_exact_per_task"], _ = timed(lambda: first_order(exact, base, [tuned]), a.runs)
    row["first_order_layers_per_task"], _ = timed(lambda: first_order_by_group(exact, base, [tuned]), a.runs)
    row["first_order_cos_per_task"], _ = timed(lambda: first_order_cos(exact, base, [tuned]), a.runs)
    row["first_order_adam_per_task"], _ = timed(lambda: first_order_adam(exact, base, [tuned], pre), a.runs)
    row["second_order_diag_per_task"], _ = timed(lambda: second_order_diag(exact, base, [tuned]), a.runs)
    report = {"N": len(ids), "P": exact.G.shape[1], "runs": a.runs, "median_seconds": row, "torch": torch.__version__, "threads": 1,
              "loadavg": Path("/proc/loadavg").read_text().split()[:3]}
    (out / "cost.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
