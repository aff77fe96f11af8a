import { itemAt } from '../../util/checked.js';
/**
 * The paper's metrics for completed rows, pooled over all scored cells of one seed: RMSE, and with
 * ground truth `Z > 0` and prediction `> 0`: F1, precision, recall (0 when undefined) and ROC-AUC
 * with the raw prediction as score (ties count one half; NaN when a class is absent).
 */

/** Pooled metrics of one seed (or their mean over seeds). `rmse` is null for score-only methods. */
export interface CompletionMetrics {
  rmse: number | null;
  f1: number;
  precision: number;
  recall: number;
  /** NaN when only one class is present among the scored cells. */
  auc: number;
}

/**
 * Metrics of predictions against the truth over the same cells.
 *
 * @example
 * completionMetrics([0.3, -0.1, 0.2, 0.05, -0.2], [0.1, 0.1, 0.3, -0.05, -0.1]);
 * // { rmse: 0.148324, precision: 2/3, recall: 2/3, f1: 2/3, auc: 0.75 }
 */
export function completionMetrics(
  truth: ArrayLike<number>,
  prediction: ArrayLike<number>,
  options: { scoresOnly?: boolean } = {},
): CompletionMetrics {
  const n = truth.length;
  if (prediction.length !== n) throw new RangeError(`truth has ${n} cells, prediction ${prediction.length}`);
  let sq = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let k = 0; k < n; k++) {
    const t = itemAt(truth, k);
    const p = itemAt(prediction, k);
    const d = p - t;
    sq += d * d;
    const tPos = t > 0;
    const pPos = p > 0;
    if (tPos && pPos) tp++;
    else if (pPos) fp++;
    else if (tPos) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return {
    rmse: options.scoresOnly ? null : n > 0 ? Math.sqrt(sq / n) : NaN,
    f1,
    precision,
    recall,
    auc: rocAuc(truth, prediction),
  };
}

/**
 * ROC-AUC of scores for the labels `truth > 0` (Mann–Whitney: the probability that a random positive
 * outscores a random negative, ties one half). NaN when a class is absent. O(n log n).
 */
export function rocAuc(truth: ArrayLike<number>, score: ArrayLike<number>): number {
  const n = truth.length;
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  const s = Float64Array.from(score);
  order.sort((a, b) => itemAt(s, a) - itemAt(s, b));
  let nPos = 0;
  for (let k = 0; k < n; k++) if (itemAt(truth, k) > 0) nPos++;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  // Sum of the (mid-)ranks of the positives; tied scores share their average rank.
  let rankSumPos = 0;
  let k = 0;
  while (k < n) {
    let end = k + 1;
    while (end < n && s[itemAt(order, end)] === s[itemAt(order, k)]) end++;
    const midRank = (k + 1 + end) / 2;
    for (let q = k; q < end; q++) if (itemAt(truth, itemAt(order, q)) > 0) rankSumPos += midRank;
    k = end;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Mean of per-seed metrics (NaN entries make the mean NaN; null RMSE stays null). */
export function meanMetrics(perSeed: readonly CompletionMetrics[]): CompletionMetrics {
  const mean = (f: (m: CompletionMetrics) => number): number =>
    perSeed.reduce((acc, m) => acc + f(m), 0) / perSeed.length;
  const anyNull = perSeed.some((m) => m.rmse === null);
  return {
    rmse: anyNull ? null : mean((m) => m.rmse as number),
    f1: mean((m) => m.f1),
    precision: mean((m) => m.precision),
    recall: mean((m) => m.recall),
    auc: mean((m) => m.auc),
  };
}
