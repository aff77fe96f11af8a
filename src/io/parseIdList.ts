import { ForgetscopeError } from '../util/errors.js';

/** Splits text into ids, one per line (LF or CRLF, optional BOM), checking for empty and repeated ids. */
export function parseIdList(text: string, file = '<ids>'): string[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new ForgetscopeError('empty', 'the id list is empty', { file });
  const seen = new Map<string, number>();
  return lines.map((raw, k) => {
    const id = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (id === '') throw new ForgetscopeError('parse', 'empty id (blank line)', { file, line: k + 1, column: 1 });
    const prev = seen.get(id);
    if (prev !== undefined)
      throw new ForgetscopeError('duplicate', `id "${id}" repeats line ${prev + 1}`, { file, line: k + 1, column: 1 });
    seen.set(id, k);
    return id;
  });
}
