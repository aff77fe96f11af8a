import { ByteInterner, InvalidUtf8Id } from '../../../src/io/long/ByteInterner.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('ByteInterner', () => {
  test('the same bytes at different offsets get one index; order of first appearance', () => {
    const buf = enc('ab,é,ab,a,é');
    const ids = new ByteInterner();
    // Fields by byte offsets: "ab" [0,2), "é" [3,5) (two bytes), "ab" [6,8), "a" [9,10), "é" [11,13).
    const got = [
      [0, 2],
      [3, 5],
      [6, 8],
      [9, 10],
      [11, 13],
    ].map(([s, e]) => ids.intern(buf, s!, e!));
    expect(got).toEqual([0, 1, 0, 2, 1]);
    expect(ids.strings).toEqual(['ab', 'é', 'a']);
    expect(ids.size).toBe(3);
    expect(ids.internString('é')).toBe(1);
    expect(ids.internString('')).toBe(3);
  });

  test('thousands of ids, longer than the first pool, keep their indices as the table grows', () => {
    const ids = new ByteInterner();
    const name = (k: number) => `id-${k}-${'x'.repeat(k % 17)}`;
    for (let k = 0; k < 3000; k++) expect(ids.internString(name(k))).toBe(k);
    for (let k = 2999; k >= 0; k -= 7) expect(ids.internString(name(k))).toBe(k);
    expect(ids.size).toBe(3000);
    expect(ids.strings[2345]).toBe(name(2345));
  });

  test('invalid UTF-8 throws InvalidUtf8Id with the offset of the first bad byte in the id', () => {
    const buf = Uint8Array.from([0x7a, 0x61, 0x62, 0xc3, 0x28, 0x63]); // "z" then id "ab", a bad 2-byte lead, "(c"
    const ids = new ByteInterner();
    let thrown: unknown;
    try {
      ids.intern(buf, 1, 6);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InvalidUtf8Id);
    expect((thrown as InvalidUtf8Id).offset).toBe(2);
  });
});
