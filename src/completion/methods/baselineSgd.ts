/**
 * Surprise's `BaselineOnly` baseline estimation by SGD (`bsl_options = {method: 'sgd'}`), on the
 * stacked trainset of the train rows and one test row's known entries. The update order IS the
 * method, so this is a plain sequential loop over typed arrays (hand-written: no library exposes
 * Surprise's exact order), reading the train values in place.
 *
 * Per rating (u, i, r), in trainset order:
 *   err = r − (μ + b_u + b_i);  b_u += lr·(err − reg·b_u);  b_i += lr·(err − reg·b_i)
 * Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
 */
import type { KnownEntries } from '../types.js';
import { globalMean, sgdEpochs, type TrainBlock } from './surpriseTrainset.js';

/** Settings of the baseline SGD (the paper: 1000 epochs, lr 0.005, reg 0.02). */
export interface BaselineSgdSettings {
  epochs: number;
  learningRate: number;
  reg: number;
}

/** The fitted baselines: μ, a bias per user (train rows, then the test row last) and per item. */
export interface Baselines {
  mu: number;
  /** Length M + 1; index M is the test row. */
  bu: Float64Array;
  bi: Float64Array;
}

/** Runs the SGD epochs in Surprise's order and returns the baselines. */
export function baselineSgd(block: TrainBlock, known: KnownEntries, settings: BaselineSgdSettings): Baselines {
  const { m, n } = block;
  const mu = globalMean(block, known);
  const bu = new Float64Array(m + 1);
  const bi = new Float64Array(n);
  const lr = settings.learningRate;
  const reg = settings.reg;
  sgdEpochs(block, known, settings.epochs, (u, cols, row) => {
    let b = bu[u]!;
    for (let t = 0; t < cols.length; t++) {
      const j = cols[t]!;
      const err = row[j]! - (mu + b + bi[j]!);
      b += lr * (err - reg * b);
      bi[j]! += lr * (err - reg * bi[j]!);
    }
    bu[u] = b;
  });
  return { mu, bu, bi };
}
