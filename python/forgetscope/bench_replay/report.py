"""Statistics, tables and the plot of the benchmark: per policy mean forgetting with 95 % t intervals,
paired differences against uniform (paired t, exact sign-flip p), the share of the best true-row
policy's gain over uniform, and tests against that best true-row policy."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..atomic import atomic_write
from . import stats
from .config import TRUE_ROW_POLICIES

LABELS = {
    "uniform": "uniform (random replay)",
    "softmax": "softmax(predicted / 0.1) — the paper",
    "auto": "auto: softmax at effective support 4 budgets",
    "topk": "topk: uniform over predicted top 4 budgets",
    "stratified": "stratified: one per score stratum of predicted top 4 budgets",
    "blocks": "blocks: best predicted of B random blocks",
    "coverage": "coverage: facility location on example factors",
    "optimistic": "optimistic: upper end of the interval, auto T",
    "neighbour": "neighbour: most similar train task's row (top)",
    "surprise": "surprise: highest base NLL (SuRe)",
    "gradient": "gradient: −<g_task, g_j> (Jin & Ren)",
    "oracle": "true row: softmax(true / 0.1)",
    "oracle-auto": "true row: softmax at auto T",
    "oracle-topk": "true row: uniform over top 4 budgets",
}


def _test(d: np.ndarray) -> dict:
    t = stats.paired_t(d)
    lo_hi = stats.mean_ci(d)[1:]
    return {"mean_diff": t["mean"], "ci": [float(lo_hi[0]), float(lo_hi[1])], "t": t["t"], "p_t": t["p"],
            "p_signflip": stats.sign_flip_p(d), "wins": int(np.sum(d < 0)), "pairs": int(len(d))}


def summarise(per_run: dict, runs: list, ratios: list[float], policies: list[str]) -> dict:
    """Per ratio: each policy's mean [CI], its test against uniform and against the best true-row policy,
    and its share of that policy's gain over uniform. ``per_run[(task, seed, ratio, policy)]`` is the
    mean forgetting of one run on the held-out examples."""
    res: dict = {}
    none = np.array([per_run[(h, s, "none")] for h, s in runs])
    res["none"] = dict(zip(("mean", "lo", "hi"), stats.mean_ci(none)))
    for r in ratios:
        per = {p: np.array([per_run[(h, s, r, p)] for h, s in runs]) for p in policies}
        entry: dict = {"policies": {p: dict(zip(("mean", "lo", "hi"), stats.mean_ci(v))) for p, v in per.items()}}
        entry["vs_uniform"] = {p: _test(per[p] - per["uniform"]) for p in policies if p != "uniform"}
        entry["uniform_vs_none"] = _test(per["uniform"] - none)
        true_rows = [p for p in TRUE_ROW_POLICIES if p in per]
        if true_rows:
            best = min(true_rows, key=lambda p: per[p].mean())
            gain = per["uniform"].mean() - per[best].mean()
            entry["best_true_row"] = best
            entry["best_true_row_gain"] = float(gain)
            entry["share_of_best_true_row_gain"] = {p: (float((per["uniform"].mean() - per[p].mean()) / gain) if gain > 0 else None)
                                                    for p in policies if p != "uniform"}
            entry["vs_best_true_row"] = {p: _test(per[p] - per[best]) for p in policies if p != best}
        res[str(r)] = entry
    return res


def per_run_table(per_run: dict, model: str) -> pa.Table:
    """One row per run: model, task, seed, ratio (null for no replay), policy, forgetting."""
    rows = {"model": [], "task": [], "seed": [], "ratio": [], "policy": [], "forgetting": []}
    for key, v in per_run.items():
        if len(key) == 3:
            h, s, p = key
            r = None
        else:
            h, s, r, p = key
        rows["model"].append(model)
        rows["task"].append(h)
        rows["seed"].append(int(s))
        rows["ratio"].append(r)
        rows["policy"].append(p)
        rows["forgetting"].append(float(v))
    return pa.table({k: pa.array(v, pa.float64() if k in ("ratio", "forgetting") else None) for k, v in rows.items()})


def unit(rep: dict) -> str:
    """The NLL unit of a report: nats per token for a model with a tokenizer, else nats per byte."""
    return "nats/token" if rep.get("tokenizer") else "nats/byte"


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.0f} %"


def markdown(rep: dict) -> str:
    """The report as Markdown tables, one per ratio."""
    res = rep["results"]
    lines = [f"Model {rep['model']} ({rep['parameters']:,} parameters), N = {rep['N']} upstream examples ({rep['heldout_examples']} held out, never replayed), "
             f"{len(rep['train_tasks'])} train tasks, held-out tasks {', '.join(rep['heldout_tasks'])} × {rep['seeds']} seeds; "
             f"no replay forgets {res['none']['mean']:.4f} [{res['none']['lo']:.4f}, {res['none']['hi']:.4f}] {unit(rep)}; "
             f"lowrank from {rep['probes']} probes: Pearson {rep['prediction']['mean_pearson']:.2f} with the true row.", ""]
    for r in rep["ratios"]:
        e = res[str(r)]
        lines += [f"ratio 1/{round(1 / r)} (best true-row policy: {e.get('best_true_row')}, gain over uniform {e.get('best_true_row_gain', float('nan')):+.4f}):", "",
                  "| policy | mean forgetting [95 % CI] | vs uniform [95 % CI] | paired t p | sign-flip p | wins | share of best true-row gain | vs best true row (p t / sign-flip) |",
                  "|---|---|---|---|---|---|---|---|"]
        for p, m in e["policies"].items():
            cell = f"| {LABELS.get(p, p)} | {m['mean']:.4f} [{m['lo']:.4f}, {m['hi']:.4f}] |"
            if p == "uniform":
                cell += " | | | | |"
            else:
                t = e["vs_uniform"][p]
                cell += f" {t['mean_diff']:+.4f} [{t['ci'][0]:+.4f}, {t['ci'][1]:+.4f}] | {t['p_t']:.2g} | {t['p_signflip']:.2g} | {t['wins']}/{t['pairs']} | {_pct(e.get('share_of_best_true_row_gain', {}).get(p))} |"
            b = e.get("vs_best_true_row", {}).get(p)
            cell += f" {b['mean_diff']:+.4f} ({b['p_t']:.2g} / {b['p_signflip']:.2g}) |" if b else " (best) |"
            lines.append(cell)
        lines.append("")
    return "\n".join(lines)


def vega_lite(rep: dict) -> dict:
    """A Vega-Lite spec of the PNG's chart: each policy's paired difference to uniform with its 95 % CI,
    one panel per ratio."""
    values = []
    for r in rep["ratios"]:
        for p, t in rep["results"][str(r)]["vs_uniform"].items():
            values.append({"ratio": f"1/{round(1 / r)}", "policy": p, "mean": t["mean_diff"], "lo": t["ci"][0], "hi": t["ci"][1]})
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": f"closed-loop replay, {rep['model']}: forgetting minus uniform's (paired), held-out upstream examples",
        "data": {"values": values},
        "facet": {"column": {"field": "ratio", "type": "nominal"}},
        "spec": {"layer": [
            {"mark": "point", "encoding": {"y": {"field": "policy", "type": "nominal", "sort": None}, "x": {"field": "mean", "type": "quantitative", "title": f"forgetting − uniform's ({unit(rep)})"}}},
            {"mark": "rule", "encoding": {"y": {"field": "policy", "type": "nominal", "sort": None}, "x": {"field": "lo", "type": "quantitative"}, "x2": {"field": "hi"}}},
        ]},
    }


def plot_png(rep: dict, path: Path) -> bool:
    """Each policy's paired difference to uniform with its 95 % CI, one panel per ratio, as a PNG with
    matplotlib (when it is installed); returns whether it was written."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    ratios = rep["ratios"]
    fig, axes = plt.subplots(1, len(ratios), figsize=(5 * len(ratios), 4.5), sharey=True, squeeze=False)
    for ax, r in zip(axes[0], ratios):
        vs = rep["results"][str(r)]["vs_uniform"]
        names = list(vs)
        y = np.arange(len(names))
        d = np.array([vs[p]["mean_diff"] for p in names])
        err = np.array([[vs[p]["mean_diff"] - vs[p]["ci"][0] for p in names], [vs[p]["ci"][1] - vs[p]["mean_diff"] for p in names]])
        colors = ["tab:green" if p.startswith("oracle") else "tab:blue" for p in names]
        ax.errorbar(d, y, xerr=err, fmt="none", ecolor="lightgray")
        ax.scatter(d, y, c=colors, zorder=3)
        ax.axvline(0.0, color="tab:gray", ls="--", lw=0.8)
        ax.set_yticks(y, names)
        ax.set_title(f"ratio 1/{round(1 / r)}")
        ax.set_xlabel(f"forgetting − uniform's, paired ({unit(rep)})")
    fig.suptitle(f"{rep['model']}: paired difference to uniform replay, 95 % CI (left of 0 = forgets less; green: true row)")
    fig.tight_layout()
    try:
        atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    finally:
        plt.close(fig)
    return True


def write_json(path: Path, obj) -> None:
    """Atomic JSON write."""
    atomic_write(path, lambda tmp: Path(tmp).write_text(json.dumps(obj, indent=1)))
