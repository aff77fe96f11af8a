/**
 * The one error family of forgetscope. Every error a user can cause (bad input, bad options) is a
 * `ForgetscopeError` with a machine-readable `code` and, where it applies, the file, the 1-based line
 * (or row) and the 1-based column it is about, so the CLI can print `file:line:column: message`.
 */

/** Machine-readable error kinds. `usage` and `input` errors make the CLI exit with status 2. */
export type ErrorCode =
  | 'usage'
  | 'input'
  | 'parse'
  | 'duplicate'
  | 'missing-column'
  | 'dtype'
  | 'truncated'
  | 'empty'
  | 'shape'
  | 'io'
  | 'backend'
  | 'internal';

/** Where in an input a problem was found. Lines, rows and columns are 1-based. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number | string;
}

/**
 * Error raised for anything a user can act on.
 * @example
 * throw new ForgetscopeError('parse', 'value "abc" is not a number', { file: 'z.csv', line: 3, column: 4 });
 * // message: "z.csv:3:4: value \"abc\" is not a number"
 */
export class ForgetscopeError extends Error {
  readonly code: ErrorCode;
  // `declare`: a location part that is not known is absent from the error, not an own key set to undefined.
  declare readonly file?: string;
  declare readonly line?: number;
  declare readonly column?: number | string;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(code: ErrorCode, detail: string, where: ErrorLocation = {}) {
    super(formatLocation(where) + detail);
    this.name = 'ForgetscopeError';
    this.code = code;
    this.detail = detail;
    if (where.file !== undefined) this.file = where.file;
    if (where.line !== undefined) this.line = where.line;
    if (where.column !== undefined) this.column = where.column;
  }

  /** True for errors the CLI reports with exit status 2 (usage or input problems). */
  get isUserError(): boolean {
    return this.code !== 'internal' && this.code !== 'backend' && this.code !== 'io';
  }
}

/** `file:line:column: ` prefix (only the parts that are known). */
export function formatLocation(where: ErrorLocation): string {
  const parts: string[] = [];
  if (where.file !== undefined) parts.push(where.file);
  if (where.line !== undefined) parts.push(String(where.line));
  if (where.column !== undefined) parts.push(String(where.column));
  return parts.length > 0 ? parts.join(':') + ': ' : '';
}
