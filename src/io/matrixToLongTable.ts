import type { ForgettingMatrix, MetaValue } from '../matrix/ForgettingMatrix.js';
import { isEmbeddingKey } from '../matrix/exampleEmbedding.js';
import type { Table, TableColumn } from './types.js';
import { itemAt } from '../util/checked.js';

/** The long table's own columns, which no metadata key may take. */
const LONG_COLUMNS = new Set(['task', 'example', 'delta', 'nll_before']);

/**
 * The long-table form of a matrix: one row per cell, task-major, columns `task`, `example`, `delta`
 * (NaN for a missing cell, which the writers store as an empty field or null) and `nll_before` when the
 * matrix knows it. Keeping missing cells as rows keeps the id order and fully missing rows/columns.
 *
 * Example metadata follows as one column per key (in order of first appearance), repeated on each
 * task's rows, so the readers take it back as example metadata: an `embedding.<i>` key whose values are
 * all numbers as a float64 column (NaN, written as null, where an example lacks it); any other key as
 * text (numbers and booleans as their decimal text, an empty field where an example lacks it; listed in
 * `textColumns`, so a CSV quotes a value such as "2019" and the readers keep it as text). A key
 * named like one of the long columns is left out. Task metadata is not written: a column with one value
 * per task cannot be told from example metadata when there is one task or the value is shared.
 * `options.exampleMeta: false` leaves the metadata columns out (the cells alone).
 */
export function matrixToLongTable(matrix: ForgettingMatrix, options: { exampleMeta?: boolean } = {}): Table {
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
  const columns: Record<string, TableColumn> = before
    ? { task, example, delta, nll_before: before }
    : { task, example, delta };
  if (options.exampleMeta === false) return { columns };
  const textColumns: string[] = [];
  for (const [key, perExample] of exampleMetaColumns(matrix)) {
    columns[key] = repeatPerTask(perExample, matrix.rows);
    if (!(perExample instanceof Float64Array)) textColumns.push(key);
  }
  return textColumns.length > 0 ? { columns, textColumns } : { columns };
}

/** One column per example metadata key: numbers for an all-numeric embedding key, else text. */
function exampleMetaColumns(matrix: ForgettingMatrix): [string, Float64Array | string[]][] {
  const keys = new Set<string>();
  for (const meta of matrix.exampleMeta) for (const key of Object.keys(meta)) if (!LONG_COLUMNS.has(key)) keys.add(key);
  return [...keys].map((key) => {
    const values = matrix.exampleMeta.map((meta): MetaValue | undefined => meta[key]);
    const numeric = isEmbeddingKey(key) && values.every((v) => v === undefined || v === null || typeof v === 'number');
    if (numeric) return [key, Float64Array.from(values, (v) => (typeof v === 'number' ? v : NaN))];
    return [key, values.map((v) => (v === undefined || v === null ? '' : String(v)))];
  });
}

/** `perExample` (N values) repeated `m` times, task-major. */
function repeatPerTask(perExample: Float64Array | string[], m: number): Float64Array | string[] {
  const n = perExample.length;
  if (perExample instanceof Float64Array) {
    const out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) out.set(perExample, i * n);
    return out;
  }
  const out: string[] = new Array<string>(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = itemAt(perExample, j, 'example');
  return out;
}
