import { itemAt } from '../util/checked.js';
import type { ReplayRandom } from './random.js';

/**
 * Indices of the `k` largest finite keys, in descending key order. Expected O(N + k log k): an
 * in-place quickselect (random pivots) partitions the index array, then only the k winners are sorted.
 * Hand-written because no kept library offers a typed-array top-k selection; a heap would cost
 * O(N log k). Keys equal to −Infinity are never returned; ask for at most that many finite keys.
 */
export function topKIndices(keys: Float64Array, k: number, rng: ReplayRandom): Int32Array {
  const n = keys.length;
  let count = 0;
  for (let j = 0; j < n; j++) if (itemAt(keys, j) > -Infinity) count++;
  if (k > count) throw new RangeError(`asked for ${k} of ${count} selectable keys`);
  const idx = new Int32Array(count);
  for (let j = 0, c = 0; j < n; j++) if (itemAt(keys, j) > -Infinity) idx[c++] = j;
  if (k < count && k > 0) quickselectDescending(idx, keys, k, rng);
  const top = Array.from(idx.subarray(0, k));
  top.sort((a, b) => itemAt(keys, b) - itemAt(keys, a) || a - b);
  return Int32Array.from(top);
}

/** Rearranges `idx` so that its first k entries hold the k largest keys (Hoare-style partitioning). */
function quickselectDescending(idx: Int32Array, keys: Float64Array, k: number, rng: ReplayRandom): void {
  let lo = 0;
  let hi = idx.length - 1;
  const target = k - 1; // the k-th largest lands at position k - 1
  while (hi > lo) {
    const pivot = itemAt(keys, itemAt(idx, lo + rng.nextInt(hi - lo + 1)));
    // three-way partition: [> pivot | == pivot | < pivot]
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = itemAt(keys, itemAt(idx, i));
      if (v > pivot) {
        swap(idx, lt++, i++);
      } else if (v < pivot) {
        swap(idx, i, gt--);
      } else {
        i++;
      }
    }
    if (target < lt) hi = lt - 1;
    else if (target > gt) lo = gt + 1;
    else return;
  }
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = itemAt(a, i);
  a[i] = itemAt(a, j);
  a[j] = t;
}
