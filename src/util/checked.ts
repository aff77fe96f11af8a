/**
 * Checked reads for places where an invariant keeps an index in range. With `noUncheckedIndexedAccess`
 * an indexed read is `T | undefined`; `itemAt` states the invariant at the read and turns a broken one
 * into an `internal` ForgetscopeError there, instead of an `undefined` that would flow on as a value.
 */
import { ForgetscopeError } from './errors.js';

/**
 * `xs[i]`, or an `internal` ForgetscopeError naming `what` when `i` is outside `0..length-1`.
 * @example
 * itemAt(['a', 'b'], 1); // 'b'
 * itemAt(new Float64Array(2), 2, 'column'); // throws "column 2 is outside 0..1"
 */
export function itemAt<T>(xs: ArrayLike<T>, i: number, what = 'index'): T {
  const x = xs[i];
  if (x === undefined) {
    throw new ForgetscopeError('internal', `${what} ${i} is outside 0..${xs.length - 1}`);
  }
  return x;
}
