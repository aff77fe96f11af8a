import { ForgetscopeError } from '../../util/errors.js';
import type { ByteStream } from '../readStream.js';
import type { ReadOptions, ReadResult } from '../types.js';
import { readInput } from './readInput.js';
import { readSideMatrices } from './readSideMatrices.js';

export type { ReadOptions, ReadReport, ReadResult } from '../types.js';

/**
 * Reads a forgetting matrix from a file, a dataset folder, bytes, or a byte stream (`'-'` = stdin). The format comes from
 * `options.format`, else the extension, else the magic bytes. Long tables (CSV, TSV, JSON Lines, Arrow,
 * Parquet) are streamed; dense `.npy` reads its id sidecars (`<base>.tasks.txt`, `<base>.examples.txt`)
 * when present. A folder holds Z.npy, tasks.json, examples.jsonl and optionally base_nll.npy and
 * side/<name>.npy (read when `options.side` names them).
 * @example
 * const { matrix, report } = await readForgettingMatrix('fixtures/real-dev-v1');
 */
export async function readForgettingMatrix(
  input: string | Uint8Array | ByteStream,
  options: ReadOptions = {},
): Promise<ReadResult> {
  if (!options.side || options.side.length === 0) return readInput(input, options);
  if (typeof input !== 'string' || input === '-')
    throw new ForgetscopeError(
      'usage',
      'side matrices are read from a file or a dataset folder, not from bytes or stdin',
    );
  const { side: names, ...plain } = options;
  const result = await readInput(input, plain);
  const got = await readSideMatrices(input, result.matrix, names, plain);
  return { ...result, side: got.side, report: { ...result.report, side: got.report } };
}
