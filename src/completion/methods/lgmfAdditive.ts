/**
 * `lgmf-additive`: logistic matrix factorisation with task and example biases, by SGD.
 * Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (or by the
 * shapes checked on entry).
 */
import type { CompletionMethod, FitOptions, KnownEntries } from '../types.js';
import type { TrainBlock } from './surpriseTrainset.js';
import { binaryTargets, logisticMethod, seededNormals, sigmoid, type LogisticSettings } from './logisticTargets.js';

/** Options of `lgmf-additive`. */
export interface LgmfAdditiveOptions extends FitOptions, Partial<LogisticSettings> {}

/** The paper's settings. */
export const PAPER_LGMF_ADDITIVE: LogisticSettings = { iterations: 5000, learningRate: 0.001, reg: 0.1, initStd: 1 };

/**
 * Builds the `lgmf-additive` method.
 *
 * @example
 * const fitted = await lgmfAdditive().fit(trainRows, { seed: 0 });
 */
export function lgmfAdditive(defaults: Partial<LogisticSettings> = {}): CompletionMethod<LgmfAdditiveOptions> {
  return logisticMethod('lgmf-additive', PAPER_LGMF_ADDITIVE, defaults, lgmfAdditiveRow);
}

/** One per-row fit: the logits w_row + h_j of the test row. */
export function lgmfAdditiveRow(
  block: TrainBlock,
  known: KnownEntries,
  s: LogisticSettings,
  seed: number,
): Float64Array {
  const { m, n } = block;
  const rows = m + 1;
  const { y, mask } = binaryTargets(block, known);
  const w = seededNormals(seed, rows, s.initStd);
  const h = seededNormals(seed + 1, n, s.initStd);
  const lr = s.learningRate;
  const reg = s.reg;
  const gradH = new Float64Array(n);
  // σ(w_i + h_j) = 1 / (1 + e^{−w_i}·e^{−h_j}): M + N exponentials per pass instead of M·N. The product
  // differs from e^{−(w_i + h_j)} by an ulp or so, far below what the metrics resolve; a non-finite
  // product (|w|, |h| beyond ~700) falls back to the direct form.
  const ew = new Float64Array(rows);
  const eh = new Float64Array(n);
  const sig = (i: number, j: number): number => {
    const p = ew[i]! * eh[j]!;
    return Number.isFinite(p) ? 1 / (1 + p) : sigmoid(w[i]! + h[j]!);
  };
  for (let it = 0; it < s.iterations; it++) {
    for (let i = 0; i < rows; i++) ew[i] = Math.exp(-w[i]!);
    for (let j = 0; j < n; j++) eh[j] = Math.exp(-h[j]!);
    gradH.fill(0);
    for (let i = 0; i < rows; i++) {
      const base = i * n;
      for (let j = 0; j < n; j++) {
        if (mask[base + j] === 0) continue;
        gradH[j]! += y[base + j]! - sig(i, j);
      }
    }
    for (let j = 0; j < n; j++) h[j]! += lr * (gradH[j]! - reg * h[j]!);
    for (let j = 0; j < n; j++) eh[j] = Math.exp(-h[j]!);
    // Row i's gradient depends only on w_i and h: update each row as soon as its sum is complete.
    for (let i = 0; i < rows; i++) {
      const base = i * n;
      let acc = 0;
      for (let j = 0; j < n; j++) {
        if (mask[base + j] === 0) continue;
        acc += y[base + j]! - sig(i, j);
      }
      w[i]! += lr * (acc - reg * w[i]!);
    }
  }
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) out[j] = w[m]! + h[j]!;
  return out;
}
