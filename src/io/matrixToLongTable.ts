import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import type { Table } from './types.js';
import { itemAt } from '../util/checked.js';

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
  const nllBefore = matrix.nllBefore;
  matrix.taskIds.forEach((taskId, i) => {
    matrix.exampleIds.forEach((exampleId, j) => {
      task[r] = taskId;
      example[r] = exampleId;
      delta[r] = matrix.get(i, j);
      if (before && nllBefore) before[r] = itemAt(nllBefore, j, 'column');
      r++;
    });
  });
  return { columns: before ? { task, example, delta, nll_before: before } : { task, example, delta } };
}
