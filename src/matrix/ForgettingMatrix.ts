import { itemAt } from '../util/checked.js';
import { ForgetscopeError } from '../util/errors.js';

/** Dense storage of matrix values: float64 by default, float32 on request for large inputs. */
export type Values = Float64Array | Float32Array;

/** A metadata value attached to a task or an example. */
export type MetaValue = string | number | boolean | null;

/** Per-task metadata (family, lr, steps, recipe …). */
export type TaskMeta = Record<string, MetaValue>;

/**
 * Per-example metadata. `source` (domain) and `text` are the conventional keys; `nllBefore` holds the
 * base model's loss of each example when known (one array for all examples, see `ForgettingMatrix`).
 */
export type ExampleMeta = Record<string, MetaValue>;

/** Everything needed to build a `ForgettingMatrix`. */
export interface ForgettingMatrixInit {
  /**
   * Row-major M×N values; entries where `observed` is 0 are ignored and read as NaN. The matrix keeps this
   * array (no copy) when its missing entries already hold NaN, and otherwise works on a copy: the caller's
   * array is never written. Do not modify it after building the matrix.
   */
  values: Values;
  /** Row-major M×N mask, 1 = observed. Omitted means fully observed. Kept by reference, never written. */
  observed?: Uint8Array;
  taskIds: readonly string[];
  exampleIds: readonly string[];
  taskMeta?: readonly TaskMeta[];
  exampleMeta?: readonly ExampleMeta[];
  /** Base-model NLL per example (length N), when known. */
  nllBefore?: Float64Array;
}

/** Summary of the observed values of a matrix. */
export interface MatrixSummary {
  tasks: number;
  examples: number;
  observed: number;
  missing: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  /** Fraction of observed entries with Z > 0 (forgotten). */
  fractionPositive: number;
}

/** A selection of rows or columns: indices, ids, or an inclusive `[start, end)` range. */
export type Selection = readonly number[] | Int32Array | readonly string[] | { start: number; end: number };

/**
 * The M tasks × N examples forgetting matrix Z (Z[i][j] = NLL after fine-tuning on task i − NLL
 * before, for example j). Values are dense row-major; missing entries are explicit in the
 * `observed` mask (never 0, never an accidental NaN). Immutable once built: no method writes its arrays,
 * and building one never writes the caller's arrays. Selections: `selectRows(sel)`, `selectCols(sel)`
 * (new matrices; a contiguous row range shares storage), `row(i)` (a view) and `column(j)` (a copy).
 *
 * @example
 * const z = ForgettingMatrix.fromRows([[0.1, 0.2], [0.3, 0.4]], { taskIds: ['a', 'b'], exampleIds: ['x', 'y'] });
 * z.get(1, 0); // 0.3
 */
export class ForgettingMatrix {
  /** Number of tasks (rows). */
  readonly rows: number;
  /** Number of upstream examples (columns). */
  readonly cols: number;
  /** Row-major values; missing entries hold NaN. */
  readonly values: Values;
  /** Row-major observed mask (1 = observed), or null when fully observed. */
  readonly mask: Uint8Array | null;
  readonly taskIds: readonly string[];
  readonly exampleIds: readonly string[];
  readonly taskMeta: readonly TaskMeta[];
  readonly exampleMeta: readonly ExampleMeta[];
  readonly nllBefore: Float64Array | null;
  private taskIndexCache: Map<string, number> | null = null;
  private exampleIndexCache: Map<string, number> | null = null;

  constructor(init: ForgettingMatrixInit) {
    const m = init.taskIds.length;
    const n = init.exampleIds.length;
    if (init.values.length !== m * n) {
      throw new ForgetscopeError('shape', `values has ${init.values.length} entries, expected ${m}×${n} = ${m * n}`);
    }
    if (init.observed && init.observed.length !== m * n) {
      throw new ForgetscopeError('shape', `observed mask has ${init.observed.length} entries, expected ${m * n}`);
    }
    if (init.taskMeta && init.taskMeta.length !== m) {
      throw new ForgetscopeError('shape', `taskMeta has ${init.taskMeta.length} entries, expected ${m}`);
    }
    if (init.exampleMeta && init.exampleMeta.length !== n) {
      throw new ForgetscopeError('shape', `exampleMeta has ${init.exampleMeta.length} entries, expected ${n}`);
    }
    if (init.nllBefore && init.nllBefore.length !== n) {
      throw new ForgetscopeError('shape', `nllBefore has ${init.nllBefore.length} entries, expected ${n}`);
    }
    this.rows = m;
    this.cols = n;
    this.taskIds = init.taskIds;
    this.exampleIds = init.exampleIds;
    this.taskMeta = init.taskMeta ?? init.taskIds.map(() => ({}));
    this.exampleMeta = init.exampleMeta ?? init.exampleIds.map(() => ({}));
    this.nllBefore = init.nllBefore ?? null;
    let mask: Uint8Array | null = null;
    let values = init.values;
    if (init.observed) {
      let all = true;
      let copied = false;
      for (let k = 0; k < init.observed.length; k++) {
        if (init.observed[k] === 0) {
          all = false;
          if (!Number.isNaN(values[k])) {
            // Missing entries read as NaN; write that into a copy, never into the caller's array.
            if (!copied) {
              values = values.slice();
              copied = true;
            }
            values[k] = NaN;
          }
        } else if (!Number.isFinite(values[k])) {
          throw new ForgetscopeError(
            'input',
            `observed ${describeEntry(init, k, n)} is ${String(values[k])}, not a finite number`,
          );
        }
      }
      mask = all ? null : init.observed;
    } else {
      for (let k = 0; k < values.length; k++) {
        if (!Number.isFinite(values[k])) {
          throw new ForgetscopeError(
            'input',
            `${describeEntry(init, k, n)} is ${String(values[k])}, not a finite number, and no observed mask was given; pass observed to mark missing entries`,
          );
        }
      }
    }
    this.values = values;
    this.mask = mask;
  }

  /**
   * Builds a fully observed matrix from nested arrays (tests, notebooks, small inputs).
   * Default ids are `t0…` and `e0…`.
   */
  static fromRows(
    rows: readonly (readonly number[])[],
    init: Partial<Omit<ForgettingMatrixInit, 'values'>> = {},
  ): ForgettingMatrix {
    const m = rows.length;
    const n = rows[0]?.length ?? 0;
    const values = new Float64Array(m * n);
    rows.forEach((r, i) => {
      if (r.length !== n) throw new ForgetscopeError('shape', `row ${i} has ${r.length} entries, expected ${n}`);
      values.set(r, i * n);
    });
    return new ForgettingMatrix({
      ...init,
      values,
      taskIds: init.taskIds ?? Array.from({ length: m }, (_, i) => `t${i}`),
      exampleIds: init.exampleIds ?? Array.from({ length: n }, (_, j) => `e${j}`),
    });
  }

  /** Builds a matrix from `after − before` with the same shape conventions as the constructor. */
  static fromNll(
    nllAfter: Values,
    nllBefore: Float64Array,
    init: Omit<ForgettingMatrixInit, 'values' | 'nllBefore'>,
  ): ForgettingMatrix {
    const n = init.exampleIds.length;
    if (nllBefore.length !== n) {
      throw new ForgetscopeError('shape', `nllBefore has ${nllBefore.length} entries, expected ${n}`);
    }
    // k % n < n = nllBefore.length, so every read below is in range.
    const values = Float64Array.from(nllAfter, (after, k) => after - itemAt(nllBefore, k % n, 'example'));
    return new ForgettingMatrix({ ...init, values, nllBefore });
  }

  /** Shape as `[M, N]`. */
  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  /** True when every entry is observed. */
  get isComplete(): boolean {
    return this.mask === null;
  }

  /** Number of observed entries. */
  get observedCount(): number {
    if (!this.mask) return this.rows * this.cols;
    let c = 0;
    for (const o of this.mask) c += o;
    return c;
  }

  /** Whether entry (i, j) is observed. */
  isObserved(i: number, j: number): boolean {
    return this.mask === null || this.mask[i * this.cols + j] === 1;
  }

  /** Value of entry (i, j), or NaN when missing (also NaN outside the matrix). */
  get(i: number, j: number): number {
    return this.values[i * this.cols + j] ?? NaN;
  }

  /** A view (no copy) of row i's values; missing entries are NaN. */
  row(i: number): Values {
    return this.values.subarray(i * this.cols, (i + 1) * this.cols);
  }

  /** A view (no copy) of row i's mask, or null when the matrix is complete. */
  rowMask(i: number): Uint8Array | null {
    return this.mask ? this.mask.subarray(i * this.cols, (i + 1) * this.cols) : null;
  }

  /** A copy of column j. */
  column(j: number): Float64Array {
    const out = new Float64Array(this.rows);
    for (let i = 0; i < this.rows; i++) out[i] = this.values[i * this.cols + j] ?? NaN;
    return out;
  }

  /** Index of a task id (throws a usage error naming the id when absent). */
  taskIndex(id: string): number {
    if (!this.taskIndexCache) this.taskIndexCache = new Map(this.taskIds.map((t, i) => [t, i]));
    const i = this.taskIndexCache.get(id);
    if (i === undefined) throw new ForgetscopeError('usage', `unknown task id "${id}"`);
    return i;
  }

  /** Index of an example id (throws a usage error naming the id when absent). */
  exampleIndex(id: string): number {
    if (!this.exampleIndexCache) this.exampleIndexCache = new Map(this.exampleIds.map((e, j) => [e, j]));
    const j = this.exampleIndexCache.get(id);
    if (j === undefined) throw new ForgetscopeError('usage', `unknown example id "${id}"`);
    return j;
  }

  /** Index of an example id, or -1. */
  findExample(id: string): number {
    if (!this.exampleIndexCache) this.exampleIndexCache = new Map(this.exampleIds.map((e, j) => [e, j]));
    return this.exampleIndexCache.get(id) ?? -1;
  }

  /** Resolves a row selection to indices. */
  resolveRows(sel: Selection): Int32Array {
    return resolveSelection(sel, this.rows, (id) => this.taskIndex(id), 'row');
  }

  /** Resolves a column selection to indices. */
  resolveCols(sel: Selection): Int32Array {
    return resolveSelection(sel, this.cols, (id) => this.exampleIndex(id), 'column');
  }

  /**
   * A new matrix with the selected rows (tasks). A contiguous range of a complete matrix shares
   * storage with this one (no copy).
   */
  selectRows(sel: Selection): ForgettingMatrix {
    const idx = this.resolveRows(sel);
    const n = this.cols;
    let values: Values;
    let observed: Uint8Array | undefined;
    const first = idx[0];
    if (first !== undefined && idx.every((v, k) => v === first + k)) {
      values = this.values.subarray(first * n, (first + idx.length) * n);
      observed = this.mask ? this.mask.subarray(first * n, (first + idx.length) * n) : undefined;
    } else {
      values = new (this.values.constructor as Float64ArrayConstructor | Float32ArrayConstructor)(idx.length * n);
      observed = this.mask ? new Uint8Array(idx.length * n) : undefined;
      idx.forEach((i, r) => {
        values.set(this.values.subarray(i * n, (i + 1) * n), r * n);
        if (observed && this.mask) observed.set(this.mask.subarray(i * n, (i + 1) * n), r * n);
      });
    }
    return new ForgettingMatrix({
      values,
      ...(observed ? { observed } : {}),
      taskIds: Array.from(idx, (i) => itemAt(this.taskIds, i, 'row')),
      exampleIds: this.exampleIds,
      taskMeta: Array.from(idx, (i) => itemAt(this.taskMeta, i, 'row')),
      exampleMeta: this.exampleMeta,
      ...(this.nllBefore ? { nllBefore: this.nllBefore } : {}),
    });
  }

  /** A new matrix with the selected columns (examples). */
  selectCols(sel: Selection): ForgettingMatrix {
    const idx = this.resolveCols(sel);
    const m = this.rows;
    const n = this.cols;
    const k = idx.length;
    const values = new (this.values.constructor as Float64ArrayConstructor | Float32ArrayConstructor)(m * k);
    const observed = this.mask ? new Uint8Array(m * k) : undefined;
    const { mask, nllBefore } = this;
    for (let i = 0; i < m; i++) {
      idx.forEach((j, c) => {
        values[i * k + c] = itemAt(this.values, i * n + j);
        if (observed && mask) observed[i * k + c] = itemAt(mask, i * n + j);
      });
    }
    return new ForgettingMatrix({
      values,
      ...(observed ? { observed } : {}),
      taskIds: this.taskIds,
      exampleIds: Array.from(idx, (j) => itemAt(this.exampleIds, j, 'column')),
      taskMeta: this.taskMeta,
      exampleMeta: Array.from(idx, (j) => itemAt(this.exampleMeta, j, 'column')),
      ...(nllBefore ? { nllBefore: Float64Array.from(idx, (j) => itemAt(nllBefore, j, 'column')) } : {}),
    });
  }

  /** Values converted to a fresh Float64Array (missing entries NaN). */
  toFloat64(): Float64Array {
    return Float64Array.from(this.values);
  }

  /**
   * Summary over observed entries. The standard deviation is the population one (divided by the count),
   * from Welford's running update (as d3-array's `variance`), which stays accurate when the mean is large
   * beside the spread, unlike sumSq/n − mean².
   */
  summary(): MatrixSummary {
    let count = 0;
    let sum = 0;
    let runningMean = 0;
    let m2 = 0;
    let min = Infinity;
    let max = -Infinity;
    let positive = 0;
    const v = this.values;
    const mask = this.mask;
    for (let k = 0; k < v.length; k++) {
      const x = v[k];
      if (x === undefined || (mask && mask[k] === 0)) continue;
      count++;
      sum += x;
      const delta = x - runningMean;
      runningMean += delta / count;
      m2 += delta * (x - runningMean);
      if (x < min) min = x;
      if (x > max) max = x;
      if (x > 0) positive++;
    }
    const mean = count > 0 ? sum / count : NaN;
    const variance = count > 0 ? m2 / count : NaN;
    return {
      tasks: this.rows,
      examples: this.cols,
      observed: count,
      missing: this.rows * this.cols - count,
      min: count > 0 ? min : NaN,
      max: count > 0 ? max : NaN,
      mean,
      std: Math.sqrt(variance),
      fractionPositive: count > 0 ? positive / count : NaN,
    };
  }
}

function resolveSelection(sel: Selection, size: number, lookup: (id: string) => number, what: string): Int32Array {
  let idx: Int32Array;
  if (sel instanceof Int32Array) idx = sel;
  else if (Array.isArray(sel)) {
    idx = Int32Array.from(sel as (number | string)[], (v) => (typeof v === 'string' ? lookup(v) : v));
  } else {
    const { start, end } = sel as { start: number; end: number };
    idx = Int32Array.from({ length: Math.max(0, end - start) }, (_, k) => start + k);
  }
  for (const i of idx) {
    if (!Number.isInteger(i) || i < 0 || i >= size) {
      throw new ForgetscopeError('usage', `${what} index ${i} is out of range 0..${size - 1}`);
    }
  }
  return idx;
}

/** Names entry k of an M×N row-major matrix for a message: 1-based row and column with their ids. */
function describeEntry(init: ForgettingMatrixInit, k: number, n: number): string {
  const i = Math.floor(k / n);
  const j = k % n;
  const id = (s: string | undefined) =>
    s === undefined ? '' : ` ${JSON.stringify(s.length > 80 ? s.slice(0, 80) + '…' : s)}`;
  return `entry at row ${i + 1} (task${id(init.taskIds[i])}), column ${j + 1} (example${id(init.exampleIds[j])})`;
}
