import { expectClose } from '../../helpers/close.js';
import { trainStats, variantBasis, variantGram } from '../../../src/completion/loo/basis.js';
import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';

const backend = createReferenceBackend();
const both = Int32Array.of(0, 1);

describe('the train statistics and centred bases of lowrank, by hand', () => {
  // Z = [[1, 2, 3], [3, 4, 5]]
  const z = ForgettingMatrix.fromRows([
    [1, 2, 3],
    [3, 4, 5],
  ]);

  test('trainStats: Z·Zᵀ = [[14, 26], [26, 50]], row means [2, 4], column means [2, 3, 4], grand mean 3', async () => {
    const s = await trainStats(z, backend);
    expect([s.m, s.n]).toEqual([2, 3]);
    expect(Array.from(s.gram)).toEqual([14, 26, 26, 50]);
    // means are products with weights 1/n and 1/m: equal to rounding
    expectClose(s.rowMeans, [2, 4], 13);
    expectClose(s.colMeans, [2, 3, 4], 13);
    expect(s.grand).toBeCloseTo(3, 14);
  });

  test('a missing train cell is filled with the additive fit: [[1, ·], [3, 5]] → μ + a₀ + b₁ = 3 − 2 + 2 = 3', async () => {
    const partial = new ForgettingMatrix({
      values: Float64Array.of(1, Number.NaN, 3, 5),
      observed: Uint8Array.of(1, 0, 1, 1),
      taskIds: ['a', 'b'],
      exampleIds: ['x', 'y'],
    });
    expect(Array.from((await trainStats(partial, backend)).z.data)).toEqual([1, 3, 3, 5]);
  });

  test('fewer than two train rows are refused', async () => {
    await expect(trainStats(ForgettingMatrix.fromRows([[1, 2]]), backend)).rejects.toThrow(/at least 2 train rows/);
  });

  test('variantGram: uncentred is Z·Zᵀ; column-centred R = [[−1, −1, −1], [1, 1, 1]] gives [[3, −3], [−3, 3]]; additive leaves 0', async () => {
    const s = await trainStats(z, backend);
    expect(Array.from(variantGram(s, both, 'uncentered'))).toEqual([14, 26, 26, 50]);
    expectClose(variantGram(s, both, 'column'), [3, -3, -3, 3], 13);
    expectClose(variantGram(s, both, 'additive'), [0, 0, 0, 0], 13);
  });

  test('variantBasis: the column centring has one component, s = √6 = ‖R‖_F, u = ±(1, −1)/√2', async () => {
    const s = await trainStats(z, backend);
    const b = variantBasis(s, both, 'column', 5);
    expect([b.r, b.rows]).toEqual([1, 2]);
    expect(b.s[0]).toBeCloseTo(Math.sqrt(6), 14);
    expect(b.energy).toBeCloseTo(6, 14);
    expect(Math.abs(b.u[0]!)).toBeCloseTo(Math.SQRT1_2, 14);
    expect(b.u[1]! / b.u[0]!).toBeCloseTo(-1, 14);
  });
});
