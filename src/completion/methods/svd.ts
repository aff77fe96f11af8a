/**
 * `svd` (the paper's MF): Surprise's biased SVD, μ + b_u + b_i + p_uᵀq_i, fitted per test row by SGD
 * over the train rows plus the row's known entries in trainset order (5 factors, 1000 epochs,
 * lr 0.005, reg 0). The factors start from N(0, σ = 0.001) drawn as numpy's
 * `RandomState(seed).normal` (p for the M + 1 users, then q for the N items), as the reference results
 * do, so with the same seed the same start. The released code left the init unseeded; its results
 * vary with the init by a few percent (see docs/completion.md).
 * Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
 */
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { CompletionMethod, FitOptions, FittedCompletion, KnownEntries, RowPrediction } from '../types.js';
import { LegacyRandomState } from '../protocol/mt19937.js';
import {
  checkKnown,
  clipRating,
  globalMean,
  sgdEpochs,
  trainBlock,
  type RowSweep,
  type TrainBlock,
} from './surpriseTrainset.js';
import { seenColumns } from './additive.js';
import { dot5 } from './unrolled.js';

/** Settings of the MF SGD. */
export interface SvdSettings {
  factors: number;
  epochs: number;
  learningRate: number;
  reg: number;
  initStd: number;
}

/** Options of `svd`. */
export interface SvdOptions extends FitOptions, Partial<SvdSettings> {}

/** The paper's settings. */
export const PAPER_SVD: SvdSettings = { factors: 5, epochs: 1000, learningRate: 0.005, reg: 0, initStd: 0.001 };

/**
 * Builds the `svd` method (Funk's biased matrix factorisation as Surprise's `SVD`; `svd` is its CLI and
 * registry name). `predictRow(known, {seed})` seeds the factor init (default: the fit seed).
 *
 * @example
 * const fitted = await funkSvd().fit(trainRows, { seed: 0 });
 */
export function funkSvd(defaults: Partial<SvdSettings> = {}): CompletionMethod<SvdOptions> {
  return {
    name: 'svd',
    async fit(train: ForgettingMatrix, options: SvdOptions = {}): Promise<FittedCompletion> {
      const block = trainBlock(train, 'svd');
      const settings: SvdSettings = { ...PAPER_SVD, ...defaults, ...pickDefined(options) };
      const fitSeed = options.seed ?? 0;
      return {
        async predictRow(known: KnownEntries, rowOptions: { seed?: number } = {}): Promise<RowPrediction> {
          checkKnown(known, block.n, 'svd');
          return { prediction: svdRow(block, known, settings, rowOptions.seed ?? fitSeed) };
        },
      };
    },
  };
}

/** @deprecated The old name of `funkSvd` (beside linalg's `topSVD` it read as a decomposition); use `funkSvd`. */
export const svd = funkSvd;

function pickDefined(o: SvdOptions): Partial<SvdSettings> {
  const out: Partial<SvdSettings> = {};
  if (o.factors !== undefined) out.factors = o.factors;
  if (o.epochs !== undefined) out.epochs = o.epochs;
  if (o.learningRate !== undefined) out.learningRate = o.learningRate;
  if (o.reg !== undefined) out.reg = o.reg;
  if (o.initStd !== undefined) out.initStd = o.initStd;
  return out;
}

/** One per-row fit and the completed row. */
export function svdRow(block: TrainBlock, known: KnownEntries, s: SvdSettings, seed: number): Float64Array {
  const { m, n } = block;
  const f = s.factors;
  const mu = globalMean(block, known);
  const rs = new LegacyRandomState(seed);
  const pu = rs.normal(0, s.initStd, (m + 1) * f);
  const qi = rs.normal(0, s.initStd, n * f);
  const bu = new Float64Array(m + 1);
  const bi = new Float64Array(n);
  const lr = s.learningRate;
  const reg = s.reg;
  // Users' ratings are visited row by row, so each user's bias and factors live in locals for the whole
  // row (written back after it); every rating's arithmetic is Surprise's SVD.sgd (biased), in its order:
  // err, then the biases, then the factors from the old p_u and q_i.
  const pRow = new Float64Array(f);
  const sweepRow: RowSweep = (u, cols, row) => {
    let b = bu[u]!;
    const pBase = u * f;
    for (let c = 0; c < f; c++) pRow[c] = pu[pBase + c]!;
    if (f === 5) {
      // The paper's 5 factors, unrolled into locals for speed (1000 epochs over every rating per test row).
      // It does the general loop's (and Surprise's) operations in the same order — the dot product summed
      // q0·p0 … q4·p4 from 0, then err, the biases, and each factor's p and q from their old values — so
      // each seed reproduces the reference's numbers exactly; a reordered sum would drift per seed.
      let p0 = pRow[0]!,
        p1 = pRow[1]!,
        p2 = pRow[2]!,
        p3 = pRow[3]!,
        p4 = pRow[4]!;
      for (let t = 0; t < cols.length; t++) {
        const i = cols[t]!;
        const q = i * 5;
        const err = row[i]! - (mu + b + bi[i]! + dot5(p0, p1, p2, p3, p4, qi, q));
        const q0 = qi[q]!,
          q1 = qi[q + 1]!,
          q2 = qi[q + 2]!,
          q3 = qi[q + 3]!,
          q4 = qi[q + 4]!;
        b += lr * (err - reg * b);
        bi[i]! += lr * (err - reg * bi[i]!);
        qi[q] = q0 + lr * (err * p0 - reg * q0);
        p0 = p0 + lr * (err * q0 - reg * p0);
        qi[q + 1] = q1 + lr * (err * p1 - reg * q1);
        p1 = p1 + lr * (err * q1 - reg * p1);
        qi[q + 2] = q2 + lr * (err * p2 - reg * q2);
        p2 = p2 + lr * (err * q2 - reg * p2);
        qi[q + 3] = q3 + lr * (err * p3 - reg * q3);
        p3 = p3 + lr * (err * q3 - reg * p3);
        qi[q + 4] = q4 + lr * (err * p4 - reg * q4);
        p4 = p4 + lr * (err * q4 - reg * p4);
      }
      pRow.set([p0, p1, p2, p3, p4]);
    } else {
      for (let t = 0; t < cols.length; t++) {
        const i = cols[t]!;
        const q = i * f;
        let dot = 0;
        for (let c = 0; c < f; c++) dot += qi[q + c]! * pRow[c]!;
        const err = row[i]! - (mu + b + bi[i]! + dot);
        b += lr * (err - reg * b);
        bi[i]! += lr * (err - reg * bi[i]!);
        for (let c = 0; c < f; c++) {
          const puf = pRow[c]!;
          const qif = qi[q + c]!;
          pRow[c] = puf + lr * (err * qif - reg * puf);
          qi[q + c] = qif + lr * (err * puf - reg * qif);
        }
      }
    }
    bu[u] = b;
    for (let c = 0; c < f; c++) pu[pBase + c] = pRow[c]!;
  };
  sgdEpochs(block, known, s.epochs, sweepRow);
  const seen = seenColumns(block.columnSeen, known);
  const prediction = new Float64Array(n);
  const pBase = m * f;
  for (let i = 0; i < n; i++) {
    let est = mu + bu[m]!;
    if (seen[i]) {
      est += bi[i]!;
      let dot = 0;
      for (let c = 0; c < f; c++) dot += qi[i * f + c]! * pu[pBase + c]!;
      est += dot;
    }
    prediction[i] = clipRating(est);
  }
  return prediction;
}
