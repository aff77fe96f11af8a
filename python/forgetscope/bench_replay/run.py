"""The benchmark's steps: data, pretraining, the train forgetting matrix (through the harness), the
no-replay runs of the held-out tasks (their true rows), the plans (through forgetscope), the replay runs
and the report. Every step is cached under ``out`` and a rerun resumes where it stopped."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import torch

from ..atomic import atomic_write
from ..collect import compute_nll
from ..replay import replay_count
from ..tables import read_table, write_table
from . import report
from .config import POLICIES
from .data import as_tensor, build_data
from .export import example_text, export_dataset
from .planning import engine_digest, plan_all
from .side_rows import gradient_scores, projected_gradients
from .train import load_base, log, pretrain, run_jobs


def _key(d) -> str:
    return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]


def _hash_name(name: str) -> int:
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)


def with_example_meta(train_file: Path, data: dict, ids: list[str]) -> Path:
    """The train table with each example's ``source`` and ``text`` added (written beside it, afresh with
    every planning, so it never lags the table): what a user who has their upstream examples' text gives
    the engine, so lowrank's example effects can use it."""
    path = train_file.with_name(train_file.stem + "-meta.parquet")
    table = read_table(train_file)
    jx = {e: j for j, e in enumerate(ids)}
    cols = [jx[e] for e in table.column("example").to_pylist()]
    texts = [example_text(w, data["tokenizer"]) for w in data["upstream"]]
    table = table.append_column("source", pa.array([data["upstream_source"][j] for j in cols], pa.string()))
    table = table.append_column("text", pa.array([texts[j] for j in cols], pa.string()))
    write_table(path, table)
    return path


def run_benchmark(cfg: dict) -> dict:
    """Runs (or resumes) the benchmark of configuration ``cfg`` (see :func:`load_config`); writes
    ``results.json``, ``runs.parquet``, ``report.md``, ``plot.vl.json`` and ``plot.png`` under
    ``cfg["out"]`` (``results-<tag>.json`` … with ``cfg["tag"]``: another run sharing the caches, e.g.
    a confirmation on new seeds) and returns the report."""
    torch.set_num_threads(1)
    t_start = time.time()
    out = Path(cfg["out"])
    out.mkdir(parents=True, exist_ok=True)
    data = build_data(cfg)
    N = len(data["upstream"])
    ids = data["upstream_ids"]
    held_mask = np.zeros(N, bool)
    held_mask[data["held"]] = True
    held_cols = [int(j) for j in np.flatnonzero(held_mask)]
    live_cols = [int(j) for j in np.flatnonzero(~held_mask)]
    held_file = out / "heldout.txt"
    held_file.write_text("\n".join(ids[j] for j in held_cols) + "\n")
    log(f"[{cfg['name']}] upstream N={N} ({len(data['sources'])} sources), held-out {len(held_cols)}; "
        f"tasks: train {len(data['train_tasks'])}, held-out {data['heldout_tasks']}")

    # 1. pretraining (cached by its settings)
    base_key = _key({"model": cfg["model"], "source_bytes": cfg["data"]["source_bytes"], "pretrain": cfg["pretrain"]})
    ft_key = _key([base_key, cfg["data"], cfg["finetune"]])
    base_path = out / f"base-{base_key}.pt"
    timing = out / f"base-{base_key}.json"
    if not base_path.exists():
        secs = pretrain(cfg, data["streams"], base_path)
        report.write_json(timing, {"seconds": secs})
    pretrain_s = json.loads(timing.read_text())["seconds"] if timing.exists() else float("nan")
    tokenizer_info = None
    if data["tokenizer"] is not None:
        tok_json = data["tokenizer"].to_str()
        atomic_write(out / "tokenizer.json", lambda tmp: Path(tmp).write_text(tok_json))
        tokenizer_info = {"kind": "bpe", "vocab": data["tokenizer"].get_vocab_size(), "sha256": hashlib.sha256(tok_json.encode()).hexdigest()}
    upstream_file = out / "upstream.pt"
    torch.save(as_tensor(data["upstream"]), upstream_file)
    run_cfg = {"base": str(base_path), "model": cfg["model"], "lr": cfg["finetune"]["lr"], "batch": cfg["finetune"]["batch"],
               "steps": cfg["finetune"]["steps"], "upstream_file": str(upstream_file), "ids": ids}
    for name, w in data["tasks"].items():
        torch.save(as_tensor(w), out / f"task-{name}.pt")
    base = load_base(run_cfg)
    params = sum(p.numel() for p in base.parameters())
    base_nll = compute_nll(base, {ids[j]: data["upstream"][j] for j in range(N)}, batch_size=128)
    base_vec = np.array([base_nll[i] for i in ids])
    unit = "byte" if data["tokenizer"] is None else "token"
    log(f"[{cfg['name']}] base model {params:,} parameters: mean upstream NLL {base_vec.mean():.3f} nats/{unit}")

    # 2. the train forgetting matrix, measured by the harness (one Parquet part per task)
    t0 = time.time()
    parts = out / f"train-parts-{ft_key}"
    parts.mkdir(exist_ok=True)
    states = {t: parts / f"{t}.state.pt" for t in data["train_tasks"]} if cfg["export"] else {}
    jobs = [{"key": t, "run": run_cfg, "task_file": str(out / f"task-{t}.pt"), "seed": 1000 + k, "eval_cols": list(range(N)),
             "collect_to": str(parts / f"{t}.parquet"), "base_nll": base_nll, **({"state_to": str(states[t])} if t in states else {})}
            for k, t in enumerate(data["train_tasks"]) if not (parts / f"{t}.parquet").exists() or (t in states and not states[t].exists())]
    run_jobs(jobs, cfg["workers"], label=f"{cfg['name']} train matrix")
    train_file = out / f"train-{ft_key}.parquet"
    write_table(train_file, pa.concat_tables([read_table(parts / f"{t}.parquet") for t in data["train_tasks"]]))
    train_s = time.time() - t0
    table = read_table(train_file)
    tix = {t: i for i, t in enumerate(data["train_tasks"])}
    jx = {e: j for j, e in enumerate(ids)}
    Z = np.zeros((len(tix), N))
    for t, e, b, a in zip(*(table.column(c).to_pylist() for c in ("task", "example", "nll_before", "nll_after"))):
        Z[tix[t], jx[e]] = a - b

    if cfg["export"]:  # the train matrix and its side information as a dataset folder
        summary = export_dataset(Path(cfg["export"]), cfg, data, base, base_vec, Z, states)
        log(f"[{cfg['name']}] dataset → {cfg['export']}: first_order median row Pearson {summary['median_row_pearson']['first_order']:.3f} "
            f"({summary['side_seconds']:.0f}s)")

    # 3. no-replay runs of the held-out tasks: their true rows
    t0 = time.time()
    n = cfg["data"]["task_windows"]
    seeds = list(range(cfg["seeds"])) if isinstance(cfg["seeds"], int) else [int(x) for x in cfg["seeds"]]
    runs = [(h, s) for h in data["heldout_tasks"] for s in seeds]
    cache = out / f"jobs-{ft_key}"
    jobs = [{"key": f"{h}|{s}|none", "run": run_cfg, "task_file": str(out / f"task-{h}.pt"), "seed": s, "eval_cols": list(range(N))} for h, s in runs]
    none = run_jobs(jobs, cfg["workers"], cache, label=f"{cfg['name']} no-replay")
    true_row = {(h, s): np.array(none[f"{h}|{s}|none"]["nll"]) - base_vec for h, s in runs}

    # 4. side rows of the baselines, from the base model
    sides = {"base_nll": [float(x) for x in base_vec]}
    policies = cfg["policies"]
    grad_file = out / f"gradient-scores-{ft_key}.json"
    if "gradient" in policies:
        if grad_file.exists():
            sides.update(json.loads(grad_file.read_text()))
        else:
            g = cfg["gradient"]
            # one call, so the projection matrix is drawn once (the rows do not depend on each other)
            parts = [data["upstream"]] + [data["tasks"][h][: g["task_examples"]] for h in data["heldout_tasks"]]
            grads = projected_gradients(base, as_tensor([w for p in parts for w in p]), g["projection"])
            ends = np.cumsum([len(p) for p in parts])
            up = grads[: ends[0]]
            for k, h in enumerate(data["heldout_tasks"]):
                sides[f"gradient:{h}"] = [float(x) for x in gradient_scores(up, grads[ends[k] : ends[k + 1]])]
            report.write_json(grad_file, {k: v for k, v in sides.items() if k.startswith("gradient:")})

    # 5. plans through forgetscope
    ratios = [float(r) for r in cfg["ratios"]]
    plan_jobs = []
    for h, s in runs:
        z = true_row[(h, s)]
        probe = sorted(np.random.default_rng([s, _hash_name(h)]).choice(live_cols, cfg["probes"], replace=False).tolist())
        observed = {"probes": {"ids": [ids[j] for j in probe], "values": [float(z[j]) for j in probe]},
                    "true": {"ids": [ids[j] for j in live_cols], "values": [float(z[j]) for j in live_cols]}}
        for r in ratios:
            for p in policies:
                spec = POLICIES[p]
                side = spec["side"]
                if side == "gradient":
                    side = f"gradient:{h}"
                plan_jobs.append({"name": f"{h}|{s}|{r}|{p}", "policy": spec["policy"], "observed_kind": spec["observed"], "observed": observed[spec["observed"]],
                                  "side": side, "n": n, "ratio": r, "seed": s, "method": "lowrank", "autoSupport": cfg["auto_support"], "factorRank": cfg["factor_rank"]})
    # the plans depend on the engine that makes them: its build is part of their cache key
    plan_key = _key([cfg["probes"], cfg["auto_support"], cfg["factor_rank"], cfg["example_meta"], engine_digest(cfg["planner"])])
    plan_file = out / f"plans-{ft_key}-{plan_key}.json"
    plans = json.loads(plan_file.read_text()) if plan_file.exists() else {}
    todo = [j for j in plan_jobs if j["name"] not in plans]
    if todo:
        log(f"[{cfg['name']}] planning {len(todo)} replay plans through forgetscope")
        plan_train = with_example_meta(train_file, data, ids) if cfg["example_meta"] else train_file
        plans.update(plan_all(todo, plan_train, held_file, out / "plan-work", sides, ids, cfg["planner"]))
        report.write_json(plan_file, plans)
    plan_s = time.time() - t0

    # 6. replay runs at equal budget int(n·ratio)+1
    t0 = time.time()
    jobs = []
    replay_key = {}
    for h, s in runs:
        for r in ratios:
            k = replay_count(n, r)
            for p in policies:
                sel = [jx[i] for i in plans[f"{h}|{s}|{r}|{p}"]["selected"]]
                assert len(sel) == k and not held_mask[sel].any(), f"{h}|{s}|{r}|{p}: plan has {len(sel)} of {k} or replays a held-out example"
                # a cached run is reused only for the same replayed examples, never for another plan's
                replay_key[(h, s, r, p)] = f"{h}|{s}|{r}|{p}|{_key(sel)}"
                jobs.append({"key": replay_key[(h, s, r, p)], "run": run_cfg, "task_file": str(out / f"task-{h}.pt"), "seed": s,
                             "replay_idx": sel, "ratio": r, "eval_cols": held_cols})
    replay = run_jobs(jobs, cfg["workers"], cache, label=f"{cfg['name']} replay")
    replay_s = time.time() - t0

    # 7. forgetting on the held-out upstream examples, statistics, report
    base_held = base_vec[held_cols]
    per_run: dict = {}
    for h, s in runs:
        per_run[(h, s, "none")] = float(np.mean(true_row[(h, s)][held_cols]))
        for r in ratios:
            for p in policies:
                per_run[(h, s, r, p)] = float(np.mean(np.array(replay[replay_key[(h, s, r, p)]]["nll"]) - base_held))
    pred = {}
    for h, s in runs:
        pr = np.array(plans[f"{h}|{s}|{ratios[0]}|softmax"]["scores"]) if "softmax" in policies else None
        if pr is not None:
            z = true_row[(h, s)]
            pred[f"{h}|{s}"] = float(np.corrcoef(pr[live_cols], z[live_cols])[0, 1])
    rep = {
        "model": cfg["name"], "config": cfg, "parameters": params, "tokenizer": tokenizer_info, "N": N, "heldout_examples": len(held_cols),
        "train_tasks": data["train_tasks"], "heldout_tasks": data["heldout_tasks"], "seeds": len(seeds), "seed_list": seeds, "ratios": ratios,
        "probes": cfg["probes"], "base_mean_nll": float(base_vec.mean()), "train_matrix_mean_z": float(Z.mean()),
        "prediction": {"mean_pearson": float(np.mean(list(pred.values()))) if pred else float("nan"), "runs": pred},
        "temperatures": {k: v.get("temperature") for k, v in plans.items()},
        "results": report.summarise(per_run, runs, ratios, policies),
        "per_run": {"|".join(map(str, k)): v for k, v in per_run.items()},
        "seconds": {"pretrain": pretrain_s, "train_matrix": train_s, "no_replay_and_plans": plan_s, "replay_runs": replay_s, "total": time.time() - t_start},
        "torch": torch.__version__, "workers": cfg["workers"], "threads_per_worker": 1,
    }
    sfx = f"-{cfg['tag']}" if cfg["tag"] else ""
    report.write_json(out / f"results{sfx}.json", rep)
    tmp = out / "runs.tmp.parquet"
    pq.write_table(report.per_run_table(per_run, cfg["name"]), tmp)
    tmp.replace(out / f"runs{sfx}.parquet")
    md = report.markdown(rep)
    (out / f"report{sfx}.md").write_text(md + "\n")
    report.write_json(out / f"plot{sfx}.vl.json", report.vega_lite(rep))
    report.plot_png(rep, out / f"plot{sfx}.png")
    log(f"[{cfg['name']}] done in {time.time() - t_start:.0f}s → {out}/results{sfx}.json, runs{sfx}.parquet, report{sfx}.md, plot{sfx}.png")
    return rep
