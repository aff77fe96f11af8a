/**
 * `lgmf-additive`: the paper's additive logistic model, logit = w_task + h_example, on the binarised
 * matrix (Z > 0), fitted per test row by the same full-batch gradient ascent as `lgmf` (h then w,
 * recomputing the sigmoid in between; lr 0.001, reg 0.1, 5000 iterations) from N(0, 1) inits seeded
 * by `seed` (w) and `seed + 1` (h). Scores are logits (no RMSE).
 * Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
 */
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { CompletionMethod, FitOptions, FittedCompletion, KnownEntries, RowPrediction } from '../types.js';
import { checkKnown, trainBlock, type TrainBlock } from './surpriseTrainset.js';
import { binaryTargets, seededNormals, sigmoid, type LogisticSettings } from './logisticTargets.js';

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
  return {
    name: 'lgmf-additive',
    async fit(train: ForgettingMatrix, options: LgmfAdditiveOptions = {}): Promise<FittedCompletion> {
      const block = trainBlock(train, 'lgmf-additive');
      const settings: LogisticSettings = { ...PAPER_LGMF_ADDITIVE, ...defaults };
      for (const key of Object.keys(PAPER_LGMF_ADDITIVE) as (keyof LogisticSettings)[]) {
        if (options[key] !== undefined) settings[key] = options[key]!;
      }
      const fitSeed = options.seed ?? 0;
      return {
        scoresOnly: true,
        async predictRow(known: KnownEntries, rowOptions: { seed?: number } = {}): Promise<RowPrediction> {
          checkKnown(known, block.n, 'lgmf-additive');
          return { prediction: lgmfAdditiveRow(block, known, settings, rowOptions.seed ?? fitSeed) };
        },
      };
    },
  };
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
