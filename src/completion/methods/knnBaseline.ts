/**
 * `knn-baseline` (the paper's "KNN"): Surprise's KNNBaseline, user-based, MSD similarity, k = 40,
 * min_k = 1, with the BaselineOnly SGD baselines (1000 epochs, lr 0.005, reg 0.02): the prediction
 * is the baseline μ + b_u + b_i plus the similarity-weighted mean of the neighbours' residuals from
 * their own baselines. Reproduces the released code's predictions.
 */
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { CompletionMethod, FittedCompletion, KnownEntries, RowPrediction } from '../types.js';
import { checkKnown, clipRating, trainBlock } from './surpriseTrainset.js';
import { forEachNeighbour, msdToTrainRows, rankBySimilarity } from './msdNeighbours.js';
import { baselineSgd, type BaselineSgdSettings } from './baselineSgd.js';
import { PAPER_BASELINE_SGD, seenColumns } from './additive.js';
import type { KnnOptions } from './knn.js';
import { itemAt } from '../../util/checked.js';

/** Options of `knn-baseline`. */
export interface KnnBaselineOptions extends KnnOptions, Partial<BaselineSgdSettings> {}

/**
 * Builds the `knn-baseline` method.
 *
 * @example
 * const fitted = await knnBaseline().fit(trainRows);
 */
export function knnBaseline(
  defaults: Omit<KnnBaselineOptions, 'seed' | 'backend' | 'progress'> = {},
): CompletionMethod<KnnBaselineOptions> {
  return {
    name: 'knn-baseline',
    async fit(train: ForgettingMatrix, options: KnnBaselineOptions = {}): Promise<FittedCompletion> {
      const block = trainBlock(train, 'knn-baseline');
      const k = options.k ?? defaults.k ?? 40;
      const minK = options.minK ?? defaults.minK ?? 1;
      const settings: BaselineSgdSettings = {
        epochs: options.epochs ?? defaults.epochs ?? PAPER_BASELINE_SGD.epochs,
        learningRate: options.learningRate ?? defaults.learningRate ?? PAPER_BASELINE_SGD.learningRate,
        reg: options.reg ?? defaults.reg ?? PAPER_BASELINE_SGD.reg,
      };
      const { m, n, values } = block;
      return {
        async predictRow(known: KnownEntries): Promise<RowPrediction> {
          checkKnown(known, n, 'knn-baseline');
          const { mu, bu, bi } = baselineSgd(block, known, settings);
          const sim = msdToTrainRows(block, known);
          const order = rankBySimilarity(sim);
          const seen = seenColumns(block.columnSeen, known);
          const prediction = new Float64Array(n);
          for (let j = 0; j < n; j++) {
            let est = mu;
            est += itemAt(bu, m);
            if (!seen[j]) {
              prediction[j] = clipRating(est);
              continue;
            }
            est += itemAt(bi, j);
            let sumSim = 0;
            let sumRatings = 0;
            let actualK = 0;
            const itemBias = itemAt(bi, j);
            forEachNeighbour(block, order, sim, j, k, (row, s) => {
              if (s > 0) {
                sumSim += s;
                const r = itemAt(values, row * n + j);
                const nbBaseline = mu + itemAt(bu, row) + itemBias;
                sumRatings += s * (r - nbBaseline);
                actualK++;
              }
            });
            if (actualK < minK) sumRatings = 0;
            if (sumSim !== 0) est += sumRatings / sumSim;
            prediction[j] = clipRating(est);
          }
          return { prediction };
        },
      };
    },
  };
}
