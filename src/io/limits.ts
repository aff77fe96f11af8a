import { ForgetscopeError } from '../util/errors.js';

/**
 * The bounds every reader keeps, so that a small hostile input fails fast instead of exhausting the
 * machine, and the one helper that quotes offending text into a message.
 */

/** Limits of the readers (`ReadOptions.limits` overrides any of them). */
export interface ReadLimits {
  /** Longest line (record) of a text input, in bytes. Default 16 MiB. */
  maxLineBytes: number;
  /** Most fields in one record (header or data line) of a delimited file. Default 65,536. */
  maxFields: number;
  /** Deepest nesting of arrays and objects in a JSON or JSON Lines input. Default 256. */
  maxJsonDepth: number;
}

/** The default limits. */
export const DEFAULT_LIMITS: Readonly<ReadLimits> = Object.freeze({
  maxLineBytes: 16 << 20,
  maxFields: 65536,
  maxJsonDepth: 256,
});

/** The limits in force: the defaults with `overrides` applied (each must be a positive integer). */
export function resolveLimits(overrides: Partial<ReadLimits> | undefined): ReadLimits {
  const out = { ...DEFAULT_LIMITS, ...(overrides ?? {}) };
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new ForgetscopeError('usage', `limits.${k} must be a positive integer, not ${String(v)}`);
  }
  return out;
}

/**
 * Most rows a columnar file (Parquet, Arrow) may claim per byte of the file. Even compressed, a row of
 * a long table (distinct task/example pairs and a value) takes more than a bit; a header claiming more
 * rows than this is corrupt, and refusing it keeps the work bounded by the input size.
 */
export const MAX_ROWS_PER_BYTE = 1024;

/** Characters of offending text a message quotes at most. */
export const QUOTE_CHARS = 200;

/**
 * Quotes text for an error message as a JSON string, cut to `max` characters (the cut marked with
 * `…` and the full length), so a 200 MB field never ends up in a message.
 * @example
 * quoteText('x'.repeat(1000)); // "\"xxx…x\"… (1000 characters)"
 */
export function quoteText(text: string, max = QUOTE_CHARS): string {
  if (text.length <= max) return JSON.stringify(text);
  // Do not split a surrogate pair.
  let cut = max;
  const c = text.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return `${JSON.stringify(text.slice(0, cut))}… (${text.length} characters)`;
}

/** Text cut to `max` characters for a message (no quotes added), the cut marked with `…`. */
export function cutText(text: string, max = QUOTE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}
