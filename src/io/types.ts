import type { ProgressSink } from '../util/progress.js';
import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import type { ReadLimits } from './limits.js';

/** The input formats forgetscope reads. `folder` is the dataset-folder layout (Z.npy + tasks.json + examples.jsonl). */
export type InputFormat = 'csv' | 'tsv' | 'jsonl' | 'arrow' | 'arrow-stream' | 'parquet' | 'npy' | 'folder';

/** Column names of a long table. Defaults: `task`, `example`, `delta`, `nll_before`, `nll_after`. */
export interface ColumnNames {
  task: string;
  example: string;
  /** Z itself. When absent from the table, Z = `nllAfter` − `nllBefore`. */
  delta: string;
  nllBefore: string;
  nllAfter: string;
}

/** The default long-table column names. */
export const DEFAULT_COLUMNS: Readonly<ColumnNames> = Object.freeze({
  task: 'task',
  example: 'example',
  delta: 'delta',
  nllBefore: 'nll_before',
  nllAfter: 'nll_after',
});

/** What to do with a repeated (task, example) pair: fail naming both lines, average, or keep the last. */
export type DuplicatePolicy = 'error' | 'mean' | 'last';

/** Options shared by every reader (side matrices are the Node reader's: `readForgettingMatrix`). */
export interface ReadOptions {
  /** Force a format instead of detecting it from the extension or the magic bytes. */
  format?: InputFormat;
  /** Long-table column names (partial; the rest keep their defaults). */
  columns?: Partial<ColumnNames>;
  /** Repeated (task, example) pairs: `error` (default), `mean` or `last`. */
  duplicates?: DuplicatePolicy;
  /** Storage of the matrix values: `float64` (default) or `float32` (halves memory for large inputs). */
  dtype?: 'float64' | 'float32';
  /**
   * Treat NaN as a missing entry (npy: NaN cells; long tables: `nan` values). Off by default, where a
   * NaN is an error, so that a missing entry is never an accident.
   */
  nanAsMissing?: boolean;
  /** Progress of long reads: `(bytesOrRowsDone, total, label)`. */
  progress?: ProgressSink;
  /**
   * Task ids for a dense `.npy` (one per row): a list, or (Node reader only) the path of a text file with
   * one id per line. Default: `<file>.tasks.txt` beside the npy when present, otherwise `0..M-1`.
   */
  taskIds?: string | readonly string[];
  /** Example ids for a dense `.npy` (one per column); as `taskIds`. Default sidecar `<file>.examples.txt`. */
  exampleIds?: string | readonly string[];
  /**
   * (Node reader only.) A JSON Lines file of example metadata merged into the matrix's examples: one
   * object per example with `id` and e.g. `source`, `text`, the layout of a dataset folder's
   * examples.jsonl (`withExamplesFile`).
   */
  examples?: string;
  /** Field delimiter of a delimited text file (default `,` for csv, tab for tsv). */
  delimiter?: string;
  /**
   * Delimited text files only (Node reader): read the file twice, first counting ids, then filling the
   * final matrix directly. Bounds peak memory near the matrix size at the cost of a second pass.
   * Default `'auto'`: two passes for files of 64 MiB or more.
   */
  twoPass?: boolean | 'auto';
  /** Name used in error messages when reading bytes (default `<input>`). */
  fileName?: string;
  /**
   * Bounds on hostile inputs (defaults in `DEFAULT_LIMITS`): the longest line of a text input
   * (`maxLineBytes`, 16 MiB), the most fields in a delimited record (`maxFields`, 65,536), the deepest
   * JSON nesting (`maxJsonDepth`, 256).
   */
  limits?: Partial<ReadLimits>;
}

/** How many input rows a reader saw, kept, and dropped, by reason. Nothing is dropped silently. */
export interface ReadReport {
  /** Data rows read (long tables: lines or records; dense arrays: cells). */
  rows: number;
  /** Rows whose value is in the matrix. */
  kept: number;
  /** Rows left out, by reason (e.g. `"empty value": 3`, `"duplicate (replaced by a later row)": 1`). */
  dropped: Record<string, number>;
  /** Rows that were averaged into another row's cell (`duplicates: "mean"`), when any. */
  merged?: number;
  /** What a reader noticed but did not refuse, e.g. an extra column left out of the metadata. */
  warnings?: string[];
}

/** The result of reading a matrix. */
export interface ReadResult {
  matrix: ForgettingMatrix;
  report: ReadReport;
  /** The format that was read. */
  format: string;
  /** The file, folder or name the matrix came from. */
  source: string;
}

/** A column of a table to write. */
export type TableColumn = Float64Array | Float32Array | Int32Array | Uint8Array | string[] | boolean[];

/** A table to write: named columns of equal length, written in insertion order. */
export interface Table {
  columns: Record<string, TableColumn>;
  /**
   * String columns that are text whatever they hold (metadata such as a `source` of "2019"): the CSV
   * writer quotes their values that read as numbers, so the readers keep the column as text.
   */
  textColumns?: readonly string[];
}

/** The table formats forgetscope writes. */
export type TableFormat = 'csv' | 'tsv' | 'parquet' | 'arrow' | 'npy';
