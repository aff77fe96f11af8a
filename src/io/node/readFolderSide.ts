import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ForgetscopeError } from '../../util/errors.js';
import type { SideMatrix, SideReport } from '../../matrix/sideMatrices.js';
import { checkSideName, parseSideNpy } from '../dataset/sideMatrix.js';

/**
 * The side matrices `side/<name>.npy` of dataset folder `dir` for a `rows` × `cols` matrix, in the order
 * named, with what was read for each; shapes are validated.
 */
export async function readFolderSide(
  dir: string,
  names: readonly string[],
  rows: number,
  cols: number,
): Promise<{ side: SideMatrix[]; report: Record<string, SideReport> }> {
  const side: SideMatrix[] = [];
  const report: Record<string, SideReport> = {};
  for (const name of names) {
    checkSideName(name);
    if (report[name]) throw new ForgetscopeError('usage', `side matrix "${name}" is asked for twice`);
    const file = join(dir, 'side', `${name}.npy`);
    const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
      throw new ForgetscopeError(
        e.code === 'ENOENT' ? 'usage' : 'io',
        e.code === 'ENOENT'
          ? `no side matrix "${name}" in this folder (expected side/${name}.npy)`
          : `cannot read: ${e.message}`,
        { file },
      );
    });
    const got = parseSideNpy(bytes, name, rows, cols, file);
    side.push(got.side);
    report[name] = got.report;
  }
  return { side, report };
}
