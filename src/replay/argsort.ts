import { itemAt } from '../util/checked.js';

/**
 * The positions of `keys` ordered by descending key (equal keys by ascending position), by an LSD
 * radix sort of the keys' IEEE-754 bits (four passes of 16 bits over an order-preserving uint64 form):
 * O(N), no comparator calls. Hand-written because no kept library sorts a typed array's indices by its
 * values; a comparator sort of a million indices costs seconds, a binary search per key as much (cache
 * misses). Keys must not be NaN; −0 sorts below +0.
 * @example
 * argsortDescending(Float64Array.of(0.2, 0.9, 0.5)); // Int32Array [1, 2, 0]
 */
export function argsortDescending(keys: Float64Array): Int32Array {
  const n = keys.length;
  if (n === 0) return new Int32Array(0);
  const bits = new Uint32Array(keys.buffer, keys.byteOffset, 2 * n);
  const little = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;
  const loAt = little ? 0 : 1;
  // Descending key = ascending complement of the order-preserving form (sign flipped; negatives all bits flipped).
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  for (let j = 0; j < n; j++) {
    let h = itemAt(bits, 2 * j + 1 - loAt);
    let l = itemAt(bits, 2 * j + loAt);
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else h = (h | 0x80000000) >>> 0;
    hi[j] = ~h >>> 0;
    lo[j] = ~l >>> 0;
  }
  let idx = new Int32Array(n);
  for (let j = 0; j < n; j++) idx[j] = j;
  let next = new Int32Array(n);
  const count = new Int32Array(65537);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass < 2 ? lo : hi;
    const shift = pass % 2 === 0 ? 0 : 16;
    count.fill(0);
    for (let j = 0; j < n; j++) {
      const d = ((itemAt(word, j) >>> shift) & 0xffff) + 1;
      count[d] = itemAt(count, d) + 1;
    }
    if (count[((itemAt(word, 0) >>> shift) & 0xffff) + 1] === n) continue; // one digit value: nothing moves
    for (let d = 0; d < 65536; d++) count[d + 1] = itemAt(count, d + 1) + itemAt(count, d);
    for (let t = 0; t < n; t++) {
      const j = itemAt(idx, t);
      const d = (itemAt(word, j) >>> shift) & 0xffff;
      const at = itemAt(count, d);
      count[d] = at + 1;
      next[at] = j;
    }
    const swap = idx;
    idx = next;
    next = swap;
  }
  return idx;
}
