/**
 * Byte-level decoder of LZ4 frames. Index invariant: every read marked `!` is in range — header bytes
 * after the length check of the frame, block bytes after the check that the block lies inside the input
 * (`i < end`), match copies after the check that `offset` is at most the bytes written so far, and the
 * block-size table by its 3-bit index.
 * @module
 */
import { ForgetscopeError } from '../../util/errors.js';

/**
 * Decodes one LZ4 frame (the format Arrow IPC uses for LZ4_FRAME-compressed buffers, and pyarrow's
 * default for Feather files). Hand-written: the frame format is small and fully specified
 * (lz4_Frame_format.md), and the maintained npm packages either lack frame support or need native code.
 * Checksums are skipped (not verified); structure errors throw.
 */
export function decodeLz4Frame(input: Uint8Array): Uint8Array {
  const fail = (what: string) => new ForgetscopeError('parse', `corrupt LZ4 frame: ${what}`);
  if (input.length < 7 || input[0] !== 0x04 || input[1] !== 0x22 || input[2] !== 0x4d || input[3] !== 0x18)
    throw fail('bad magic number');
  const flg = input[4]!;
  if (flg >> 6 !== 1) throw fail('unsupported version');
  const blockChecksum = (flg & 0x10) !== 0;
  const contentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const dictId = (flg & 0x01) !== 0;
  const bd = input[5]!;
  const maxBlock = [0, 0, 0, 0, 1 << 16, 1 << 18, 1 << 20, 1 << 22][(bd >> 4) & 7]!;
  if (maxBlock === 0) throw fail('bad block size');
  let p = 6;
  let expected = -1;
  if (contentSize) {
    if (p + 8 > input.length) throw fail('truncated header');
    expected =
      new DataView(input.buffer, input.byteOffset + p, 8).getUint32(0, true) +
      new DataView(input.buffer, input.byteOffset + p, 8).getUint32(4, true) * 2 ** 32;
    p += 8;
  }
  if (dictId) p += 4;
  p += 1; // header checksum
  // One output buffer for all blocks: linked blocks (the default) may copy from earlier blocks.
  let out = new Uint8Array(expected >= 0 ? expected : maxBlock);
  let o = 0;
  for (;;) {
    if (p + 4 > input.length) throw fail('truncated (no end mark)');
    const word = (input[p]! | (input[p + 1]! << 8) | (input[p + 2]! << 16) | (input[p + 3]! << 24)) >>> 0;
    p += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (size > maxBlock || p + size > input.length) throw fail('block size out of range');
    if (o + maxBlock > out.length) {
      const bigger = new Uint8Array(Math.max(out.length * 2, o + maxBlock));
      bigger.set(out.subarray(0, o));
      out = bigger;
    }
    if (word & 0x80000000) {
      out.set(input.subarray(p, p + size), o);
      o += size;
    } else {
      o = decodeLz4Block(input.subarray(p, p + size), out, o, o + maxBlock);
    }
    p += size;
    if (blockChecksum) p += 4;
  }
  if (contentChecksum) p += 4;
  if (expected >= 0 && expected !== o) throw fail(`content size ${o} differs from the header's ${expected}`);
  return out.length === o ? out : out.slice(0, o);
}

/**
 * Decodes one raw LZ4 block into `out` starting at `start` (matches may reach back into earlier
 * output), writing at most up to `limit`; returns the new end of the output.
 */
export function decodeLz4Block(input: Uint8Array, out: Uint8Array, start: number, limit: number): number {
  const maxOutput = Math.min(limit, out.length);
  let i = 0;
  let o = start;
  const n = input.length;
  const fail = (what: string) => new ForgetscopeError('parse', `corrupt LZ4 block: ${what}`);
  while (i < n) {
    const token = input[i++]!;
    let literals = token >> 4;
    if (literals === 15) {
      const extra = extendedLength(input, i, 'literal');
      literals += extra.add;
      i = extra.next;
    }
    if (i + literals > n || o + literals > maxOutput) throw fail('literals out of range');
    out.set(input.subarray(i, i + literals), o);
    i += literals;
    o += literals;
    if (i >= n) break; // the last sequence has literals only
    if (i + 2 > n) throw fail('truncated match offset');
    const offset = input[i]! | (input[i + 1]! << 8);
    i += 2;
    if (offset === 0 || offset > o) throw fail('match offset out of range');
    let length = token & 15;
    if (length === 15) {
      const extra = extendedLength(input, i, 'match');
      length += extra.add;
      i = extra.next;
    }
    length += 4;
    if (o + length > maxOutput) throw fail('match out of range');
    // Byte by byte: matches may overlap their own output (run-length style).
    for (let k = 0; k < length; k++, o++) out[o] = out[o - offset]!;
  }
  return o;
}

/**
 * The bytes a 4-bit length of 15 continues with, from offset `i`: each byte adds its value and a byte
 * of 255 means another follows. Returns the sum and the offset after the last byte.
 */
function extendedLength(input: Uint8Array, i: number, what: 'literal' | 'match'): { add: number; next: number } {
  let add = 0;
  let b: number;
  do {
    if (i >= input.length) throw new ForgetscopeError('parse', `corrupt LZ4 block: truncated ${what} length`);
    b = input[i++]!;
    add += b;
  } while (b === 255);
  return { add, next: i };
}
