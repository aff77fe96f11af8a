/**
 * `knn`: Surprise's KNNBasic, user-based (neighbours are train tasks), MSD similarity, k = 40,
 * min_k = 1: the prediction for a column is the similarity-weighted mean of the k most similar
 * tasks' values there (only similarities > 0 count). Reproduces the released code's predictions.
 * O(M·k_known) similarities plus O(k·N) predictions per row; no pairwise train-train similarities
 * (they never enter the test row's predictions).
 */
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { CompletionMethod, FitOptions, FittedCompletion, KnownEntries, RowPrediction } from '../types.js';
import { checkKnown, clipRating, globalMean, trainBlock } from './surpriseTrainset.js';
import { forEachNeighbour, msdToTrainRows, rankBySimilarity } from './msdNeighbours.js';
import { itemAt } from '../../util/checked.js';

/** Options of the KNN methods. */
export interface KnnOptions extends FitOptions {
  /** Neighbours per prediction (default 40). */
  k?: number;
  /** Fewest neighbours with positive similarity, else the fallback (default 1). */
  minK?: number;
}

/**
 * Builds the `knn` method.
 *
 * @example
 * const fitted = await knn().fit(trainRows);
 * (await fitted.predictRow({ columns: Int32Array.of(0, 1), values: Float64Array.of(0.25, 0.5) })).prediction;
 */
export function knn(defaults: { k?: number; minK?: number } = {}): CompletionMethod<KnnOptions> {
  return {
    name: 'knn',
    async fit(train: ForgettingMatrix, options: KnnOptions = {}): Promise<FittedCompletion> {
      const block = trainBlock(train, 'knn');
      const k = options.k ?? defaults.k ?? 40;
      const minK = options.minK ?? defaults.minK ?? 1;
      const { n, values } = block;
      return {
        async predictRow(known: KnownEntries): Promise<RowPrediction> {
          checkKnown(known, n, 'knn');
          const sim = msdToTrainRows(block, known);
          const order = rankBySimilarity(sim);
          const prediction = new Float64Array(n);
          let fallback: number | null = null;
          for (let j = 0; j < n; j++) {
            if (!block.columnSeen[j]) {
              // No train row rated the column: no neighbour, Surprise falls back to the global mean.
              prediction[j] = clipRating((fallback ??= globalMean(block, known)));
              continue;
            }
            let sumSim = 0;
            let sumRatings = 0;
            let actualK = 0;
            forEachNeighbour(block, order, sim, j, k, (row, s) => {
              if (s > 0) {
                const r = itemAt(values, row * n + j);
                sumSim += s;
                sumRatings += s * r;
                actualK++;
              }
            });
            prediction[j] =
              actualK < minK ? clipRating((fallback ??= globalMean(block, known))) : clipRating(sumRatings / sumSim);
          }
          return { prediction };
        },
      };
    },
  };
}
