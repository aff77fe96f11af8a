import { ForgetscopeError } from '../util/errors.js';
import type { KnownEntries } from './types.js';
import { itemAt } from '../util/checked.js';

/**
 * Throws a usage error unless the known entries of a new task are distinct columns in 0..n − 1 with
 * one finite value each (an input error for a value that is not finite). Every completion method
 * checks its `predictRow` input with it.
 * @example
 * checkKnownEntries({ columns: Int32Array.of(0, 2), values: Float64Array.of(0.1, 0.2) }, 3); // passes
 */
export function checkKnownEntries(known: KnownEntries, n: number): void {
  if (known.columns.length !== known.values.length) {
    throw new ForgetscopeError(
      'usage',
      `known entries: ${known.columns.length} columns but ${known.values.length} values`,
    );
  }
  const seen = new Set<number>();
  for (let t = 0; t < known.columns.length; t++) {
    const j = itemAt(known.columns, t);
    if (!Number.isInteger(j) || j < 0 || j >= n)
      throw new ForgetscopeError('usage', `known column ${j} is out of range 0..${n - 1}`);
    if (seen.has(j)) throw new ForgetscopeError('usage', `known column ${j} appears twice`);
    seen.add(j);
    if (!Number.isFinite(itemAt(known.values, t)))
      throw new ForgetscopeError('input', `known value of column ${j} is not finite`);
  }
}
