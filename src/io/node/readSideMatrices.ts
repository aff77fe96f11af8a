import { stat } from 'node:fs/promises';
import { ForgetscopeError } from '../../util/errors.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { SideMatrix } from '../../matrix/sideMatrices.js';
import { alignSideMatrix, checkSideName, type SideReport } from '../dataset/sideMatrix.js';
import { readFolderSide } from './readFolderSide.js';
import type { ReadOptions } from './readTypes.js';
import { readInput } from './readInput.js';

/** Side matrices read for a forgetting matrix, with what was read for each (by name). */
export interface SideReadResult {
  side: SideMatrix[];
  report: Record<string, SideReport>;
}

/**
 * Reads the named side matrices of an input: for a dataset folder `side/<name>.npy` (M×N, or N for
 * an example feature; `readForgettingMatrix` reads these with the folder), for a long table the numeric column `<name>` (read as its own matrix and
 * aligned with `matrix` by task and example id; one pass over the file per name). Shapes are
 * validated against `matrix`.
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
  const side: SideMatrix[] = [];
  const report: Record<string, SideReport> = {};
  // One pass over the long table per name: each side column is read as the value column.
  for (const name of names) {
    checkSideName(name);
    if (report[name]) throw new ForgetscopeError('usage', `side matrix "${name}" is asked for twice`);
    const { side: _ignored, ...plain } = options;
    // The side column is read as the value column; nll_before/nll_after point at it too so that a
    // missing side column is an error rather than a silent fall-back to nll_after − nll_before.
    const columns = { ...(options.columns ?? {}), delta: name, nllBefore: name, nllAfter: name };
    const { matrix: column } = await readInput(input, { ...plain, columns, nanAsMissing: true }).catch((e: unknown) => {
      if (e instanceof ForgetscopeError && e.code === 'missing-column') {
        throw new ForgetscopeError(
          'missing-column',
          `the long table has no side column "${name}" (asked for with side: ${names.join(',')})`,
          { file: input },
        );
      }
      throw e;
    });
    side.push(alignSideMatrix(column, matrix, name, input));
    report[name] = { source: `${input} (column ${name})`, shape: [matrix.rows, matrix.cols], dtype: 'float64' };
  }
  return { side, report };
}
