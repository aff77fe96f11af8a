import { mirrorUpper, transposeToF64 } from '../../../src/linalg/cpu/kernels.js';

describe('cpu kernel helpers', () => {
  test('mirrorUpper copies the upper triangle onto the lower one', () => {
    const out = Float64Array.of(1, 2, 3, 0, 4, 5, 0, 0, 6);
    mirrorUpper(out, 3);
    expect(Array.from(out)).toEqual([1, 2, 3, 2, 4, 5, 3, 5, 6]);
  });

  test('transposeToF64: [[1, 2, 3], [4, 5, 6]] → [[1, 4], [2, 5], [3, 6]], float32 in, float64 out', () => {
    const t = transposeToF64(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3);
    expect(t).toBeInstanceOf(Float64Array);
    expect(Array.from(t)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  test('transposeToF64 across its 64-wide blocks (130 × 70): entry (i, j) moves to (j, i)', () => {
    const [rows, cols] = [130, 70];
    const data = Float64Array.from({ length: rows * cols }, (_, t) => t);
    const t = transposeToF64(data, rows, cols);
    let wrong = 0;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (t[j * rows + i] !== i * cols + j) wrong++;
    expect(wrong).toBe(0);
  });
});
