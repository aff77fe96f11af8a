import { ForgetscopeError } from '../../util/errors.js';
import type { ByteStream } from '../readStream.js';
import { readInput } from './readInput.js';
import { readSideMatrices } from './readSideMatrices.js';
import type { ReadOptions, ReadResult } from './readTypes.js';

export type { ReadOptions, ReadReport, ReadResult } from './readTypes.js';

/**
 * Reads a forgetting matrix from a file, a dataset folder, bytes, or a byte stream (`'-'` = stdin). The format comes from
 * `options.format`, else the extension, else the magic bytes. Long tables (CSV, TSV, JSON Lines, Arrow,
 * Parquet) are streamed; dense `.npy` reads its id sidecars (`<base>.tasks.txt`, `<base>.examples.txt`)
 * when present. A folder holds Z.npy, tasks.json, examples.jsonl and optionally base_nll.npy and
 * side/<name>.npy (read with the folder when `options.side` names them).
 * @example
 * const { matrix, report } = await readForgettingMatrix('fixtures/real-dev-v1');
 */
export async function readForgettingMatrix(
  input: string | Uint8Array | ByteStream,
  options: ReadOptions = {},
): Promise<ReadResult> {
  const { side: names, ...plain } = options;
  if (!names || names.length === 0) return readInput(input, plain);
  if (typeof input !== 'string' || input === '-')
    throw new ForgetscopeError(
      'usage',
      'side matrices are read from a file or a dataset folder, not from bytes or stdin',
    );
  const result = await readInput(input, plain, names);
  if (result.side) return result;
  const got = await readSideMatrices(input, result.matrix, names, plain);
  return { ...result, side: got.side, report: { ...result.report, side: got.report } };
}
