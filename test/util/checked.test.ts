import { itemAt } from '../../src/util/checked.js';
import { ForgetscopeError } from '../../src/util/errors.js';

describe('itemAt', () => {
  test('reads in-range entries of arrays and typed arrays', () => {
    expect(itemAt(['a', 'b', 'c'], 2)).toBe('c');
    expect(itemAt(new Float64Array([0.5, -1.25]), 1)).toBe(-1.25);
    // NaN and 0 are values, not missing reads.
    expect(Number.isNaN(itemAt(new Float64Array([Number.NaN]), 0))).toBe(true);
    expect(itemAt(new Uint8Array([0]), 0)).toBe(0);
  });

  test('an index outside the array is an internal error naming it', () => {
    const read = () => itemAt(new Float64Array(2), 2, 'column');
    expect(read).toThrow(ForgetscopeError);
    expect(read).toThrow('column 2 is outside 0..1');
    expect(() => itemAt([1], -1)).toThrow('index -1 is outside 0..0');
    try {
      read();
    } catch (e) {
      expect((e as ForgetscopeError).code).toBe('internal');
      expect((e as ForgetscopeError).isUserError).toBe(false);
    }
  });
});
