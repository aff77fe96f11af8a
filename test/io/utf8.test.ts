import { decodeUtf8, firstInvalidUtf8 } from '../../src/io/utf8.js';
import { ForgetscopeError } from '../../src/util/errors.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('firstInvalidUtf8 (sequences worked from the UTF-8 table)', () => {
  test('valid text: one-, two-, three- and four-byte characters', () => {
    const euro = bytes(0xe2, 0x82, 0xac); // U+20AC
    expect(firstInvalidUtf8(euro)).toBe(3);
    expect(firstInvalidUtf8(bytes(0x61, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80))).toBe(7); // a é 😀
  });

  test('overlong forms, surrogates, values above U+10FFFF, stray and truncated bytes', () => {
    expect(firstInvalidUtf8(bytes(0xc0, 0x80))).toBe(0); // overlong NUL
    expect(firstInvalidUtf8(bytes(0x61, 0xe0, 0x80, 0x80))).toBe(1); // overlong: below U+0800
    expect(firstInvalidUtf8(bytes(0xed, 0xa0, 0x80))).toBe(0); // U+D800, a surrogate
    expect(firstInvalidUtf8(bytes(0xf4, 0x90, 0x80, 0x80))).toBe(0); // U+110000
    expect(firstInvalidUtf8(bytes(0x61, 0x80))).toBe(1); // continuation byte without a lead
    expect(firstInvalidUtf8(bytes(0x61, 0x62, 0xe2, 0x82))).toBe(2); // cut off at the end
    expect(firstInvalidUtf8(bytes(0xc3, 0x28))).toBe(0); // lead byte followed by ASCII
  });

  test('start and end bound the scan', () => {
    expect(firstInvalidUtf8(bytes(0xff, 0x61, 0x62), 1)).toBe(3);
    expect(firstInvalidUtf8(bytes(0x61, 0xe2, 0x82, 0xac), 0, 3)).toBe(1); // the euro sign is cut by end
  });
});

describe('decodeUtf8', () => {
  test('decodes valid text', () => {
    expect(decodeUtf8(bytes(0x69, 0x64, 0x0a, 0xc3, 0xa9), 'a.csv')).toBe('id\né');
  });

  test('an invalid byte is a parse error at its line and byte column', () => {
    const read = () => decodeUtf8(bytes(0x61, 0x0a, 0x62, 0x63, 0xff), 'a.csv');
    expect(read).toThrow(ForgetscopeError);
    expect(read).toThrow(/^a\.csv:2:3: invalid UTF-8/);
  });
});
