import { readFile } from 'node:fs/promises';
import { ForgetscopeError } from '../util/errors.js';

/** Reads a UTF-8 text file; a missing file is a usage error naming it. */
export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ForgetscopeError(code === 'ENOENT' ? 'usage' : 'io', code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(e)})`, { file: path });
  }
}
