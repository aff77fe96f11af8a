"""Cross-model summary of several benchmark reports: for every policy that does not read the true row,
its share of the best true-row gain and its paired p against uniform on every (model, ratio), with the
mean and the minimum share — how the default policy is chosen (the most robust across models)."""

from __future__ import annotations

from .config import TRUE_ROW_POLICIES
from .report import summarise


def _key(k: str) -> tuple:
    parts = k.split("|")
    return (parts[0], int(parts[1]), "none") if len(parts) == 3 else (parts[0], int(parts[1]), float(parts[2]), parts[3])


def pool(reports: list[dict]) -> dict:
    """One report from several runs of the same model and setup on disjoint seeds (e.g. the main run and
    a confirmation on new seeds): the policies all of them ran, statistics over all paired runs."""
    first = reports[0]
    for rep in reports[1:]:
        if rep["model"] != first["model"] or rep["heldout_tasks"] != first["heldout_tasks"] or rep["ratios"] != first["ratios"]:
            raise ValueError("pool: the reports differ in model, held-out tasks or ratios")
    seeds = [s for rep in reports for s in rep.get("seed_list", range(rep["seeds"]))]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"pool: the reports share seeds {sorted(seeds)}")
    r0 = str(first["ratios"][0])
    policies = [p for p in first["results"][r0]["policies"] if all(p in rep["results"][r0]["policies"] for rep in reports)]
    per_run = {_key(k): v for rep in reports for k, v in rep["per_run"].items()}
    runs = [(h, s) for h in first["heldout_tasks"] for s in seeds]
    return {**first, "seeds": len(seeds), "seed_list": seeds, "results": summarise(per_run, runs, first["ratios"], policies),
            "per_run": {"|".join(map(str, k)): v for k, v in per_run.items()},
            "prediction": {"mean_pearson": sum(rep["prediction"]["mean_pearson"] for rep in reports) / len(reports)}}


def compare(reports: list[dict]) -> str:
    """Markdown table: one row per policy, one column per (model, ratio), then the mean and the minimum
    share over the cells where the best true-row policy gains over uniform (elsewhere a share has no
    meaning and the cell says n/a), and in how many cells the policy beats uniform with paired t p < 0.01."""
    cells = [(rep, r) for rep in reports for r in rep["ratios"]]
    policies = [p for p in reports[0]["results"][str(reports[0]["ratios"][0])]["policies"] if p != "uniform" and p not in TRUE_ROW_POLICIES]
    head = "| policy | " + " | ".join(f"{rep['model']} 1/{round(1 / r)}: share (p t / sign-flip)" for rep, r in cells) + " | mean share | min share | p < 0.01 |"
    lines = [head, "|" + "---|" * (len(cells) + 4)]
    ranked = []
    for p in policies:
        shares, row, wins = [], [], 0
        for rep, r in cells:
            e = rep["results"][str(r)]
            sh = e.get("share_of_best_true_row_gain", {}).get(p)
            t = e["vs_uniform"][p]
            if sh is not None:
                shares.append(sh)
            wins += int(t["mean_diff"] < 0 and t["p_t"] < 0.01)
            row.append(f"{'n/a' if sh is None else f'{100 * sh:.0f} %'} ({t['p_t']:.2g} / {t['p_signflip']:.2g})")
        mean = sum(shares) / len(shares) if shares else float("nan")
        ranked.append((mean, p, row, min(shares, default=float("nan")), wins))
    for mean, p, row, mn, wins in sorted(ranked, key=lambda x: -x[0]):
        lines.append(f"| {p} | " + " | ".join(row) + f" | {100 * mean:.0f} % | {100 * mn:.0f} % | {wins} of {len(cells)} |")
    return "\n".join(lines)
