/**
 * Shared pieces of the logistic MF methods (`lgmf`, `lgmf-additive`): the binarised stacked matrix
 * (train rows + the known entries of the test row; 1 where Z > 0) and the seeded Gaussian init.
 */
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { CompletionMethod, FitOptions, FittedCompletion, KnownEntries, RowPrediction } from '../types.js';
import { checkKnown, trainBlock, type TrainBlock } from './surpriseTrainset.js';
import { defaultRng } from '../protocol/generator.js';
import { normals } from '../protocol/ziggurat.js';
import { itemAt } from '../../util/checked.js';

/** Settings of the logistic MF gradient ascent. */
export interface LogisticSettings {
  iterations: number;
  learningRate: number;
  reg: number;
  initStd: number;
}

/**
 * The stacked (M + 1)×N targets and mask: train rows as observed, then the test row's known columns.
 * Built once per per-row fit (the known entries change every row).
 */
export function binaryTargets(block: TrainBlock, known: KnownEntries): { y: Uint8Array; mask: Uint8Array } {
  const { m, n, values } = block;
  const y = new Uint8Array((m + 1) * n);
  const mask = new Uint8Array((m + 1) * n);
  for (let k = 0; k < m * n; k++) {
    if (block.mask !== null && block.mask[k] === 0) continue;
    mask[k] = 1;
    y[k] = itemAt(values, k) > 0 ? 1 : 0;
  }
  for (let q = 0; q < known.columns.length; q++) {
    const k = m * n + itemAt(known.columns, q);
    mask[k] = 1;
    y[k] = itemAt(known.values, q) > 0 ? 1 : 0;
  }
  return { y, mask };
}

/**
 * `size` normals N(0, std²) as `numpy.random.default_rng(seed).normal(0, std, size)` (ziggurat; see
 * protocol/ziggurat.ts), the released code's initialisation of the logistic MF factors.
 */
export function seededNormals(seed: number, size: number, std: number): Float64Array {
  return normals(defaultRng(seed), 0, std, size);
}

/** The logistic function. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * A scores-only method of the logistic family (`lgmf`, `lgmf-additive`) named `name`: its settings are
 * `paper`'s, overridden by `defaults`, then by the fit options; `row` fits one test row;
 * `predictRow(known, {seed})` seeds that fit (default: the fit seed).
 */
export function logisticMethod<S extends LogisticSettings>(
  name: string,
  paper: S,
  defaults: Partial<S>,
  row: (block: TrainBlock, known: KnownEntries, settings: S, seed: number) => Float64Array,
): CompletionMethod<FitOptions & Partial<S>> {
  return {
    name,
    async fit(train: ForgettingMatrix, options: FitOptions & Partial<S> = {}): Promise<FittedCompletion> {
      const block = trainBlock(train, name);
      const settings: S = { ...paper, ...defaults };
      for (const key of Object.keys(paper) as (keyof S)[]) {
        const value = (options as Partial<S>)[key];
        if (value !== undefined) settings[key] = value as S[keyof S];
      }
      const fitSeed = options.seed ?? 0;
      return {
        scoresOnly: true,
        async predictRow(known: KnownEntries, rowOptions: { seed?: number } = {}): Promise<RowPrediction> {
          checkKnown(known, block.n, name);
          return { prediction: row(block, known, settings, rowOptions.seed ?? fitSeed) };
        },
      };
    },
  };
}
