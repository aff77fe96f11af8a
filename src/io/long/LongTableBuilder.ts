import { itemAt } from '../../util/checked.js';
import { ForgetscopeError } from '../../util/errors.js';
import type { ExampleMeta, ForgettingMatrix, TaskMeta } from '../../matrix/ForgettingMatrix.js';
import { matrixFromParts } from '../matrixFromParts.js';
import type { SideMatrix } from '../../matrix/sideMatrices.js';
import type { DuplicatePolicy, ReadReport } from '../types.js';
import { isEmbeddingKey } from '../../matrix/exampleEmbedding.js';
import { EmbeddingColumn } from './EmbeddingColumn.js';
import { isNumberText, numberOfText } from './parseNumber.js';

/** Options of `LongTableBuilder`. */
export interface LongTableBuilderOptions {
  duplicates?: DuplicatePolicy;
  dtype?: 'float64' | 'float32';
  /** Name of the input, for error messages. */
  file: string;
  /** Word used for positions in messages: `line` for text, `row` for columnar files. */
  unit?: 'line' | 'row';
  /** Describes cell (t, e) by its ids in messages, e.g. `task "t1", example "e7"`. */
  describe?: (t: number, e: number) => string;
  /**
   * Names of side columns read with the values: `add` then takes one value per name for each kept
   * cell, merged like the value itself (mean or last of the kept rows), and `finishSide` returns them.
   */
  side?: readonly string[];
}

type RowValues = Float64Array | Float32Array;

/** `row` copied into a zero-filled array of `cap` entries of the same kind. */
function grow<T extends Float64Array | Float32Array | Int32Array>(
  row: T,
  cap: number,
  Kind: { new (length: number): T },
): T {
  const grown = new Kind(cap);
  grown.set(row);
  return grown;
}

/** What the builder keeps of one extra (metadata) column. */
interface MetaColumn {
  name: string;
  /** First non-empty value per example / per task (sparse). */
  byExample: (string | undefined)[];
  byTask: (string | undefined)[];
  /** Whether some example / task had two different values. */
  exampleConflict: boolean;
  taskConflict: boolean;
  /** Whether every non-empty value so far is a number (numeric columns are not metadata). */
  numeric: boolean;
  /** For an `embedding.<i>` column (`isEmbeddingKey`): its per-example numbers (then the fields above are unused). */
  embedding: EmbeddingColumn | null;
}

/**
 * Accumulates (task index, example index, value) cells of a long table into a dense matrix while the
 * input streams by. Memory stays bounded by the output: each task row is one growing typed array of
 * values plus one Int32Array of the line each cell came from (0 = not seen), which is what lets a
 * duplicate name both of its lines. `finish()` packs the rows into the final row-major matrix.
 */
export class LongTableBuilder {
  private readonly values: RowValues[] = [];
  private readonly lines: Int32Array[] = [];
  /** Side values, per side column then per task row (grown with `values`). */
  private readonly sideNames: readonly string[];
  private readonly sideRows: Float64Array[][];
  private readonly duplicates: DuplicatePolicy;
  private readonly float32: boolean;
  private readonly file: string;
  private readonly unit: 'line' | 'row';
  private readonly describe: (t: number, e: number) => string;
  private mergeCounts: Map<number, number> | null = null;
  private exampleCount = 0;
  private nllBefore: Float64Array = new Float64Array(0);
  private hasNllBefore = false;
  private dense: { m: number; n: number; values: RowValues; lines: Int32Array } | null = null;
  /** The side columns' final M×N storage when `presize` allocated it. */
  private sideDense: { m: number; n: number; data: Float64Array[] } | null = null;
  /** Metadata columns (extra non-numeric columns of the table), by name, in order of first sight. */
  private readonly metaColumns: MetaColumn[] = [];
  private readonly metaByName = new Map<string, number>();
  /** The report so far; readers add their own dropped reasons. */
  readonly report: ReadReport = { rows: 0, kept: 0, dropped: {} };

  constructor(options: LongTableBuilderOptions) {
    this.duplicates = options.duplicates ?? 'error';
    this.float32 = options.dtype === 'float32';
    this.file = options.file;
    this.unit = options.unit ?? 'line';
    this.describe = options.describe ?? ((t, e) => `task #${t + 1}, example #${e + 1}`);
    this.sideNames = options.side ?? [];
    this.sideRows = this.sideNames.map(() => []);
    if (!['error', 'mean', 'last'].includes(this.duplicates)) {
      throw new ForgetscopeError(
        'usage',
        `duplicates must be "error", "mean" or "last", not "${String(this.duplicates)}"`,
      );
    }
  }

  /** Counts a row that was read but left out of the matrix, with its reason. */
  drop(reason: string): void {
    this.report.dropped[reason] = (this.report.dropped[reason] ?? 0) + 1;
  }

  /** Index of the metadata column `name` (an extra column of the table), created on first use. */
  metaIndex(name: string): number {
    let k = this.metaByName.get(name);
    if (k === undefined) {
      k = this.metaColumns.length;
      this.metaColumns.push({
        name,
        byExample: [],
        byTask: [],
        exampleConflict: false,
        taskConflict: false,
        numeric: true,
        embedding: isEmbeddingKey(name) ? new EmbeddingColumn() : null,
      });
      this.metaByName.set(name, k);
    }
    return k;
  }

  /**
   * What `meta` still needs of column `k`: `'value'` (its text), `'numeric'` (only whether a value is
   * a number: the column varies within both examples and tasks), `'number'` (an embedding column:
   * its value as a number for `metaNumber`, or `metaNotNumeric`), or `'nothing'` (settled). Lets a
   * reader skip decoding a column, such as an unused numeric one, once nothing depends on it.
   */
  metaNeeds(k: number): 'value' | 'numeric' | 'number' | 'nothing' {
    const col = itemAt(this.metaColumns, k, 'metadata column');
    if (col.embedding) return col.embedding.settled ? 'nothing' : 'number';
    if (!(col.exampleConflict && col.taskConflict)) return 'value';
    return col.numeric ? 'numeric' : 'nothing';
  }

  /**
   * Records that column `k` is text by its type (a Parquet or Arrow string column, a JSON string, a
   * quoted CSV field), so it is metadata even when every value looks like a number (a `source` of
   * "2019"). An embedding column is unaffected: its text is read as numbers.
   */
  metaIsText(k: number): void {
    const col = itemAt(this.metaColumns, k, 'metadata column');
    if (!col.embedding) col.numeric = false;
  }

  /** Records that column `k` holds a value that is not a number (see `metaNeeds`). */
  metaNotNumeric(k: number): void {
    const col = itemAt(this.metaColumns, k, 'metadata column');
    col.numeric = false;
    if (col.embedding) col.embedding.notNumeric = true;
  }

  /**
   * Records the number in metadata column `k` on the row of task `t`, example `e`: what a columnar
   * reader hands over for a numeric `embedding.<i>` column (the only numeric columns kept as
   * metadata), without a detour through text. NaN and ±Infinity are kept as values that are not finite.
   */
  metaNumber(k: number, _t: number, e: number, value: number): void {
    const col = itemAt(this.metaColumns, k, 'metadata column');
    if (!col.embedding) {
      throw new ForgetscopeError('internal', `metaNumber on column "${col.name}", which is not an embedding column`);
    }
    if (!col.embedding.settled) col.embedding.add(e, value);
  }

  /**
   * Records the value of metadata column `k` on the row of task `t`, example `e` (`null` = empty,
   * which never conflicts). Which of the two it describes is decided in `finish()`.
   */
  meta(k: number, t: number, e: number, value: string | null): void {
    if (value === null || value === '') return;
    const col = itemAt(this.metaColumns, k, 'metadata column');
    if (col.embedding) {
      if (col.embedding.settled) return;
      if (isNumberText(value)) col.embedding.add(e, numberOfText(value));
      else col.embedding.notNumeric = true;
      return;
    }
    if (col.exampleConflict && col.taskConflict) {
      // Settled: left out either way; only whether it is numeric (no warning) is still open.
      if (col.numeric && !isNumberText(value)) col.numeric = false;
      return;
    }
    if (col.numeric && !isNumberText(value)) col.numeric = false;
    const ex = col.byExample[e];
    if (ex === undefined) col.byExample[e] = value;
    else if (ex !== value) col.exampleConflict = true;
    const tk = col.byTask[t];
    if (tk === undefined) col.byTask[t] = value;
    else if (tk !== value) col.taskConflict = true;
  }

  /**
   * The metadata of the extra columns, by one rule: a numeric column is not metadata (a side column,
   * an unused NLL column; a column is numeric when every value is a number and none is text by its type,
   * `metaIsText`); a text column with one value per example is example metadata (`source`,
   * `text`); else one with one value per task is task metadata (`family`); a column that varies within
   * both is left out with a warning in the report. Examples or tasks without a value lack the key.
   * The exception is an example embedding: a column `embedding.<i>` (`isEmbeddingKey`) with one number
   * per example is example metadata holding numbers; one with text that is not a number, or with two
   * values for one example, is left out with a warning; an example whose value is not finite lacks the
   * key (the report says how many).
   */
  private metadata(m: number, n: number): { taskMeta?: TaskMeta[]; exampleMeta?: ExampleMeta[] } {
    let taskMeta: TaskMeta[] | undefined;
    let exampleMeta: ExampleMeta[] | undefined;
    const warn = (text: string) => (this.report.warnings ??= []).push(text);
    for (const col of this.metaColumns) {
      if (col.embedding) {
        if (col.embedding.notNumeric) {
          warn(`column "${col.name}" holds text that is not a number; an embedding column must be numeric: left out`);
        } else if (col.embedding.conflict) {
          warn(
            `column "${col.name}" gives one example two different values; an embedding holds one value per example: left out`,
          );
        } else {
          const { values, nonFinite } = col.embedding.perExample(n);
          const metas = (exampleMeta ??= Array.from({ length: n }, (): ExampleMeta => ({})));
          values.forEach((v, e) => {
            const meta = metas[e];
            if (meta && v !== undefined) meta[col.name] = v;
          });
          if (nonFinite > 0) {
            warn(
              `column "${col.name}": ${nonFinite} example${nonFinite === 1 ? ' has a value that is' : 's have values that are'} not finite, kept as missing`,
            );
          }
        }
        continue;
      }
      if (col.numeric) continue;
      if (!col.exampleConflict) {
        const metas = (exampleMeta ??= Array.from({ length: n }, (): ExampleMeta => ({})));
        col.byExample.forEach((v, e) => {
          const meta = metas[e]; // undefined for e ≥ n
          if (meta && v !== undefined) meta[col.name] = v;
        });
      } else if (!col.taskConflict) {
        const metas = (taskMeta ??= Array.from({ length: m }, (): TaskMeta => ({})));
        col.byTask.forEach((v, t) => {
          const meta = metas[t]; // undefined for t ≥ m
          if (meta && v !== undefined) meta[col.name] = v;
        });
      } else {
        (this.report.warnings ??= []).push(
          `column "${col.name}" varies within examples and within tasks, so it is neither example nor task metadata; left out`,
        );
      }
    }
    return { ...(taskMeta ? { taskMeta } : {}), ...(exampleMeta ? { exampleMeta } : {}) };
  }

  /** Records the base-model NLL of example `e` (first value wins). */
  setNllBefore(e: number, value: number): void {
    if (e >= this.nllBefore.length) {
      const bigger = new Float64Array(Math.max(e + 1, this.nllBefore.length * 2, 64)).fill(NaN);
      bigger.set(this.nllBefore);
      this.nllBefore = bigger;
    }
    if (Number.isNaN(itemAt(this.nllBefore, e, 'example'))) this.nllBefore[e] = value;
    this.hasNllBefore = true;
  }

  /**
   * Adds one cell. `line` (1-based, > 0) is where it came from; `t` and `e` are dense indices from the
   * readers' interners (new indices are always the next unused one). `side` holds the cell's value of
   * each side column (in the order of `options.side`; finite, checked by the reader).
   */
  add(t: number, e: number, value: number, line: number, side?: ArrayLike<number>): void {
    if (!Number.isFinite(this.float32 ? Math.fround(value) : value)) {
      throw new ForgetscopeError(
        'parse',
        `${this.describe(t, e)}: the value ${String(value)} is not a finite ${this.float32 ? 'float32 ' : ''}number`,
        { file: this.file, line },
      );
    }
    if (this.dense && (t >= this.dense.m || e >= this.dense.n)) {
      throw new ForgetscopeError(
        'io',
        'the input changed while it was read (an id appeared in the second pass that the first did not see)',
        { file: this.file, line },
      );
    }
    if (e >= this.exampleCount) this.exampleCount = e + 1;
    while (t >= this.values.length) {
      const cap = Math.max(16, this.exampleCount);
      this.values.push(this.float32 ? new Float32Array(cap) : new Float64Array(cap));
      this.lines.push(new Int32Array(cap));
      for (const rows of this.sideRows) rows.push(new Float64Array(cap));
    }
    let row = itemAt(this.values, t, 'task');
    let rowLines = itemAt(this.lines, t, 'task');
    if (e >= row.length) {
      const cap = Math.max(e + 1, this.exampleCount, Math.ceil(row.length * 1.5));
      this.values[t] = row = grow(row, cap, this.float32 ? Float32Array : Float64Array);
      this.lines[t] = rowLines = grow(rowLines, cap, Int32Array);
      for (const rows of this.sideRows) rows[t] = grow(itemAt(rows, t, 'task'), cap, Float64Array);
    }
    const first = itemAt(rowLines, e, 'example');
    // How the new row enters the cell: count 1 = it replaces the cell, n > 1 = running mean of n rows.
    let count = 1;
    if (first === 0) this.report.kept++;
    else count = this.duplicate(t, e, line, first);
    if (count === 1) {
      row[e] = value;
      rowLines[e] = line;
    } else {
      const mean = itemAt(row, e, 'example');
      row[e] = mean + (value - mean) / count;
    }
    if (this.sideRows.length > 0) this.addSide(t, e, count, side);
  }

  /** Stores the side values of cell (t, e), merged as `add` merged its value (`count` as there). */
  private addSide(t: number, e: number, count: number, side: ArrayLike<number> | undefined): void {
    const sideRows = this.sideRows;
    for (let k = 0; k < sideRows.length; k++) {
      const cells = sideRows[k]?.[t];
      const x = side?.[k];
      if (cells === undefined || x === undefined)
        throw new ForgetscopeError('internal', `side value ${k} of task #${t + 1} was not given or has no row`);
      if (count === 1) cells[e] = x;
      else {
        const mean = itemAt(cells, e, 'example');
        cells[e] = mean + (x - mean) / count;
      }
    }
  }

  /**
   * Handles a repeated cell by the duplicate policy: throws (`error`), or returns how many rows the
   * cell now averages (`mean`, ≥ 2) or 1 when the new row replaces it (`last`).
   */
  private duplicate(t: number, e: number, line: number, first: number): number {
    if (this.duplicates === 'error') {
      throw new ForgetscopeError(
        'duplicate',
        `duplicate (task, example) pair: ${this.unit} ${line} repeats ${this.unit} ${first} (${this.describe(t, e)}); pass duplicates "mean" or "last" to merge them`,
        { file: this.file, line },
      );
    }
    if (this.duplicates === 'last') {
      this.drop('duplicate (replaced by a later row)');
      return 1;
    }
    // mean: running average; the count of each merged cell is kept only for cells that repeat.
    this.mergeCounts ??= new Map();
    const key = t * 4294967296 + e;
    const n = (this.mergeCounts.get(key) ?? 1) + 1;
    this.mergeCounts.set(key, n);
    this.report.kept++;
    this.report.merged = (this.report.merged ?? 0) + 1;
    return n;
  }

  /**
   * Allocates the final M×N storage up front when the shape is known (a first pass over a file counted
   * the ids): each task row is then a view into it, and `finish()` hands it over without a copy, so the
   * peak memory is the matrix plus its line numbers instead of twice the matrix.
   */
  presize(m: number, n: number): void {
    const values = this.float32 ? new Float32Array(m * n) : new Float64Array(m * n);
    const lines = new Int32Array(m * n);
    this.dense = { m, n, values, lines };
    this.exampleCount = n;
    this.values.length = 0;
    this.lines.length = 0;
    for (let t = 0; t < m; t++) {
      this.values.push(values.subarray(t * n, (t + 1) * n));
      this.lines.push(lines.subarray(t * n, (t + 1) * n));
    }
    const side = this.sideRows.map(() => new Float64Array(m * n));
    this.sideDense = { m, n, data: side };
    side.forEach((data, k) => {
      const rows = itemAt(this.sideRows, k, 'side column');
      rows.length = 0;
      for (let t = 0; t < m; t++) rows.push(data.subarray(t * n, (t + 1) * n));
    });
  }

  /**
   * The side columns (`options.side`) as M×N matrices aligned with the matrix `finish` builds from the
   * same ids: each kept cell holds its side value, every other cell 0. Float64 whatever the dtype.
   */
  finishSide(taskIds: readonly string[], exampleIds: readonly string[]): SideMatrix[] {
    const m = taskIds.length;
    const n = exampleIds.length;
    const dense = this.sideDense;
    return this.sideNames.map((name, k) => {
      const rows = itemAt(this.sideRows, k, 'side column');
      if (dense && dense.m === m && dense.n === n)
        return { name, rows: m, cols: n, data: itemAt(dense.data, k, 'side column') };
      const data = new Float64Array(m * n);
      rows.forEach((row, t) => {
        if (t < m) data.set(row.length > n ? row.subarray(0, n) : row, t * n);
      });
      return { name, rows: m, cols: n, data };
    });
  }

  /** Packs the cells into a `ForgettingMatrix` (row-major, missing cells masked). */
  finish(
    taskIds: readonly string[],
    exampleIds: readonly string[],
    meta: { taskMeta?: TaskMeta[]; exampleMeta?: ExampleMeta[] } = {},
  ): ForgettingMatrix {
    const m = taskIds.length;
    const n = exampleIds.length;
    if (m === 0 || n === 0) {
      throw new ForgetscopeError('empty', 'no data rows: the table has a header but no (task, example) values', {
        file: this.file,
      });
    }
    if (this.report.kept === 0) {
      // Every row was dropped (blank, null or NaN values): a matrix of invented zeros would follow.
      const reasons = Object.entries(this.report.dropped)
        .map(([r, c]) => `${c} ${r}`)
        .join(', ');
      throw new ForgetscopeError(
        'empty',
        `no observed value: all ${this.report.rows} data ${this.unit}${this.report.rows === 1 ? '' : 's'} lack a finite value${reasons ? ` (${reasons})` : ''}`,
        { file: this.file },
      );
    }
    let values: RowValues;
    let observed: Uint8Array | null = null;
    let handedOver = false;
    if (this.dense && this.dense.m === m && this.dense.n === n) {
      handedOver = true;
      values = this.dense.values;
      const lines = this.dense.lines;
      for (let k = 0; k < lines.length; k++) {
        if (lines[k] === 0) {
          observed ??= new Uint8Array(m * n).fill(1);
          observed[k] = 0;
        }
      }
      this.dense = null;
      this.values.length = 0;
      this.lines.length = 0;
    } else {
      values = this.float32 ? new Float32Array(m * n) : new Float64Array(m * n);
    }
    // Rows of the dense storage were handed over above; otherwise every task row is copied (a task
    // whose rows were all dropped has no row buffer and is missing throughout).
    for (let i = 0; i < m && !handedOver; i++) {
      const row = this.values[i];
      const rowLines = this.lines[i];
      const base = i * n;
      if (row && rowLines) {
        const k = Math.min(n, row.length);
        values.set(k === row.length ? row : row.subarray(0, k), base);
        for (let j = 0; j < n; j++) {
          if (j >= k || rowLines[j] === 0) {
            observed ??= new Uint8Array(m * n).fill(1);
            observed[base + j] = 0;
          }
        }
      } else {
        observed ??= new Uint8Array(m * n).fill(1);
        observed.fill(0, base, base + n);
      }
      // Let the row buffers go as soon as they are copied, so peak memory stays near one matrix.
      (this.values as (RowValues | undefined)[])[i] = undefined;
      (this.lines as (Int32Array | undefined)[])[i] = undefined;
    }
    let nllBefore: Float64Array | undefined;
    if (this.hasNllBefore) {
      nllBefore = new Float64Array(n);
      nllBefore.set(this.nllBefore.subarray(0, Math.min(n, this.nllBefore.length)));
      if (this.nllBefore.length < n) nllBefore.fill(NaN, this.nllBefore.length);
    }
    if (!meta.taskMeta && !meta.exampleMeta && this.metaColumns.length > 0) meta = this.metadata(m, n);
    return matrixFromParts({ values, observed, taskIds, exampleIds, ...meta, nllBefore });
  }
}
