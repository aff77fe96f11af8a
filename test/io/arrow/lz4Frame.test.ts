/** LZ4 frames built by hand from the frame and block format (lz4_Frame_format.md, lz4_Block_format.md). */
import { decodeLz4Block, decodeLz4Frame } from '../../../src/io/arrow/lz4Frame.js';
import { ForgetscopeError } from '../../../src/util/errors.js';

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const text = (b: Uint8Array) => String.fromCharCode(...b);
// Magic 0x184D2204 (LE), FLG version 01, BD 64 KiB blocks, a header checksum byte (not verified).
const HEADER = [0x04, 0x22, 0x4d, 0x18, 0x40, 0x40, 0x00];
// "abc", then a match at offset 3 of length 2 + 4 = 6 → "abcabcabc"; then literals "XYZ" only.
const BLOCK = [0x32, ...ascii('abc'), 3, 0, 0x30, ...ascii('XYZ')];
const END = [0, 0, 0, 0];

describe('decodeLz4Frame', () => {
  test('a compressed block, then an uncompressed one (high bit of its size set)', () => {
    const frame = Uint8Array.from([...HEADER, BLOCK.length, 0, 0, 0, ...BLOCK, 2, 0, 0, 0x80, ...ascii('!?'), ...END]);
    expect(text(decodeLz4Frame(frame))).toBe('abcabcabcXYZ!?');
  });

  test('the content size in the header is checked against the output', () => {
    const withSize = (n: number) =>
      Uint8Array.from([
        0x04,
        0x22,
        0x4d,
        0x18,
        0x48,
        0x40,
        n,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0x00,
        BLOCK.length,
        0,
        0,
        0,
        ...BLOCK,
        ...END,
      ]);
    expect(text(decodeLz4Frame(withSize(12)))).toBe('abcabcabcXYZ');
    expect(() => decodeLz4Frame(withSize(13))).toThrow("content size 12 differs from the header's 13");
  });

  test('a bad magic number and a missing end mark are parse errors', () => {
    expect(() => decodeLz4Frame(Uint8Array.from([0, 0, 0, 0, 0x40, 0x40, 0, ...END]))).toThrow(ForgetscopeError);
    expect(() => decodeLz4Frame(Uint8Array.from([...HEADER, BLOCK.length, 0, 0, 0, ...BLOCK]))).toThrow(
      'truncated (no end mark)',
    );
  });
});

describe('decodeLz4Block', () => {
  test('an overlapping match repeats a run; an offset past the output is an error', () => {
    const out = new Uint8Array(16);
    // "a", then offset 1 length 1 + 4 = 5 → "aaaaaa", then literal "b".
    const end = decodeLz4Block(Uint8Array.from([0x11, 0x61, 1, 0, 0x10, 0x62]), out, 0, 16);
    expect(text(out.subarray(0, end))).toBe('aaaaaab');
    expect(() => decodeLz4Block(Uint8Array.from([0x10, 0x61, 2, 0]), new Uint8Array(16), 0, 16)).toThrow(
      'match offset out of range',
    );
  });

  test('a literal length of 15 continues in the next bytes (255 means more)', () => {
    const literals = Array.from({ length: 15 + 255 + 3 }, (_, k) => 0x41 + (k % 26));
    const out = new Uint8Array(300);
    const end = decodeLz4Block(Uint8Array.from([0xf0, 255, 3, ...literals]), out, 0, 300);
    expect(end).toBe(273);
    expect([...out.subarray(0, end)]).toEqual(literals);
  });
});
