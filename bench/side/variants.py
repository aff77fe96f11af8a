#!/usr/bin/env python3
"""Every side matrix of bench/side/run.py through the TypeScript CLI: lowrank's RMSE with each side
matrix alone and with first_order + it, against lowrank without side and svd, with each one's cost.

The M rows of the dataset folder are split into ``--folds`` folds by a seeded permutation; each fold is
the test rows once, the other rows the train rows (`forgetscope evaluate FOLDER --train-rows A
--test-rows B --methods lowrank --seeds S --side NAMES --json`, svd once per fold without side: it does
not read side matrices). A configuration's RMSE is the root mean square of its folds' RMSEs (every fold
has the same number of test rows and unmeasured entries up to repeated probes). Costs (seconds per task
and backward passes) come from run.py's results.json. Run after run.py and `npm run build`:
`nice -n 10 python3 bench/side/variants.py`.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--folder", default=str(REPO / "bench" / "out" / "side" / "dataset"))
    p.add_argument("--results", default=str(REPO / "bench" / "out" / "side" / "results.json"), help="run.py's report (costs)")
    p.add_argument("--out", default=str(HERE / "results-variants.json"))
    p.add_argument("--folds", type=int, default=4)
    p.add_argument("--split-seed", type=int, default=0)
    p.add_argument("--seeds", default="0-4")
    p.add_argument("--known", type=int, default=30)
    p.add_argument("--node", default="node")
    p.add_argument("--cli", default=str(REPO / "dist" / "cli" / "bin.js"), help="the forgetscope CLI to run (a build of another checkout)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=A,B",
                   help="compare only these side sets (and none, first_order), e.g. all=first_order,first_order_cos")
    return p.parse_args()


def evaluate(a: argparse.Namespace, train: list[int], test: list[int], methods: str, side: list[str]) -> dict:
    """One `forgetscope evaluate` call; returns its methods' JSON."""
    cmd = [a.node, a.cli, "evaluate", a.folder, "--train-rows", ",".join(map(str, train)),
           "--test-rows", ",".join(map(str, test)), "--methods", methods, "--seeds", a.seeds, "--known", str(a.known),
           "--backend", "cpu", "--json"]
    if side:
        cmd += ["--side", ",".join(side)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {done.returncode}: {done.stderr.strip()}")
    return json.loads(done.stdout)["methods"]


def configurations(names: list[str]) -> dict[str, list[str]]:
    """The side sets compared: none, each matrix alone, the layer split together, first_order + each
    (but its projected copies)."""
    layers = sorted(n for n in names if re.fullmatch(r"first_order_(embed|head|all|L\d+)", n))
    others = [n for n in names if n != "first_order" and n not in layers]
    out: dict[str, list[str]] = {"none": [], "first_order": ["first_order"]}
    out.update({n: [n] for n in others + layers})
    if layers:
        out["layers"] = layers
    projected = [n for n in others if re.fullmatch(r"first_order_(rademacher|gaussian|countsketch)\d+", n)]  # copies of first_order
    out.update({f"first_order+{n}": ["first_order", n] for n in others if n not in projected})
    if layers:
        out["first_order+layers"] = ["first_order", *layers]
    return out


def rms(values: list[float]) -> float:
    return math.sqrt(sum(v * v for v in values) / len(values))


def main() -> None:
    a = parse_args()
    folder = Path(a.folder)
    rows = len(json.loads((folder / "tasks.json").read_text()))
    names = sorted(p.stem for p in (folder / "side").glob("*.npy"))
    order = list(range(rows))
    random.Random(a.split_seed).shuffle(order)
    folds = [sorted(order[k:: a.folds]) for k in range(a.folds)]
    configs = configurations(names)
    if a.set:
        configs = {"none": [], "first_order": ["first_order"], **{s.split("=")[0]: s.split("=")[1].split(",") for s in a.set}}
    load_start = Path("/proc/loadavg").read_text().split()[:3]
    t_start = time.time()
    per_fold: dict[str, list[float]] = {c: [] for c in configs}
    svd: list[float] = []
    kept: dict[str, list] = {c: [] for c in configs}  # lowrank's sideKeptShare per fold, where the CLI reports it
    for k, test in enumerate(folds):
        train = [r for r in range(rows) if r not in test]
        for c, side in configs.items():
            methods = evaluate(a, train, test, "lowrank,svd" if c == "none" else "lowrank", side)
            per_fold[c].append(methods["lowrank"]["rmse"])
            kept[c].append(methods["lowrank"].get("sideKeptShare"))
            if c == "none":
                svd.append(methods["svd"]["rmse"])
            print(f"fold {k} {c}: lowrank {per_fold[c][-1]:.4f}" + (f", svd {svd[-1]:.4f}" if c == "none" else ""), file=sys.stderr, flush=True)
    cost = json.loads(Path(a.results).read_text()) if Path(a.results).exists() else {}
    svd_rmse = rms(svd)
    none = rms(per_fold["none"])
    table = {c: {"side": side, "rmse": rms(per_fold[c]), "ratio_to_svd": rms(per_fold[c]) / svd_rmse,
                 "ratio_to_no_side": rms(per_fold[c]) / none, "per_fold": per_fold[c],
                 "folds_worse_than_no_side": sum(x > y for x, y in zip(per_fold[c], per_fold["none"])),
                 **({"side_kept_share": kept[c]} if any(kept[c]) else {})}
             for c, side in configs.items()}
    report = {"cli": Path(a.cli).resolve().relative_to(REPO).as_posix() if Path(a.cli).resolve().is_relative_to(REPO) else "another checkout's dist/cli/bin.js",
              "folder": folder.name, "rows": rows, "folds": folds, "split_seed": a.split_seed, "seeds": a.seeds, "known": a.known,
              "svd": {"rmse": svd_rmse, "per_fold": svd}, "lowrank": table,
              "cost_seconds": cost.get("seconds"), "backward_passes": cost.get("backward_passes"),
              "median_row_pearson": cost.get("median_row_pearson"), "seconds": time.time() - t_start,
              "loadavg_start": load_start, "loadavg_end": Path("/proc/loadavg").read_text().split()[:3]}
    Path(a.out).write_text(json.dumps(report, indent=1) + "\n")
    width = max(map(len, table))
    print(f"{'side':<{width}}  rmse    /svd   /none  worse folds")
    for c, r in table.items():
        print(f"{c:<{width}}  {r['rmse']:.4f}  {r['ratio_to_svd']:.3f}  {r['ratio_to_no_side']:.3f}  {r['folds_worse_than_no_side']}/{len(folds)}")
    print(f"svd {svd_rmse:.4f}")


if __name__ == "__main__":
    main()
