import { readFile } from 'node:fs/promises';
import { ForgetscopeError } from '../../util/errors.js';
import { parseIdList } from '../parseIdList.js';

/**
 * Reads a list of ids, one per line (LF or CRLF; a trailing newline and a UTF-8 BOM are fine).
 * Blank lines are errors (an id is never empty), as are repeated ids.
 */
export async function readIdList(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ForgetscopeError('io', `cannot read ${path}: ${(e as Error).message}`, { file: path });
  }
  return parseIdList(text, path);
}

