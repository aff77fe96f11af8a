import { referenceGemm, referenceGram } from '../../../src/linalg/reference.js';
import { arenaCache } from '../../../src/linalg/cpu/runner.js';
import { inlineDotExecutor, wasmDot, type DotProblem } from '../../../src/linalg/cpu/wasmDot.js';
import type { Dense } from '../../../src/linalg/types.js';
import { absProductScale, maxScaledError, randomDense } from '../helpers.js';

// The blocking of wasmDot (x-row blocks, y-row blocks, depth panels, operand swap) is exercised by
// forcing a tiny arena budget, so every path runs on small inputs; results must equal the float64
// reference to rounding (bound 1e-12 of Σ|a||b|).
describe('wasmDot blocking', () => {
  const arenas = arenaCache();
  const get = (d: number) => arenas.get(d);
  const dot = (problem: DotProblem, budget?: number) => wasmDot(get, inlineDotExecutor, problem, budget);
  /** The symmetric problem A·Aᵀ over depths [c0, c1) of a row-major A. */
  const gramOf = (a: Dense, c0: number, c1: number): DotProblem => {
    const op = { data: a.data, ld: a.cols, transposed: false };
    return { x: op, y: op, c0, c1, nx: a.rows, ny: a.rows, symmetric: true };
  };

  test.each([600, 2000, 1e9])(
    'budget %d doubles: symmetric and general products agree with the reference',
    async (budget) => {
      const a = randomDense(37, 301, 1, true);
      const g = await dot(gramOf(a, 0, 301), budget);
      expect(maxScaledError(g, referenceGram(a), absProductScale(a, a, false, true))).toBeLessThan(1e-12);

      // X = Bᵀ read in place (transposed operand), Y = C: Bᵀ·Cᵀ with B 45×10, C 29×45 → 10×29
      const b = randomDense(45, 10, 2);
      const c = randomDense(29, 45, 3);
      const got = await dot(
        {
          x: { data: b.data, ld: 10, transposed: true },
          y: { data: c.data, ld: 45, transposed: false },
          c0: 0,
          c1: 45,
          nx: 10,
          ny: 29,
          symmetric: false,
        },
        budget,
      );
      const want = referenceGemm(b, c, { transA: true, transB: true });
      expect(maxScaledError(got, want, absProductScale(b, c, true, true))).toBeLessThan(1e-12);
    },
  );

  test('a depth sub-range [c0, c1) sums only those columns', async () => {
    const a = randomDense(6, 50, 4);
    const got = await dot(gramOf(a, 10, 33));
    const sub = { rows: 6, cols: 23, data: new Float64Array(6 * 23) };
    for (let i = 0; i < 6; i++) for (let c = 0; c < 23; c++) sub.data[i * 23 + c] = a.data[i * 50 + 10 + c]!;
    expect(maxScaledError(got, referenceGram(sub), absProductScale(sub, sub, false, true))).toBeLessThan(1e-12);
  });
});
