/**
 * Byte-level UTF-8 checks. Index invariant: every read marked `!` is at an index below `bytes.length`
 * (the loop bound, and a continuation byte only after the check that the sequence fits).
 * @module
 */
import { ForgetscopeError } from '../util/errors.js';

/**
 * Decodes UTF-8 strictly: an invalid byte sequence is a `parse` error at file:line:column (1-based
 * line, byte column) instead of a U+FFFD that could merge two distinct ids.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < at; k++)
      if (bytes[k] === 0x0a) {
        line++;
        lineStart = k + 1;
      }
    throw new ForgetscopeError('parse', 'invalid UTF-8 (text must be UTF-8; ids are compared byte for byte)', {
      file,
      line,
      column: at - lineStart + 1,
    });
  }
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (bytes.length when valid). */
export function firstInvalidUtf8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let k = start;
  while (k < end) {
    const b = bytes[k]!;
    if (b < 0x80) {
      k++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return k;
    if (k + need >= end) return k;
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let q = 1; q <= need; q++) {
      const c = bytes[k + q]!;
      if ((c & 0xc0) !== 0x80) return k;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return k;
    k += need + 1;
  }
  return end;
}
