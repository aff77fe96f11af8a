import { encodeNpy } from '../../../src/io/npy/encodeNpy.js';
import { ForgetscopeError } from '../../../src/util/errors.js';

describe('encodeNpy', () => {
  test('format 1.0: magic, header padded with spaces to 64 bytes, then little-endian data', () => {
    const bytes = encodeNpy(Int32Array.from([1, -2]), [1, 2]);
    const header = "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), }";
    // 10 prefix bytes + 59 header characters + newline = 70, padded up to 128: header length 118.
    expect(header.length).toBe(59);
    expect(bytes.length).toBe(128 + 8);
    expect([...bytes.subarray(0, 10)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0]);
    const text = new TextDecoder().decode(bytes.subarray(10, 128));
    expect(text).toBe(`${header}${' '.repeat(118 - 59 - 1)}\n`);
    expect([...bytes.subarray(128)]).toEqual([1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff]);
  });

  test('a one-dimensional shape is a Python one-tuple, and the dtype follows the array', () => {
    const text = new TextDecoder().decode(encodeNpy(Float32Array.from([0.5]), [1]).subarray(10, 128));
    expect(text.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }")).toBe(true);
  });

  test('a shape that does not hold the data is an error', () => {
    expect(() => encodeNpy(Float64Array.from([1, 2, 3]), [2, 2])).toThrow(ForgetscopeError);
  });
});
