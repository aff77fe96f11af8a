/**
 * `lgmf`: logistic matrix factorisation of the binarised stacked matrix (train rows + the test row's known entries), by SGD.
 * Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (or by the
 * shapes checked on entry).
 */
import type { CompletionMethod, FitOptions, KnownEntries } from '../types.js';
import type { TrainBlock } from './surpriseTrainset.js';
import { binaryTargets, logisticMethod, seededNormals, sigmoid, type LogisticSettings } from './logisticTargets.js';

/** Settings of `lgmf`. */
export interface LgmfSettings extends LogisticSettings {
  rank: number;
}

/** Options of `lgmf`. */
export interface LgmfOptions extends FitOptions, Partial<LgmfSettings> {}

/** The paper's settings. */
export const PAPER_LGMF: LgmfSettings = { rank: 5, iterations: 5000, learningRate: 0.001, reg: 0.1, initStd: 0.005 };

/**
 * Builds the `lgmf` method. `predictRow(known, {seed})` seeds the init (default: the fit seed).
 *
 * @example
 * const fitted = await lgmf().fit(trainRows, { seed: 0 });
 */
export function lgmf(defaults: Partial<LgmfSettings> = {}): CompletionMethod<LgmfOptions> {
  return logisticMethod('lgmf', PAPER_LGMF, defaults, lgmfRow);
}

/** One per-row fit: the logits of the test row. */
export function lgmfRow(block: TrainBlock, known: KnownEntries, s: LgmfSettings, seed: number): Float64Array {
  const { m, n } = block;
  const rows = m + 1;
  const kf = s.rank;
  const { y, mask } = binaryTargets(block, known);
  const w = seededNormals(seed, rows * kf, s.initStd); // rows×K
  // H is drawn K×N (numpy's layout for W @ H) and stored transposed, N×K, for the loops below.
  const hDrawn = seededNormals(seed + 1, kf * n, s.initStd);
  const h = new Float64Array(n * kf);
  for (let c = 0; c < kf; c++) for (let j = 0; j < n; j++) h[j * kf + c] = hDrawn[c * n + j]!;
  const lr = s.learningRate;
  const reg = s.reg;
  const gradH = new Float64Array(n * kf);
  const acc = new Float64Array(kf);
  const state: Rank5State = { rows, n, y, mask, w, h, gradH, lr, reg };
  for (let it = 0; it < s.iterations; it++) {
    if (kf === 5) {
      iterateRank5(state);
      continue;
    }
    // H ← H + lr (Wᵀ (Y − σ(W H)) − reg H), the residuals computed and accumulated in one pass.
    gradH.fill(0);
    for (let i = 0; i < rows; i++) {
      const base = i * n;
      const wb = i * kf;
      for (let j = 0; j < n; j++) {
        if (mask[base + j] === 0) continue;
        const hb = j * kf;
        let x = 0;
        for (let c = 0; c < kf; c++) x += w[wb + c]! * h[hb + c]!;
        const gij = y[base + j]! - sigmoid(x);
        for (let c = 0; c < kf; c++) gradH[hb + c]! += gij * w[wb + c]!;
      }
    }
    for (let t = 0; t < n * kf; t++) h[t]! += lr * (gradH[t]! - reg * h[t]!);
    // W ← W + lr ((Y − σ(W H)) Hᵀ − reg W) with the new H. Row i's gradient depends only on W_i and H,
    // so each row is updated as soon as its gradient is complete (same result as a batched update).
    for (let i = 0; i < rows; i++) {
      const base = i * n;
      const wb = i * kf;
      acc.fill(0);
      for (let j = 0; j < n; j++) {
        if (mask[base + j] === 0) continue;
        const hb = j * kf;
        let x = 0;
        for (let c = 0; c < kf; c++) x += w[wb + c]! * h[hb + c]!;
        const gij = y[base + j]! - sigmoid(x);
        for (let c = 0; c < kf; c++) acc[c]! += gij * h[hb + c]!;
      }
      for (let c = 0; c < kf; c++) w[wb + c]! += lr * (acc[c]! - reg * w[wb + c]!);
    }
  }
  const out = new Float64Array(n);
  const wb = m * kf;
  for (let j = 0; j < n; j++) {
    let x = 0;
    for (let c = 0; c < kf; c++) x += w[wb + c]! * h[j * kf + c]!;
    out[j] = x;
  }
  return out;
}

/** The arrays and step settings one rank-5 iteration updates (W rows×5, H N×5, both row-major). */
interface Rank5State {
  rows: number;
  n: number;
  y: Uint8Array;
  mask: Uint8Array;
  w: Float64Array;
  h: Float64Array;
  gradH: Float64Array;
  lr: number;
  reg: number;
}

/** One iteration for K = 5 (the paper's rank) with the row's factors in locals; same arithmetic order. */
function iterateRank5(state: Rank5State): void {
  const { rows, n, y, mask, w, h, gradH, lr, reg } = state;
  gradH.fill(0);
  for (let i = 0; i < rows; i++) {
    const base = i * n;
    const wb = i * 5;
    const w0 = w[wb]!,
      w1 = w[wb + 1]!,
      w2 = w[wb + 2]!,
      w3 = w[wb + 3]!,
      w4 = w[wb + 4]!;
    for (let j = 0; j < n; j++) {
      if (mask[base + j] === 0) continue;
      const hb = j * 5;
      let x = 0;
      x += w0 * h[hb]!;
      x += w1 * h[hb + 1]!;
      x += w2 * h[hb + 2]!;
      x += w3 * h[hb + 3]!;
      x += w4 * h[hb + 4]!;
      const g = y[base + j]! - 1 / (1 + Math.exp(-x));
      gradH[hb]! += g * w0;
      gradH[hb + 1]! += g * w1;
      gradH[hb + 2]! += g * w2;
      gradH[hb + 3]! += g * w3;
      gradH[hb + 4]! += g * w4;
    }
  }
  for (let t = 0; t < n * 5; t++) h[t]! += lr * (gradH[t]! - reg * h[t]!);
  for (let i = 0; i < rows; i++) {
    const base = i * n;
    const wb = i * 5;
    const w0 = w[wb]!,
      w1 = w[wb + 1]!,
      w2 = w[wb + 2]!,
      w3 = w[wb + 3]!,
      w4 = w[wb + 4]!;
    let a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0,
      a4 = 0;
    for (let j = 0; j < n; j++) {
      if (mask[base + j] === 0) continue;
      const hb = j * 5;
      const h0 = h[hb]!,
        h1 = h[hb + 1]!,
        h2 = h[hb + 2]!,
        h3 = h[hb + 3]!,
        h4 = h[hb + 4]!;
      let x = 0;
      x += w0 * h0;
      x += w1 * h1;
      x += w2 * h2;
      x += w3 * h3;
      x += w4 * h4;
      const g = y[base + j]! - 1 / (1 + Math.exp(-x));
      a0 += g * h0;
      a1 += g * h1;
      a2 += g * h2;
      a3 += g * h3;
      a4 += g * h4;
    }
    w[wb] = w0 + lr * (a0 - reg * w0);
    w[wb + 1] = w1 + lr * (a1 - reg * w1);
    w[wb + 2] = w2 + lr * (a2 - reg * w2);
    w[wb + 3] = w3 + lr * (a3 - reg * w3);
    w[wb + 4] = w4 + lr * (a4 - reg * w4);
  }
}
