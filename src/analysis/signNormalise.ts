import { itemAt } from '../util/checked.js';

/**
 * Makes singular-vector signs stable: for each component c, if the largest-magnitude entry of the
 * right (example) factor is negative, both factors of that component flip sign (their product, the
 * fitted matrix, is unchanged). Ties go to the first index. Works in place on row-major
 * `left` (rows×k) and `right` (cols×k) and returns them.
 * @example
 * signNormalise(Float64Array.of(1), Float64Array.of(-2, 1), 1); // left → [-1], right → [2, -1]
 */
export function signNormalise(
  left: Float64Array,
  right: Float64Array,
  k: number,
): { left: Float64Array; right: Float64Array } {
  const rows = left.length / k;
  const cols = right.length / k;
  for (let c = 0; c < k; c++) {
    let big = 0;
    for (let j = 0; j < cols; j++) {
      const x = itemAt(right, j * k + c);
      if (Math.abs(x) > Math.abs(big)) big = x;
    }
    if (big < 0) {
      for (let j = 0; j < cols; j++) right[j * k + c] = -itemAt(right, j * k + c);
      for (let i = 0; i < rows; i++) left[i * k + c] = -itemAt(left, i * k + c);
    }
  }
  return { left, right };
}
