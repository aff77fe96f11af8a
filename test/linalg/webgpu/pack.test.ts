import { denseOperand } from '../../../src/linalg/webgpu/pack.js';

// A = [[1, 2, 3], [4, 5, 6]]
const A = { rows: 2, cols: 3, data: Float64Array.of(1, 2, 3, 4, 5, 6) };

describe('denseOperand (packing an NT operand for the GPU)', () => {
  test('as is: rows × depth = 2 × 3, packed row by row', () => {
    const op = denseOperand(A, false);
    expect([op.rows, op.depth]).toEqual([2, 3]);
    const dst = new Float32Array(6);
    op.pack(0, 2, 0, 3, dst, 3);
    expect(Array.from(dst)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('transposed: logical (r, k) = A[k][r], rows × depth = 3 × 2', () => {
    const op = denseOperand(A, true);
    expect([op.rows, op.depth]).toEqual([3, 2]);
    const dst = new Float32Array(6);
    op.pack(0, 3, 0, 2, dst, 2);
    expect(Array.from(dst)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  test('a block [r0, r1) × [k0, k1) lands at the top left of the destination, with its leading dimension', () => {
    const dst = new Float32Array(4).fill(-1);
    // row 1, columns 1..2 of A → [5, 6] in the first row of a destination with leading dimension 2
    denseOperand(A, false).pack(1, 2, 1, 3, dst, 2);
    expect(Array.from(dst)).toEqual([5, 6, -1, -1]);
    // logical rows 1..2 of Aᵀ, depth 0..0 → [A[0][1], A[0][2]] = [2, 3] down the first column
    dst.fill(-1);
    denseOperand(A, true).pack(1, 3, 0, 1, dst, 2);
    expect(Array.from(dst)).toEqual([2, -1, 3, -1]);
  });

  test('map transforms each value with its flat index (both layouts)', () => {
    const map = (v: number, index: number) => v * 10 + index;
    const dst = new Float32Array(6);
    denseOperand(A, false, map).pack(0, 2, 0, 3, dst, 3);
    expect(Array.from(dst)).toEqual([10, 21, 32, 43, 54, 65]);
    denseOperand(A, true, map).pack(0, 3, 0, 2, dst, 2);
    expect(Array.from(dst)).toEqual([10, 43, 21, 54, 32, 65]);
  });
});
