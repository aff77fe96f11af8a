import { stat } from 'node:fs/promises';
import { ForgetscopeError } from '../../util/errors.js';
import { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { SideMatrix } from '../../matrix/sideMatrices.js';
import { alignSideMatrix, type SideReport } from '../dataset/sideMatrix.js';
import { readFolderSide } from './readFolderSide.js';
import type { ReadOptions } from './readTypes.js';
import { readInput } from './readInput.js';

/** Side matrices read for a forgetting matrix, with what was read for each (by name). */
export interface SideReadResult {
  side: SideMatrix[];
  report: Record<string, SideReport>;
}

/**
 * Reads the named side matrices of an input for a matrix read before: for a dataset folder
 * `side/<name>.npy` (M×N, or N for an example feature), for a long table the numeric columns `<name>`
 * (one more pass over the file, reading the table with its side columns, then aligned with `matrix` by
 * task and example id). `readForgettingMatrix(path, { side })` reads both in one pass instead. Shapes
 * are validated against `matrix`.
 * @example
 * const { matrix } = await readForgettingMatrix('fixtures/real-dev-v1');
 * const { side } = await readSideMatrices('fixtures/real-dev-v1', matrix, ['first_order']);
 */
export async function readSideMatrices(
  input: string,
  matrix: ForgettingMatrix,
  names: readonly string[],
  options: ReadOptions = {},
): Promise<SideReadResult> {
  const info = await stat(input).catch(() => null);
  if (!info)
    throw new ForgetscopeError('usage', 'no such file or folder (side matrices are read next to it)', { file: input });
  if (info.isDirectory()) return readFolderSide(input, names, matrix.rows, matrix.cols);
  const { side: _ignored, ...plain } = options;
  const read = await readInput(input, plain, names);
  const own = read.matrix;
  // Each side column as a matrix of its own, observed where the table's matrix is, aligned by ids.
  const side = (read.side ?? []).map((s) => {
    const column = new ForgettingMatrix({
      values: s.data,
      ...(own.mask ? { observed: own.mask } : {}),
      taskIds: own.taskIds,
      exampleIds: own.exampleIds,
    });
    return alignSideMatrix(column, matrix, s.name, input);
  });
  return { side, report: read.report.side ?? {} };
}
