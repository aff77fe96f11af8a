import { readFile, stat } from 'node:fs/promises';
import { ForgetscopeError } from '../util/errors.js';

/** Reads a UTF-8 text file; a missing file is a usage error naming it. */
export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ForgetscopeError(
      code === 'ENOENT' ? 'usage' : 'io',
      code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(e)})`,
      { file: path },
    );
  }
}

/**
 * Checks, before a reader opens it, that `path` is an existing file (not a folder): a usage error
 * naming it otherwise. For inputs whose readers seek (safetensors), where a folder would fail late.
 */
export async function checkInputFile(path: string): Promise<void> {
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new ForgetscopeError(
      e.code === 'ENOENT' ? 'usage' : 'io',
      e.code === 'ENOENT' ? 'cannot open: no such file' : `cannot open (${e.code ?? String(e)})`,
      { file: path },
    );
  });
  if (info.isDirectory()) throw new ForgetscopeError('usage', 'cannot open: is a folder, not a file', { file: path });
}
