import { ForgetscopeError } from '../../util/errors.js';
import type { ForgettingMatrix, ExampleMeta, TaskMeta } from '../../matrix/ForgettingMatrix.js';
import type { ReadReport } from '../types.js';
import { matrixFromParts } from '../matrixFromParts.js';
import { quoteText } from '../limits.js';
import type { NpyArray } from './parseNpy.js';
import { itemAt } from '../../util/checked.js';

/** Options of `matrixFromNpy`. */
export interface MatrixFromNpyOptions {
  file: string;
  taskIds?: readonly string[];
  exampleIds?: readonly string[];
  taskMeta?: TaskMeta[];
  exampleMeta?: ExampleMeta[];
  nllBefore?: Float64Array;
  /** Where the ids came from (an id list, tasks.json, examples.jsonl): errors about ids name it. Default `file`. */
  idFiles?: { tasks?: string; examples?: string };
  nanAsMissing?: boolean;
  dtype?: 'float64' | 'float32';
}

/**
 * Turns a decoded 2-D float `.npy` array into a matrix. NaN cells are an error unless `nanAsMissing`,
 * where they become missing entries (counted in the report as dropped `"nan (missing)"`). The report
 * counts cells: `rows` = M×N, `kept` = observed cells.
 */
export function matrixFromNpy(
  arr: NpyArray,
  options: MatrixFromNpyOptions,
): { matrix: ForgettingMatrix; report: ReadReport } {
  const file = options.file;
  if (!(arr.data instanceof Float64Array || arr.data instanceof Float32Array)) {
    throw new ForgetscopeError(
      'dtype',
      `expected a float32 or float64 array, found dtype ${JSON.stringify(arr.descr)}`,
      { file },
    );
  }
  if (arr.shape.length !== 2) {
    throw new ForgetscopeError(
      'shape',
      `expected a 2-D array (tasks × examples), found shape (${arr.shape.join(', ')})`,
      { file },
    );
  }
  const [m, n] = arr.shape as [number, number];
  if (m === 0 || n === 0) throw new ForgetscopeError('empty', `the array is empty (shape (${m}, ${n}))`, { file });
  const taskIds = options.taskIds ?? Array.from({ length: m }, (_, i) => String(i));
  const exampleIds = options.exampleIds ?? Array.from({ length: n }, (_, j) => String(j));
  const taskFile = options.idFiles?.tasks ?? file;
  const exampleFile = options.idFiles?.examples ?? file;
  if (taskIds.length !== m)
    throw new ForgetscopeError('shape', `${taskIds.length} task ids for the ${m} rows of ${file}`, { file: taskFile });
  if (exampleIds.length !== n)
    throw new ForgetscopeError('shape', `${exampleIds.length} example ids for the ${n} columns of ${file}`, {
      file: exampleFile,
    });
  checkIds(taskIds, 'task', taskFile);
  checkIds(exampleIds, 'example', exampleFile);
  const values =
    options.dtype === 'float32'
      ? arr.data instanceof Float32Array
        ? arr.data
        : Float32Array.from(arr.data)
      : arr.data instanceof Float64Array
        ? arr.data
        : Float64Array.from(arr.data);
  let observed: Uint8Array | undefined;
  let missing = 0;
  for (const [k, v] of values.entries()) {
    if (Number.isFinite(v)) continue;
    if (Number.isNaN(v) && options.nanAsMissing) {
      observed ??= new Uint8Array(values.length).fill(1);
      observed[k] = 0;
      missing++;
      continue;
    }
    const i = Math.floor(k / n);
    const j = k % n;
    const stored = Number.isFinite(arr.data[k] as number) ? ` (${String(arr.data[k])} does not fit in float32)` : '';
    throw new ForgetscopeError(
      'parse',
      `entry at row ${i + 1} (task ${quoteText(itemAt(taskIds, i, 'row'), 80)}), column ${j + 1} (example ${quoteText(itemAt(exampleIds, j, 'column'), 80)}) is ${String(v)}${stored}${Number.isNaN(v) ? ' (pass nanAsMissing to treat NaN as a missing entry)' : ', not a finite number'}`,
      { file, line: i + 1, column: j + 1 },
    );
  }
  if (missing === values.length) {
    throw new ForgetscopeError('empty', `no observed value: all ${values.length} entries are NaN`, { file });
  }
  const { taskMeta, exampleMeta, nllBefore } = options;
  const matrix = matrixFromParts({ values, observed, taskIds, exampleIds, taskMeta, exampleMeta, nllBefore });
  const report: ReadReport = {
    rows: m * n,
    kept: m * n - missing,
    dropped: missing > 0 ? { 'nan (missing)': missing } : {},
  };
  return { matrix, report };
}

function checkIds(ids: readonly string[], what: string, file: string): void {
  const seen = new Map<string, number>();
  ids.forEach((id, k) => {
    if (id === '') throw new ForgetscopeError('parse', `${what} id ${k + 1} is empty`, { file, line: k + 1 });
    const prev = seen.get(id);
    if (prev !== undefined)
      throw new ForgetscopeError(
        'duplicate',
        `${what} id ${quoteText(id, 80)} appears twice (positions ${prev + 1} and ${k + 1})`,
        { file, line: k + 1 },
      );
    seen.set(id, k);
  });
}
