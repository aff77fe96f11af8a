import { readRegularText } from './openRegularFile.js';
import { parseIdList } from '../parseIdList.js';

/**
 * Reads a list of ids, one per line (LF or CRLF; a trailing newline and a UTF-8 BOM are fine).
 * Blank lines are errors (an id is never empty), as are repeated ids.
 */
export async function readIdList(path: string): Promise<string[]> {
  // Strict UTF-8: an invalid byte is an error at its line, never a U+FFFD that could merge two ids.
  return parseIdList(await readRegularText(path, 'an id list'), path);
}
