import { ForgetscopeError } from '../util/errors.js';
import { readDelimitedLongTable } from './csv/readDelimited.js';
import { readJsonLinesLongTable } from './long/readJsonLines.js';
import { arrowBatchesFromBytes, readArrowBatches } from './arrow/readArrow.js';
import { parquetSourceFromBytes, readParquetLongTable } from './parquet/readParquet.js';
import { parseNpy } from './npy/parseNpy.js';
import { matrixFromNpy } from './npy/matrixFromNpy.js';
import { formatFromBytes, formatFromName } from './detect.js';
import type { ReadOptions, ReadResult } from './types.js';

/**
 * Reads a matrix from bytes in any single-file format (the format from `options.format`, else from
 * `options.fileName`'s extension, else from the magic bytes). Runs anywhere (no Node APIs). For files
 * and dataset folders use `readForgettingMatrix` from `forgetscope/node`.
 */
export async function readForgettingMatrixFromBytes(bytes: Uint8Array, options: ReadOptions = {}): Promise<ReadResult> {
  const file = options.fileName ?? '<input>';
  const format = options.format ?? (options.fileName ? formatFromName(options.fileName) : null) ?? formatFromBytes(bytes);
  if (format === null) throw new ForgetscopeError('empty', 'the input is empty', { file, line: 1, column: 1 });
  const base = { ...options, file };
  const done = (r: { matrix: ReadResult['matrix']; report: ReadResult['report'] }, f: string): ReadResult => ({ ...r, format: f, source: file });
  switch (format) {
    case 'csv':
    case 'tsv':
      return done(await readDelimitedLongTable([bytes], { ...base, delimiter: options.delimiter ?? (format === 'tsv' ? '\t' : ',') }), format);
    case 'jsonl':
      return done(await readJsonLinesLongTable([bytes], base), format);
    case 'arrow':
    case 'arrow-stream':
      return done(await readArrowBatches(arrowBatchesFromBytes(bytes, file), base), format);
    case 'parquet':
      return done(await readParquetLongTable(parquetSourceFromBytes(bytes), base), format);
    case 'npy': {
      if (typeof options.taskIds === 'string' || typeof options.exampleIds === 'string') {
        throw new ForgetscopeError('usage', 'id sidecar paths need the Node reader (readForgettingMatrix from forgetscope/node); pass id lists here');
      }
      const arr = parseNpy(bytes, file);
      return done(
        matrixFromNpy(arr, {
          file,
          ...(options.taskIds ? { taskIds: options.taskIds as readonly string[] } : {}),
          ...(options.exampleIds ? { exampleIds: options.exampleIds as readonly string[] } : {}),
          ...(options.nanAsMissing ? { nanAsMissing: true } : {}),
          ...(options.dtype ? { dtype: options.dtype } : {}),
        }),
        'npy',
      );
    }
    case 'folder':
      throw new ForgetscopeError('usage', 'a dataset folder cannot be read from bytes; use readForgettingMatrix from forgetscope/node or readDataset');
  }
}
