"""Cross-model summary of several benchmark reports: for every policy that does not read the true row,
its share of the best true-row gain and its paired p against uniform on every (model, ratio), with the
mean and the minimum share — how the default policy is chosen (the most robust across models)."""

from __future__ import annotations

from .config import TRUE_ROW_POLICIES


def compare(reports: list[dict]) -> str:
    """Markdown table: one row per policy, one column per (model, ratio), then mean and min share."""
    cells = [(rep, r) for rep in reports for r in rep["ratios"]]
    policies = [p for p in reports[0]["results"][str(reports[0]["ratios"][0])]["policies"] if p != "uniform" and p not in TRUE_ROW_POLICIES]
    head = "| policy | " + " | ".join(f"{rep['model']} 1/{round(1 / r)}: share (p t / sign-flip)" for rep, r in cells) + " | mean share | min share |"
    lines = [head, "|" + "---|" * (len(cells) + 3)]
    ranked = []
    for p in policies:
        shares, row = [], []
        for rep, r in cells:
            e = rep["results"][str(r)]
            sh = e.get("share_of_best_true_row_gain", {}).get(p)
            t = e["vs_uniform"][p]
            shares.append(sh if sh is not None else float("nan"))
            row.append(f"{'n/a' if sh is None else f'{100 * sh:.0f} %'} ({t['p_t']:.2g} / {t['p_signflip']:.2g})")
        mean = sum(shares) / len(shares)
        ranked.append((mean, p, row, min(shares)))
    for mean, p, row, mn in sorted(ranked, key=lambda x: -x[0]):
        lines.append(f"| {p} | " + " | ".join(row) + f" | {100 * mean:.0f} % | {100 * mn:.0f} % |")
    return "\n".join(lines)
