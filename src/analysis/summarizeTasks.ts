import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import { itemAt } from '../util/checked.js';
import { rowMeansOf } from './fitAdditive.js';

/** Per-task (row) forgetting statistics over observed entries. */
export interface TaskSummary {
  /** Task ids, in row order. */
  ids: readonly string[];
  /** Mean forgetting of each task (NaN when nothing observed). */
  mean: Float64Array;
  /** Largest forgetting in each row. */
  max: Float64Array;
  /** Fraction of the row's observed examples with Z > 0. */
  fractionForgotten: Float64Array;
  /** Observed examples per task. */
  observed: Int32Array;
  /**
   * The task's scalar in the multiplicative (rank-1) model `Z ≈ u_i·v_j` (v unit-norm, largest
   * entry positive), when a rank-1 fit was given; otherwise null.
   */
  rankOneScalar: Float64Array | null;
}

/**
 * Per-task mean / max forgetting, fraction forgotten and (optionally) the rank-1 task scalar.
 * @example
 * const z = ForgettingMatrix.fromRows([[0.1, 0.3], [-0.2, 0.4]]);
 * summarizeTasks(z).mean; // [0.2, 0.1]
 * summarizeTasks(z, (await fitTruncatedRanks(z)).rankOne.task).rankOneScalar; // rank-1 task scalars
 */
export function summarizeTasks(matrix: ForgettingMatrix, rankOneTask: Float64Array | null = null): TaskSummary {
  const { rows: m, cols: n, values: v, mask } = matrix;
  const { means: mean, counts: observed } = rowMeansOf(matrix);
  const max = new Float64Array(m);
  const fractionForgotten = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const rowMask = mask?.subarray(i * n, i * n + n);
    let positive = 0;
    let hi = -Infinity;
    v.subarray(i * n, i * n + n).forEach((z, j) => {
      if (rowMask?.[j] === 0) return;
      if (z > 0) positive++;
      if (z > hi) hi = z;
    });
    const c = itemAt(observed, i);
    max[i] = c > 0 ? hi : NaN;
    fractionForgotten[i] = c > 0 ? positive / c : NaN;
  }
  return {
    ids: matrix.taskIds,
    mean,
    max,
    fractionForgotten,
    observed,
    rankOneScalar: rankOneTask ? Float64Array.from(rankOneTask) : null,
  };
}
