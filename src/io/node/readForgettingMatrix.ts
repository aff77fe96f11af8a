import type { ByteStream } from '../readStream.js';
import { readInput } from './readInput.js';
import { withExamplesFile } from './readExamplesFile.js';
import type { ReadOptions, ReadResult } from './readTypes.js';

export type { ReadOptions, ReadReport, ReadResult } from './readTypes.js';

/**
 * Reads a forgetting matrix from a file, a dataset folder, bytes, or a byte stream (`'-'` = stdin). The format comes from
 * `options.format`, else the extension, else the magic bytes. Long tables (CSV, TSV, JSON Lines, Arrow,
 * Parquet) are streamed; dense `.npy` reads its id sidecars (`<base>.tasks.txt`, `<base>.examples.txt`)
 * when present. A folder holds Z.npy, tasks.json, examples.jsonl and optionally base_nll.npy and
 * side/<name>.npy. Side matrices named in `options.side` are read in the same pass as the matrix:
 * `side/<name>.npy` of a folder, or the numeric column `<name>` of a long table. `options.examples`
 * merges the example metadata of a JSON Lines file into the result (`withExamplesFile`).
 * @example
 * const { matrix, report } = await readForgettingMatrix('fixtures/real-dev-v1');
 */
export async function readForgettingMatrix(
  input: string | Uint8Array | ByteStream,
  options: ReadOptions = {},
): Promise<ReadResult> {
  const { side: names, examples, ...plain } = options;
  const read = await readInput(input, plain, names ?? []);
  if (examples === undefined) return read;
  return { ...read, matrix: await withExamplesFile(read.matrix, examples, plain.limits?.maxJsonDepth) };
}
