import { ForgetscopeError } from '../../util/errors.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { SideMatrix, SideReport } from '../../matrix/sideMatrices.js';

export type { SideReport } from '../../matrix/sideMatrices.js';
import { parseNpy } from '../npy/parseNpy.js';
import { itemAt } from '../../util/checked.js';

/** A side matrix name usable as a file name (`side/<name>.npy`) and a CLI list item. */
export function checkSideName(name: string): void {
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name === '.' || name === '..') {
    throw new ForgetscopeError('usage', `side matrix name "${name}" must use only letters, digits, "_", "-" and "."`);
  }
}

/**
 * Decodes `side/<name>.npy` for a matrix of `rows × cols`: a float32/float64 array of shape
 * `[rows, cols]` (same task rows and example columns as Z.npy), or `[cols]` for an example feature
 * (repeated on every row). Anything else is a `shape`/`dtype` error naming the file and the mismatch.
 */
export function parseSideNpy(
  bytes: Uint8Array,
  name: string,
  rows: number,
  cols: number,
  file = `side/${name}.npy`,
): { side: SideMatrix; report: SideReport } {
  checkSideName(name);
  const arr = parseNpy(bytes, file);
  if (!(arr.data instanceof Float32Array || arr.data instanceof Float64Array)) {
    throw new ForgetscopeError(
      'dtype',
      `side matrix "${name}" must be float32 or float64, found ${JSON.stringify(arr.descr)}`,
      { file },
    );
  }
  const dtype = arr.data instanceof Float32Array ? 'float32' : 'float64';
  const shape = [...arr.shape];
  const report: SideReport = { source: file, shape, dtype };
  if (shape.length === 1) {
    if (shape[0] !== cols) {
      throw new ForgetscopeError(
        'shape',
        `side matrix "${name}" has ${shape[0]} values but the matrix has ${cols} examples (expected shape [${rows}, ${cols}] or [${cols}])`,
        { file },
      );
    }
    const data = arr.data instanceof Float32Array ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) data.set(arr.data, i * cols);
    checkFinite(data, name, file, cols);
    return { side: { name, rows, cols, data }, report };
  }
  if (shape.length !== 2 || shape[0] !== rows || shape[1] !== cols) {
    throw new ForgetscopeError(
      'shape',
      `side matrix "${name}" has shape [${shape.join(', ')}] but the matrix is ${rows}×${cols} (expected [${rows}, ${cols}], same rows and columns as Z.npy)`,
      { file },
    );
  }
  checkFinite(arr.data, name, file, cols);
  return { side: { name, rows, cols, data: arr.data }, report };
}

function checkFinite(data: Float64Array | Float32Array, name: string, file: string, cols: number): void {
  for (const [k, x] of data.entries()) {
    if (!Number.isFinite(x)) {
      const i = Math.floor(k / cols);
      const j = k % cols;
      throw new ForgetscopeError('input', `side matrix "${name}" has a non-finite value at row ${i}, column ${j}`, {
        file,
      });
    }
  }
}

/**
 * Aligns a side column of a long table, read as its own matrix (`side`), with the forgetting matrix:
 * rows and columns reordered by task and example id. Every cell of `matrix` needs a side value (a
 * missing one is an error naming the task and the example).
 */
export function alignSideMatrix(
  side: ForgettingMatrix,
  matrix: ForgettingMatrix,
  name: string,
  file: string,
): SideMatrix {
  checkSideName(name);
  const taskIndex = new Map(side.taskIds.map((t, i) => [t, i]));
  const exampleIndex = new Map(side.exampleIds.map((e, j) => [e, j]));
  const m = matrix.rows;
  const n = matrix.cols;
  const data = new Float64Array(m * n);
  const cols = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const sj = exampleIndex.get(itemAt(matrix.exampleIds, j, 'column'));
    if (sj === undefined)
      throw new ForgetscopeError('input', `side column "${name}" has no value for example "${matrix.exampleIds[j]}"`, {
        file,
      });
    cols[j] = sj;
  }
  for (let i = 0; i < m; i++) {
    const si = taskIndex.get(itemAt(matrix.taskIds, i, 'row'));
    if (si === undefined)
      throw new ForgetscopeError('input', `side column "${name}" has no value for task "${matrix.taskIds[i]}"`, {
        file,
      });
    for (let j = 0; j < n; j++) {
      const sj = itemAt(cols, j, 'column');
      if (!side.isObserved(si, sj)) {
        if (!matrix.isObserved(i, j)) continue;
        throw new ForgetscopeError(
          'input',
          `side column "${name}" has no value for task "${matrix.taskIds[i]}", example "${matrix.exampleIds[j]}"`,
          { file },
        );
      }
      data[i * n + j] = side.get(si, sj);
    }
  }
  return { name, rows: m, cols: n, data };
}
