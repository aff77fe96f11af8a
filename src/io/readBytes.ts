import { ForgetscopeError } from '../util/errors.js';
import { arrowBatchesFromBytes, readArrowBatches } from './arrow/readArrow.js';
import { parquetSourceFromBytes, readParquetLongTable } from './parquet/readParquet.js';
import { parseNpy } from './npy/parseNpy.js';
import { matrixFromNpy } from './npy/matrixFromNpy.js';
import { formatFromBytes, formatFromName } from './detect.js';
import { dispatchFormat, textFormatReaders } from './dispatchFormat.js';
import type { ReadOptions, ReadResult } from './types.js';

/**
 * Reads a matrix from bytes in any single-file format (the format from `options.format`, else from
 * `options.fileName`'s extension, else from the magic bytes). Runs anywhere (no Node APIs). For files
 * and dataset folders use `readForgettingMatrix` from `forgetscope/node`.
 */
export async function readForgettingMatrixFromBytes(bytes: Uint8Array, options: ReadOptions = {}): Promise<ReadResult> {
  const file = options.fileName ?? '<input>';
  const format =
    options.format ?? (options.fileName ? formatFromName(options.fileName) : null) ?? formatFromBytes(bytes);
  const base = { ...options, file };
  const arrow = async () => readArrowBatches(arrowBatchesFromBytes(bytes, file), { ...base, byteLength: bytes.length });
  return dispatchFormat(
    format,
    {
      ...textFormatReaders(() => [bytes], base),
      arrow,
      'arrow-stream': arrow,
      parquet: async () => readParquetLongTable(parquetSourceFromBytes(bytes), base),
      npy: async () => {
        if (typeof options.taskIds === 'string' || typeof options.exampleIds === 'string') {
          throw new ForgetscopeError(
            'usage',
            'id sidecar paths need the Node reader (readForgettingMatrix from forgetscope/node); pass id lists here',
          );
        }
        return matrixFromNpy(parseNpy(bytes, file), {
          file,
          ...(options.taskIds ? { taskIds: options.taskIds as readonly string[] } : {}),
          ...(options.exampleIds ? { exampleIds: options.exampleIds as readonly string[] } : {}),
          ...(options.nanAsMissing ? { nanAsMissing: true } : {}),
          ...(options.dtype ? { dtype: options.dtype } : {}),
        });
      },
      folder: async () => {
        throw new ForgetscopeError(
          'usage',
          'a dataset folder cannot be read from bytes; use readForgettingMatrix from forgetscope/node or readDataset',
        );
      },
    },
    { file, source: file, empty: 'the input is empty' },
  );
}
