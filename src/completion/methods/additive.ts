/**
 * `additive`: the paper's additive model μ + b_task + b_example fitted per test row by Surprise's
 * BaselineOnly SGD (1000 epochs, lr 0.005, reg 0.02) on the train rows plus the row's known entries,
 * reproducing the released code's predictions to machine precision.
 */
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { CompletionMethod, FitOptions, FittedCompletion, KnownEntries, RowPrediction } from '../types.js';
import { baselineSgd, type BaselineSgdSettings } from './baselineSgd.js';
import { checkKnown, clipRating, trainBlock } from './surpriseTrainset.js';
import { itemAt } from '../../util/checked.js';

/** Options of `additive` (paper defaults). */
export interface AdditiveOptions extends FitOptions, Partial<BaselineSgdSettings> {}

/** The paper's SGD settings of the additive baseline. */
export const PAPER_BASELINE_SGD: BaselineSgdSettings = { epochs: 1000, learningRate: 0.005, reg: 0.02 };

/**
 * Builds the `additive` method.
 *
 * @example
 * const fitted = await additive().fit(trainRows);
 * const { prediction } = await fitted.predictRow({ columns: Int32Array.of(3, 9), values: Float64Array.of(0.2, 0.5) });
 */
export function additive(defaults: Partial<BaselineSgdSettings> = {}): CompletionMethod<AdditiveOptions> {
  return {
    name: 'additive',
    async fit(train: ForgettingMatrix, options: AdditiveOptions = {}): Promise<FittedCompletion> {
      const block = trainBlock(train, 'additive');
      const settings: BaselineSgdSettings = {
        epochs: options.epochs ?? defaults.epochs ?? PAPER_BASELINE_SGD.epochs,
        learningRate: options.learningRate ?? defaults.learningRate ?? PAPER_BASELINE_SGD.learningRate,
        reg: options.reg ?? defaults.reg ?? PAPER_BASELINE_SGD.reg,
      };
      return {
        async predictRow(known: KnownEntries): Promise<RowPrediction> {
          checkKnown(known, block.n, 'additive');
          const { mu, bu, bi } = baselineSgd(block, known, settings);
          const prediction = new Float64Array(block.n);
          const userBias = itemAt(bu, block.m);
          const seen = seenColumns(block.columnSeen, known);
          for (let j = 0; j < block.n; j++) {
            // Surprise: est = μ; += b_u (known user); += b_i (known item); then clip.
            prediction[j] = clipRating(seen[j] ? mu + userBias + itemAt(bi, j) : mu + userBias);
          }
          return { prediction };
        },
      };
    },
  };
}

/** Columns Surprise knows as items: seen in a train row or among the known entries. */
export function seenColumns(columnSeen: Uint8Array, known: KnownEntries): Uint8Array {
  const seen = Uint8Array.from(columnSeen);
  for (const c of known.columns) seen[c] = 1;
  return seen;
}
