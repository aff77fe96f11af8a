/** A side .npy checked against its matrix: shape, dtype and finiteness errors; a 1-D file is repeated per row. */
import { parseSideNpy } from '../../../src/io/dataset/sideMatrix.js';
import { encodeNpy } from '../../../src/io/npy/encodeNpy.js';
import { ForgetscopeError } from '../../../src/util/errors.js';

function thrown(f: () => unknown): ForgetscopeError {
  try {
    f();
  } catch (e) {
    return e as ForgetscopeError;
  }
  throw new Error('did not throw');
}

describe('parseSideNpy', () => {
  test('shape and dtype mismatches are errors naming the file and both shapes', () => {
    const wrong = encodeNpy(new Float32Array(6 * 5), [6, 5]);
    const e = thrown(() => parseSideNpy(wrong, 'first_order', 6, 4, 'x/side/first_order.npy'));
    expect(e).toBeInstanceOf(ForgetscopeError);
    expect(e.code).toBe('shape');
    expect(e.message).toContain('x/side/first_order.npy');
    expect(e.message).toContain('[6, 5]');
    expect(e.message).toContain('6×4');
    const ints = encodeNpy(new Int32Array(24), [6, 4]);
    expect(thrown(() => parseSideNpy(ints, 'f', 6, 4)).code).toBe('dtype');
    const nan = new Float64Array(24);
    nan[9] = NaN;
    expect(thrown(() => parseSideNpy(encodeNpy(nan, [6, 4]), 'f', 6, 4)).message).toMatch(
      /non-finite value at row 2, column 1/,
    );
    expect(thrown(() => parseSideNpy(encodeNpy(new Float64Array(5), [5]), 'f', 6, 4)).code).toBe('shape');
  });

  test('a 1-D side file is an example feature repeated on every row', () => {
    const { side, report } = parseSideNpy(encodeNpy(Float64Array.from([1, 2, 3]), [3]), 'base', 2, 3);
    expect(Array.from(side.data)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(report.shape).toEqual([3]);
  });
});
