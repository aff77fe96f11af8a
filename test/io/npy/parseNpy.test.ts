import { parseNpy } from '../../../src/io/npy/parseNpy.js';
import { ForgetscopeError } from '../../../src/util/errors.js';

/** A version-1.0 .npy file written by hand: magic, version, header length, header padded to 64 bytes, data. */
function npy(header: string, data: number[]): Uint8Array {
  const pad = (64 - ((10 + header.length + 1) % 64)) % 64;
  const text = `${header}${' '.repeat(pad)}\n`;
  const out = new Uint8Array(10 + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 0xff, text.length >> 8]);
  out.set(new TextEncoder().encode(text), 10);
  out.set(data, 10 + text.length);
  return out;
}

describe('parseNpy', () => {
  test('big-endian items are swapped (worked by hand: 0x0102 = 258)', () => {
    const a = parseNpy(npy("{'descr': '>i2', 'fortran_order': False, 'shape': (2,), }", [0x01, 0x02, 0x00, 0x03]));
    expect(a.shape).toEqual([2]);
    expect(Array.from(a.data as Int16Array)).toEqual([258, 3]);
  });

  test('a Fortran-order rank-3 array comes back in C order', () => {
    // values 0..7 stored column-major for shape (2, 2, 2): C entry (i, j, k) is stored at i + 2j + 4k
    const a = parseNpy(npy("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2, 2), }", [0, 1, 2, 3, 4, 5, 6, 7]));
    expect(Array.from(a.data as Uint8Array)).toEqual([0, 4, 2, 6, 1, 5, 3, 7]);
  });

  test('a Fortran-order matrix comes back in C order; a bad magic string is a parse error', () => {
    const a = parseNpy(npy("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }", [1, 2, 3, 4, 5, 6]));
    expect(Array.from(a.data as Uint8Array)).toEqual([1, 3, 5, 2, 4, 6]);
    const bad = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }", [1]);
    bad[1] = 0;
    expect(() => parseNpy(bad, 'x.npy')).toThrow(ForgetscopeError);
  });
});

describe('npy header', () => {
  test('a repeated key keeps its last value, as numpy', () => {
    const data = [...new Uint8Array(Float64Array.from([1, 2]).buffer)];
    const arr = parseNpy(
      npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), 'descr': '<f8', }", data),
      'dup.npy',
    );
    expect(arr.descr).toBe('<f8');
    expect([...(arr.data as Float64Array)]).toEqual([1, 2]);
  });
});
