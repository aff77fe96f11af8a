import { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { parseExamples } from '../dataset/readDataset.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { ForgetscopeError } from '../../util/errors.js';
import { itemAt } from '../../util/checked.js';
import { readRegularText } from './openRegularFile.js';

/**
 * The matrix with the example metadata of a JSON Lines file merged in: one object per example with its
 * `id` and any keys (`source`, `text`, …), the layout of a dataset folder's examples.jsonl. For an
 * example the file names, its keys replace the matrix's own of the same name; examples it does not
 * name keep theirs. An id the matrix does not have is an input error at its line, as are a repeated id
 * and a line that is not a JSON object with an `id`. Lets any input (a losses-only table, a dense
 * .npy) carry what lowrank's example effects and the per-source tables use.
 * @example
 * const matrix = await withExamplesFile(read.matrix, 'examples.jsonl');
 */
export async function withExamplesFile(
  matrix: ForgettingMatrix,
  path: string,
  maxJsonDepth: number = DEFAULT_LIMITS.maxJsonDepth,
): Promise<ForgettingMatrix> {
  const { ids, meta, lines } = parseExamples(await readRegularText(path, 'an examples file'), path, maxJsonDepth);
  const merged = matrix.exampleMeta.map((m) => ({ ...m }));
  ids.forEach((id, k) => {
    const j = matrix.findExample(id);
    if (j < 0)
      throw new ForgetscopeError('input', `example "${id}" is not an example of the matrix`, {
        file: path,
        line: itemAt(lines, k, 'example'),
      });
    Object.assign(itemAt(merged, j, 'column'), itemAt(meta, k, 'example'));
  });
  return new ForgettingMatrix({
    values: matrix.values,
    ...(matrix.mask ? { observed: matrix.mask } : {}),
    taskIds: matrix.taskIds,
    exampleIds: matrix.exampleIds,
    taskMeta: matrix.taskMeta,
    exampleMeta: merged,
    ...(matrix.nllBefore ? { nllBefore: matrix.nllBefore } : {}),
  });
}
