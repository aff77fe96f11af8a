import { checkSideShapes, exampleFeatureSide, selectSideRows, sideRowOf } from '../../src/matrix/sideMatrices.js';
import { ForgetscopeError } from '../../src/util/errors.js';

const s = { name: 'first_order', rows: 3, cols: 2, data: new Float64Array([1, 2, 3, 4, 5, 6]) };

describe('side matrices', () => {
  test('shape and name checks', () => {
    expect(() => checkSideShapes([s], 3, 2)).not.toThrow();
    expect(() => checkSideShapes([s], 2, 2)).toThrow('side matrix "first_order" is 3×2 but the matrix is 2×2');
    expect(() => checkSideShapes([s, s], 3, 2)).toThrow('side matrix "first_order" is given twice');
  });

  test('selectSideRows copies the chosen rows in order; a bad row is a usage error', () => {
    const [t] = selectSideRows([s], [2, 0]);
    expect(t).toEqual({ name: 'first_order', rows: 2, cols: 2, data: new Float64Array([5, 6, 1, 2]) });
    expect(() => selectSideRows([s], [3])).toThrow(ForgetscopeError);
    expect(() => selectSideRows([s], [0.5])).toThrow('row 0.5 is outside 0..2');
    const f32 = selectSideRows([{ ...s, data: Float32Array.from(s.data) }], [1]);
    expect(f32[0]?.data).toEqual(new Float32Array([3, 4]));
  });

  test('sideRowOf gives views of one row by name', () => {
    const row = sideRowOf([s], 1);
    expect(Array.from(row.first_order ?? [])).toEqual([3, 4]);
    expect(() => sideRowOf([s], 3)).toThrow('row 3 is outside 0..2');
  });

  test('exampleFeatureSide repeats the feature on every row', () => {
    const f = exampleFeatureSide('len', [7, 8, 9], 2);
    expect(f).toEqual({ name: 'len', rows: 2, cols: 3, data: new Float64Array([7, 8, 9, 7, 8, 9]) });
  });
});
