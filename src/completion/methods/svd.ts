/**
 * `svd` (the paper's MF): Surprise's biased SVD, μ + b_u + b_i + p_uᵀq_i, fitted per test row by SGD
 * over the train rows plus the row's known entries in trainset order (5 factors, 1000 epochs,
 * lr 0.005, reg 0). The factors start from N(0, σ = 0.001) drawn as numpy's
 * `RandomState(seed).normal` (p for the M + 1 users, then q for the N items), as the reference results
 * do, so with the same seed the same start. The released code left the init unseeded; its results
 * vary with the init by a few percent (see docs/completion.md).
 */
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { CompletionMethod, FitOptions, FittedCompletion, KnownEntries, RowPrediction } from '../types.js';
import { LegacyRandomState } from '../protocol/mt19937.js';
import { checkKnown, clipRating, globalMean, trainBlock, type TrainBlock } from './surpriseTrainset.js';
import { seenColumns } from './additive.js';

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
 * Builds the `svd` method. `predictRow(known, {seed})` seeds the factor init (default: the fit seed).
 *
 * @example
 * const fitted = await svd().fit(trainRows, { seed: 0 });
 */
export function svd(defaults: Partial<SvdSettings> = {}): CompletionMethod<SvdOptions> {
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
  const { m, n, values, mask } = block;
  const f = s.factors;
  const mu = globalMean(block, known);
  const rs = new LegacyRandomState(seed);
  const pu = rs.normal(0, s.initStd, (m + 1) * f);
  const qi = rs.normal(0, s.initStd, n * f);
  const bu = new Float64Array(m + 1);
  const bi = new Float64Array(n);
  const lr = s.learningRate;
  const reg = s.reg;
  const kc = known.columns;
  const kv = known.values;
  // One rating's update, exactly as Surprise's SVD.sgd (biased): err, then biases, then factors.
  const update = (u: number, i: number, r: number): void => {
    const pBase = u * f;
    const qBase = i * f;
    let dot = 0;
    for (let c = 0; c < f; c++) dot += qi[qBase + c]! * pu[pBase + c]!;
    const err = r - (mu + bu[u]! + bi[i]! + dot);
    bu[u]! += lr * (err - reg * bu[u]!);
    bi[i]! += lr * (err - reg * bi[i]!);
    for (let c = 0; c < f; c++) {
      const puf = pu[pBase + c]!;
      const qif = qi[qBase + c]!;
      pu[pBase + c] = puf + lr * (err * qif - reg * puf);
      qi[qBase + c] = qif + lr * (err * puf - reg * qif);
    }
  };
  for (let epoch = 0; epoch < s.epochs; epoch++) {
    for (let u = 0; u < m; u++) {
      const base = u * n;
      for (let i = 0; i < n; i++) {
        if (mask !== null && mask[base + i] === 0) continue;
        update(u, i, values[base + i]!);
      }
    }
    for (let q = 0; q < kc.length; q++) update(m, kc[q]!, kv[q]!);
  }
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
