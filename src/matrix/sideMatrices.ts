import { ForgetscopeError } from '../util/errors.js';

/**
 * Side information aligned with a forgetting matrix: named M×N matrices with the same task rows and
 * example columns as Z (e.g. `first_order`, a cheap per-(task, example) predictor of forgetting). They
 * travel next to the matrix (a `ReadResult.side`, a method's `FitOptions.side`) rather than inside it.
 */

/** One side matrix: `rows × cols` row-major values, aligned with the matrix it belongs to. */
export interface SideMatrix {
  name: string;
  rows: number;
  cols: number;
  data: Float64Array | Float32Array;
}

/** What a reader says about one side matrix it read (part of a read report). */
export interface SideReport {
  /** Where it came from: `side/<name>.npy` of a folder, or a column of a long table. */
  source: string;
  /** Shape as stored: `[M, N]`, or `[N]` for an example feature repeated on every row. */
  shape: number[];
  /** Storage type as read (`float32`, `float64`). */
  dtype: string;
}

/** The side matrices of one forgetting matrix, in the order they were asked for. */
export type SideMatrices = readonly SideMatrix[];

/** One task's side values: one length-N row per side matrix, by name. */
export type SideRow = Readonly<Record<string, Float64Array | Float32Array>>;

/**
 * Checks that every side matrix is `rows × cols` (a shape error naming the side matrix otherwise)
 * and that names are distinct.
 */
export function checkSideShapes(side: SideMatrices, rows: number, cols: number, what = 'the matrix'): void {
  const seen = new Set<string>();
  for (const s of side) {
    if (seen.has(s.name)) throw new ForgetscopeError('usage', `side matrix "${s.name}" is given twice`);
    seen.add(s.name);
    if (s.rows !== rows || s.cols !== cols || s.data.length !== rows * cols) {
      throw new ForgetscopeError(
        'shape',
        `side matrix "${s.name}" is ${s.rows}×${s.cols} but ${what} is ${rows}×${cols}`,
      );
    }
  }
}

/** The side matrices restricted to the given rows (copies), e.g. the train rows of a split. */
export function selectSideRows(side: SideMatrices, rows: ArrayLike<number>): SideMatrix[] {
  return side.map((s) => {
    const out =
      s.data instanceof Float32Array ? new Float32Array(rows.length * s.cols) : new Float64Array(rows.length * s.cols);
    for (let a = 0; a < rows.length; a++) {
      const i = rows[a];
      if (i === undefined || !Number.isInteger(i) || i < 0 || i >= s.rows)
        throw new ForgetscopeError('usage', `side matrix "${s.name}": row ${i} is outside 0..${s.rows - 1}`);
      out.set(s.data.subarray(i * s.cols, (i + 1) * s.cols), a * s.cols);
    }
    return { name: s.name, rows: rows.length, cols: s.cols, data: out };
  });
}

/** Row `i` of every side matrix (views, no copy), by name: what `predictRow` gets for a new task. */
export function sideRowOf(side: SideMatrices, i: number): SideRow {
  const out: Record<string, Float64Array | Float32Array> = {};
  for (const s of side) {
    if (!Number.isInteger(i) || i < 0 || i >= s.rows)
      throw new ForgetscopeError('usage', `side matrix "${s.name}": row ${i} is outside 0..${s.rows - 1}`);
    out[s.name] = s.data.subarray(i * s.cols, (i + 1) * s.cols);
  }
  return out;
}

/**
 * An example-side feature (one value per column, e.g. the base model's NLL or the example length) as a
 * side matrix whose every row is the feature: a method then learns a per-task coefficient for it.
 */
export function exampleFeatureSide(name: string, feature: ArrayLike<number>, rows: number): SideMatrix {
  const cols = feature.length;
  const data = new Float64Array(rows * cols);
  const row = Float64Array.from(feature);
  for (let i = 0; i < rows; i++) data.set(row, i * cols);
  return { name, rows, cols, data };
}
