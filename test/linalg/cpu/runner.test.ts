import { wasmDotAvailable } from '../../../src/linalg/cpu/wasmDot.js';
import {
  countProduct,
  cpuRoutes,
  createInlineRunner,
  type KernelTally,
  SIMD_MIN_WORK,
} from '../../../src/linalg/cpu/runner.js';

describe('the inline cpu runner', () => {
  test('countProduct adds one product per call to its kernel, and nothing without a tally', () => {
    const tally: KernelTally = {};
    countProduct(tally, 'js');
    countProduct(tally, 'js');
    countProduct(tally, 'wasm-simd');
    expect(tally).toEqual({ js: 2, 'wasm-simd': 1 });
    expect(() => countProduct(undefined, 'js')).not.toThrow();
  });

  test("cpuRoutes: 'never' is JavaScript only; otherwise SIMD from SIMD_MIN_WORK (0 with 'always'), JavaScript last", () => {
    expect(cpuRoutes('never')).toEqual([{ kernel: 'js', operands: 'any', minWork: 0 }]);
    const auto = cpuRoutes('auto', 'never');
    const always = cpuRoutes('always', 'never');
    if (wasmDotAvailable()) {
      expect(auto).toEqual([
        { kernel: 'wasm-simd', operands: 'any', minWork: SIMD_MIN_WORK },
        { kernel: 'js', operands: 'any', minWork: 0 },
      ]);
      expect(always[0]).toEqual({ kernel: 'wasm-simd', operands: 'any', minWork: 0 });
    } else {
      expect(auto).toEqual([{ kernel: 'js', operands: 'any', minWork: 0 }]);
    }
  });

  test.each(['never', 'always'] as const)(
    "simd '%s': dot of [[1, 2, 3], [4, 5, 6]] with itself is [[14, 32], [32, 77]]; a column range sums only those columns",
    async (simd) => {
      const runner = createInlineRunner({ simd, relaxed: 'never' });
      expect(runner.threads).toBe(1);
      const x = Float64Array.of(1, 2, 3, 4, 5, 6);
      expect(Array.from(await runner.dot(x, 3, x, 3, 0, 3, 2, 2, true))).toEqual([14, 32, 32, 77]);
      // columns [1, 3): [[4 + 9, 10 + 18], [·, 25 + 36]]
      expect(Array.from(await runner.dot(x, 3, x, 3, 1, 3, 2, 2, false))).toEqual([13, 28, 28, 61]);
      await runner.dispose();
    },
  );

  test('axpy: C = X·B for X = [[1, 2], [3, 4]], B = [[1, 0, 2], [0, 1, 3]] is [[1, 2, 8], [3, 4, 18]]', async () => {
    const runner = createInlineRunner({ simd: 'never' });
    const c = await runner.axpy(Float64Array.of(1, 2, 3, 4), 2, Float64Array.of(1, 0, 2, 0, 1, 3), 3, 2, 3, 2);
    expect(Array.from(c)).toEqual([1, 2, 8, 3, 4, 18]);
  });
});
