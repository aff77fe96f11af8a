/**
 * Byte-level id interner. Index invariant: every read marked `!` is in range — bytes in [start, end) of
 * the caller's buffer by the loop bounds, hash-table slots masked by `size − 1` (the table's length),
 * and per-id arrays at indices below the number of ids interned.
 * @module
 */
import { firstInvalidUtf8 } from '../utf8.js';

/** Thrown by `ByteInterner.intern` for an id that is not valid UTF-8; `offset` is its first bad byte. */
export class InvalidUtf8Id extends Error {
  constructor(readonly offset: number) {
    super('invalid UTF-8 in an id');
  }
}

/**
 * Maps byte strings (UTF-8 ids straight out of a file buffer) to dense indices 0, 1, 2 … without
 * creating a JavaScript string per row. Hand-written because a 10-million-row long table holds only a
 * few hundred thousand distinct ids: hashing the bytes in place and decoding each distinct id once is
 * several times faster and allocates far less than decoding every field and looking it up in a Map.
 */
export class ByteInterner {
  /** The distinct ids, decoded, in order of first appearance. */
  readonly strings: string[] = [];
  private table: Int32Array = new Int32Array(1024).fill(-1);
  private hashes: Int32Array = new Int32Array(256);
  private starts: Int32Array = new Int32Array(256);
  private lengths: Int32Array = new Int32Array(256);
  private pool: Uint8Array = new Uint8Array(4096);
  private poolUsed = 0;
  private lastIndex = -1;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  /** Number of distinct ids. */
  get size(): number {
    return this.strings.length;
  }

  /** Index of the id held in `buf[start, end)`, adding it when new. */
  intern(buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    // Sorted long tables repeat the previous id row after row: check it first.
    const last = this.lastIndex;
    if (last >= 0 && this.lengths[last] === len && this.sameBytes(last, buf, start, len)) return last;
    let h = 0x811c9dc5;
    for (let p = start; p < end; p++) h = Math.imul(h ^ buf[p]!, 0x01000193);
    const mask = this.table.length - 1;
    let slot = h & mask;
    for (;;) {
      const idx = this.table[slot]!;
      if (idx < 0) break;
      if (this.hashes[idx] === h && this.lengths[idx] === len && this.sameBytes(idx, buf, start, len)) {
        this.lastIndex = idx;
        return idx;
      }
      slot = (slot + 1) & mask;
    }
    const idx = this.add(buf, start, end, h);
    this.table[slot] = idx;
    if (this.strings.length * 2 > this.table.length) this.rehash();
    this.lastIndex = idx;
    return idx;
  }

  /** Index of an id given as a string (for columnar sources that already decoded it). */
  internString(id: string): number {
    const bytes = new TextEncoder().encode(id);
    return this.intern(bytes, 0, bytes.length);
  }

  private sameBytes(idx: number, buf: Uint8Array, start: number, len: number): boolean {
    const pool = this.pool;
    const s = this.starts[idx]!;
    for (let k = 0; k < len; k++) if (pool[s + k] !== buf[start + k]) return false;
    return true;
  }

  private add(buf: Uint8Array, start: number, end: number, h: number): number {
    const idx = this.strings.length;
    const len = end - start;
    if (idx >= this.hashes.length) {
      this.hashes = grow(this.hashes, idx * 2);
      this.starts = grow(this.starts, idx * 2);
      this.lengths = grow(this.lengths, idx * 2);
    }
    if (this.poolUsed + len > this.pool.length) {
      const bigger = new Uint8Array(Math.max(this.pool.length * 2, this.poolUsed + len));
      bigger.set(this.pool.subarray(0, this.poolUsed));
      this.pool = bigger;
    }
    this.pool.set(buf.subarray(start, end), this.poolUsed);
    this.hashes[idx] = h;
    this.starts[idx] = this.poolUsed;
    this.lengths[idx] = len;
    this.poolUsed += len;
    let text: string;
    try {
      text = this.decoder.decode(buf.subarray(start, end));
    } catch {
      // Decoding invalid bytes to U+FFFD could merge two distinct ids: refuse them instead.
      throw new InvalidUtf8Id(firstInvalidUtf8(buf, start, end) - start);
    }
    this.strings.push(text);
    return idx;
  }

  private rehash(): void {
    const size = this.table.length * 2;
    const table = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let idx = 0; idx < this.strings.length; idx++) {
      let slot = this.hashes[idx]! & mask;
      while (table[slot]! >= 0) slot = (slot + 1) & mask;
      table[slot] = idx;
    }
    this.table = table;
  }
}

function grow(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}
