import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import type { Table } from './types.js';

/**
 * The long-table form of a matrix: one row per cell, task-major, columns `task`, `example`, `delta`
 * (NaN for a missing cell, which the writers store as an empty field or null) and `nll_before` when the
 * matrix knows it. Keeping missing cells as rows keeps the id order and fully missing rows/columns.
 */
export function matrixToLongTable(matrix: ForgettingMatrix): Table {
  const count = matrix.rows * matrix.cols;
  const task: string[] = new Array(count);
  const example: string[] = new Array(count);
  const delta = new Float64Array(count);
  const before = matrix.nllBefore ? new Float64Array(count) : null;
  let r = 0;
  for (let i = 0; i < matrix.rows; i++) {
    for (let j = 0; j < matrix.cols; j++) {
      task[r] = matrix.taskIds[i]!;
      example[r] = matrix.exampleIds[j]!;
      delta[r] = matrix.get(i, j);
      if (before) before[r] = matrix.nllBefore![j]!;
      r++;
    }
  }
  return { columns: before ? { task, example, delta, nll_before: before } : { task, example, delta } };
}
