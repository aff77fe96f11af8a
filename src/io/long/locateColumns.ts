import { ForgetscopeError, type ErrorLocation } from '../../util/errors.js';
import type { ColumnNames } from '../types.js';
import { cutText, quoteText } from '../limits.js';

/** Positions of the long-table columns in a header (-1 = absent). */
export interface LongColumnIndices {
  task: number;
  example: number;
  /** -1 when Z is computed from nll_after − nll_before. */
  delta: number;
  nllBefore: number;
  nllAfter: number;
}

/**
 * Finds the long-table columns in a header: `task`, `example` and either `delta` or both
 * `nll_before` and `nll_after` (names configurable). Throws a `missing-column` error naming what is
 * missing and what the header holds.
 */
export function locateLongColumns(
  header: readonly string[],
  names: ColumnNames,
  where: ErrorLocation,
): LongColumnIndices {
  const find = (name: string) => header.indexOf(name);
  const cols: LongColumnIndices = {
    task: find(names.task),
    example: find(names.example),
    delta: find(names.delta),
    nllBefore: find(names.nllBefore),
    nllAfter: find(names.nllAfter),
  };
  const missing: string[] = [];
  if (cols.task < 0) missing.push(names.task);
  if (cols.example < 0) missing.push(names.example);
  if (cols.delta < 0) {
    if (cols.nllBefore < 0 || cols.nllAfter < 0) {
      missing.push(`${names.delta} (or ${names.nllBefore} and ${names.nllAfter})`);
    }
  }
  if (missing.length > 0) {
    throw new ForgetscopeError(
      'missing-column',
      `missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}; the header has ${cutText(
        header
          .slice(0, 50)
          .map((h) => quoteText(h, 60))
          .join(', ') + (header.length > 50 ? `, … (${header.length} columns)` : ''),
        2000,
      )}`,
      { ...where, column: where.column ?? 1 },
    );
  }
  const seen = new Map<string, number>();
  header.forEach((h, k) => {
    const used = [cols.task, cols.example, cols.delta, cols.nllBefore, cols.nllAfter];
    const earlier = seen.get(h);
    if (earlier !== undefined && used.includes(earlier)) {
      throw new ForgetscopeError('parse', `column ${quoteText(h)} appears twice in the header`, {
        ...where,
        column: k + 1,
      });
    }
    seen.set(h, k);
  });
  return cols;
}
