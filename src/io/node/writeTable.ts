import { ForgetscopeError } from '../../util/errors.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { encodeDelimitedChunks } from '../csv/encodeDelimited.js';
import { encodeArrow } from '../arrow/encodeArrow.js';
import { encodeParquet } from '../parquet/encodeParquet.js';
import { encodeNpy, encodeNpyTable } from '../npy/encodeNpy.js';
import { matrixToLongTable } from '../matrixToLongTable.js';
import type { Table, TableFormat } from '../types.js';
import { atomicWrite, refuseOverwrite } from './atomicWrite.js';

/** Options of `writeTable` and `writeMatrix`. */
export interface WriteOptions {
  /** Format; default from the extension (.csv .tsv .parquet .arrow/.feather/.ipc .npy). */
  format?: TableFormat;
  /** Replace an existing file (otherwise a `usage` error). */
  force?: boolean;
}

/** The table format a path's extension names, or null. */
export function tableFormatFromPath(path: string): TableFormat | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  switch (ext) {
    case 'csv':
      return 'csv';
    case 'tsv':
    case 'tab':
      return 'tsv';
    case 'parquet':
    case 'pq':
      return 'parquet';
    case 'arrow':
    case 'feather':
    case 'ipc':
      return 'arrow';
    case 'npy':
      return 'npy';
    default:
      return null;
  }
}

function resolveFormat(path: string, format: TableFormat | undefined): TableFormat {
  const f = format ?? tableFormatFromPath(path);
  if (!f)
    throw new ForgetscopeError(
      'usage',
      `cannot tell the format of ${path} from its extension; use .csv, .tsv, .parquet, .arrow or .npy (or pass format)`,
      { file: path },
    );
  return f;
}

/**
 * Writes a table (per-example predictions, weights, …) through `atomicWrite`: a new file is created
 * exclusively, `force` replaces atomically. Ids are written exactly (no spreadsheet escaping). CSV/TSV are
 * written in chunks; `.npy` is a numpy structured array whose fields are the column names.
 * @example
 * await writeTable('weights.parquet', { columns: { example: ids, weight: w } });
 */
export async function writeTable(path: string, table: Table, options: WriteOptions = {}): Promise<void> {
  const format = resolveFormat(path, options.format);
  const force = options.force ?? false;
  switch (format) {
    case 'csv':
    case 'tsv': {
      const encoder = new TextEncoder();
      const chunks = (function* () {
        const options = table.textColumns ? { textColumns: table.textColumns } : {};
        for (const s of encodeDelimitedChunks(table.columns, format === 'tsv' ? '\t' : ',', 65536, options))
          yield encoder.encode(s);
      })();
      return atomicWrite(path, chunks, { force });
    }
    case 'parquet':
      return atomicWrite(path, encodeParquet(table.columns), { force });
    case 'arrow':
      return atomicWrite(path, encodeArrow(table.columns, 'file'), { force });
    case 'npy':
      return atomicWrite(path, encodeNpyTable(table.columns), { force });
  }
}

/** Paths of the id sidecars written beside a dense `.npy`: `<base>.tasks.txt`, `<base>.examples.txt`. */
export function npySidecarPaths(path: string): { tasks: string; examples: string } {
  const base = path.replace(/\.npy$/i, '');
  return { tasks: `${base}.tasks.txt`, examples: `${base}.examples.txt` };
}

/**
 * Writes a matrix. `.npy`: dense M×N (the matrix's float type; missing entries NaN, read them back
 * with `nanAsMissing`) plus id sidecars `<base>.tasks.txt` and `<base>.examples.txt`. CSV/TSV/Parquet/
 * Arrow: a long table `task, example, delta` (+ `nll_before` when known), one row per cell, missing cells with an empty/null delta,
 * then the example metadata columns (`matrixToLongTable`).
 */
export async function writeMatrix(path: string, matrix: ForgettingMatrix, options: WriteOptions = {}): Promise<void> {
  const format = resolveFormat(path, options.format);
  if (format === 'npy') {
    const sidecars = npySidecarPaths(path);
    await refuseOverwrite(path, options.force);
    await refuseOverwrite(sidecars.tasks, options.force);
    await refuseOverwrite(sidecars.examples, options.force);
    // each file is still created exclusively without force (a writer that raced in wins)
    const force = { force: options.force ?? false };
    await atomicWrite(sidecars.tasks, matrix.taskIds.join('\n') + '\n', force);
    await atomicWrite(sidecars.examples, matrix.exampleIds.join('\n') + '\n', force);
    return atomicWrite(path, encodeNpy(matrix.values, [matrix.rows, matrix.cols]), force);
  }
  return writeTable(path, matrixToLongTable(matrix), { format, ...(options.force ? { force: true } : {}) });
}
