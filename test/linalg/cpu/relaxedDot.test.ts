import { createCpuBackend } from '../../../src/linalg/cpu/backend.js';
import { createWorkerRunner } from '../../../src/linalg/cpu/nodeWorkers.js';
import {
  inlineRelaxedExecutor,
  relaxedArenaCache,
  relaxedDot,
  relaxedKernelModule,
  relaxedSimdAvailable,
} from '../../../src/linalg/cpu/relaxedDot.js';
import { createInlineRunner, type CpuKernelRunner } from '../../../src/linalg/cpu/runner.js';
import { referenceGemm, referenceGram } from '../../../src/linalg/reference.js';
import type { Backend, Dense } from '../../../src/linalg/types.js';
import type { DotProblem } from '../../../src/linalg/cpu/wasmDot.js';
import { absProductScale, maxScaledError, randomDense } from '../helpers.js';
import { backendPerSuite, expectGemmMatches, expectGramMatches, type GemmShape, TRANSPOSES } from '../helpers.js';

// The relaxed-SIMD float32 kernel (relaxedDot.ts, wasm/relaxed.wat) against the float64 reference.
// Its contract is the webgpu backend's: every entry within 1e-5 of Σ|a||b| (float32 sums of at most
// 128 terms are bounded by 128·2⁻²⁴ ≈ 7.6e-6; measured errors are ~1e-7). Where the runtime lacks
// relaxed SIMD (Node 20) or it is switched off, float32 inputs take the float64 kernels and must
// agree to 1e-12 as before. Which branch runs is pinned by the runtime's version, so this file tests
// the relaxed kernel on Node ≥ 22 and the fallback on Node 20 (CI runs both).
const RELAXED_BOUND = 1e-5;
const F64_BOUND = 1e-12;
const nodeMajor = Number(process.versions.node.split('.')[0]);
const relaxedFlag = /relaxed-simd/.test([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' '));
const envOff = process.env.FORGETSCOPE_RELAXED_SIMD === '0';

test('relaxed SIMD is detected exactly where V8 ships it (Node ≥ 22), unless switched off', () => {
  expect(relaxedSimdAvailable()).toBe((nodeMajor >= 22 || relaxedFlag) && !envOff);
});

test('FORGETSCOPE_RELAXED_SIMD=0 and relaxed: never force the float64 kernels on float32 input', async () => {
  const a = randomDense(19, 700, 5, true);
  const want = referenceGram(a);
  const scale = absProductScale(a, a, false, true);
  const saved = process.env.FORGETSCOPE_RELAXED_SIMD;
  process.env.FORGETSCOPE_RELAXED_SIMD = '0';
  let off: CpuKernelRunner;
  try {
    expect(relaxedSimdAvailable()).toBe(false);
    off = createInlineRunner({ simd: 'always' });
  } finally {
    if (saved === undefined) delete process.env.FORGETSCOPE_RELAXED_SIMD;
    else process.env.FORGETSCOPE_RELAXED_SIMD = saved;
  }
  const never = createInlineRunner({ simd: 'always', relaxed: 'never' });
  for (const runner of [off, never]) {
    expect(runner.relaxed).toBe(false);
    expect(runner.simd).toBe(true);
    const g = await runner.dot(a.data, 700, a.data, 700, 0, 700, 19, 19, true);
    expect(maxScaledError(g, want, scale)).toBeLessThan(F64_BOUND);
  }
  // and the default runner takes the relaxed kernel exactly where it is available
  expect(createInlineRunner({ simd: 'always' }).relaxed).toBe(relaxedSimdAvailable());
});

const variants: Array<[string, () => Backend]> = [
  ['inline, relaxed auto', () => createCpuBackend({ runner: createInlineRunner({ simd: 'always' }) })],
  [
    '2 workers, relaxed auto',
    () => createCpuBackend({ runner: createWorkerRunner({ threads: 2, minWork: 0, simd: 'always' }) }),
  ],
  [
    'inline, relaxed never',
    () => createCpuBackend({ runner: createInlineRunner({ simd: 'always', relaxed: 'never' }) }),
  ],
];

describe.each(variants)('float32 products (%s)', (name, make) => {
  const backend = backendPerSuite(make);
  const relaxed = relaxedSimdAvailable() && !name.includes('never');
  const bound = relaxed ? RELAXED_BOUND : F64_BOUND;

  // edges that are not multiples of the 2×16 tile, single rows/columns, depths around the 128-term
  // float32 blocks and the 512-deep packed panels, tiny depths
  test.each([
    [1, 1],
    [1, 5000],
    [2, 3],
    [3, 1],
    [15, 127],
    [16, 128],
    [17, 129],
    [31, 513],
    [33, 1025],
    [50, 2],
  ])('gram %i×%i within the bound of float64', async (m, n) => {
    const a = randomDense(m, n, 7 * m + n, true);
    expectGramMatches(await backend().gram(a), a, bound);
  });

  test.each(TRANSPOSES)('gemm transA=%s transB=%s, awkward shapes', async (transA, transB) => {
    const shapes: GemmShape[] = [
      [1, 1, 1],
      [1, 300, 40],
      [40, 300, 1],
      [5, 1, 33],
      [17, 3, 1023],
      [33, 129, 17],
      [64, 513, 48],
    ];
    await expectGemmMatches((a, b, o) => backend().gemm(a, b, o), shapes, [transA, transB], bound, { f32: true });
  });

  test('a long mean-shifted gram (N = 300,000) stays within 1e-5 relative (float64 sums across blocks)', async () => {
    // entries 1.01 + small noise: a float32 running sum over 75,000 terms per lane rounds every
    // addend the same way once the sum is large and drifts by ~1e-4 relative (shown below); the
    // 128-term float32 blocks summed in float64 do not
    const m = 3;
    const n = 300000;
    const a = randomDense(m, n, 21, true);
    for (let t = 0; t < a.data.length; t++) a.data[t] = 1.01 + 0.001 * a.data[t]!;
    const got = await backend().gram(a);
    const want = referenceGram(a);
    for (let t = 0; t < want.length; t++)
      expect(Math.abs(got[t]! - want[t]!) / want[t]!).toBeLessThan(relaxed ? 1e-6 : F64_BOUND);
    // the same sums accumulated naively in float32 (4 lanes) break the bound: the test can fail
    let naiveWorst = 0;
    for (let i = 0; i < m; i++) {
      const lanes = [0, 0, 0, 0];
      for (let k = 0; k < n; k++)
        lanes[k % 4] = Math.fround(lanes[k % 4]! + Math.fround(a.data[i * n + k]! * a.data[i * n + k]!));
      const s = lanes.reduce((p, q) => p + q, 0);
      naiveWorst = Math.max(naiveWorst, Math.abs(s - want[i * m + i]!) / want[i * m + i]!);
    }
    expect(naiveWorst).toBeGreaterThan(1e-5);
  });

  test('hand-worked 2×3 gram and 2×2·2×2 gemm are exact', async () => {
    const g = await backend().gram({ rows: 2, cols: 3, data: new Float32Array([1, 2, 3, 4, 5, 6]) });
    expect(Array.from(g)).toEqual([14, 32, 32, 77]);
    const c = await backend().gemm(
      { rows: 2, cols: 2, data: new Float32Array([1, 2, 3, 4]) },
      { rows: 2, cols: 2, data: new Float32Array([5, 6, 7, 8]) },
    );
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
  });

  test('float64 operands keep the float64 kernels (1e-12) whatever the relaxed mode', async () => {
    const a = randomDense(21, 400, 9);
    expect(maxScaledError(await backend().gram(a), referenceGram(a), absProductScale(a, a, false, true))).toBeLessThan(
      F64_BOUND,
    );
    const b = randomDense(400, 18, 10, true); // mixed float64 × float32 → float64 products
    expect(maxScaledError(await backend().gemm(a, b), referenceGemm(a, b), absProductScale(a, b))).toBeLessThan(
      F64_BOUND,
    );
  });
});

describe('relaxedDot blocking', () => {
  // x-row, y-row and depth blocking forced by tiny arena budgets; the swap for few Y rows. Without
  // relaxed SIMD (Node 20) the kernel cannot load: creating its arena must fail loudly instead.
  const arenas = relaxedArenaCache();
  const get = (b: number) => arenas.get(b);
  test.each([4000, 20000, 1e9])('budget %d bytes: symmetric, general and swapped products', async (budget) => {
    if (relaxedKernelModule() === null) {
      expect(nodeMajor < 22 && !relaxedFlag).toBe(true);
      expect(() => get(budget)).toThrow(/relaxed SIMD kernel unavailable/);
      return;
    }
    const a = randomDense(37, 301, 1, true);
    const op = (d: Dense, transposed: boolean) => ({ data: d.data, ld: d.cols, transposed });
    const dot = (problem: DotProblem) => relaxedDot(get, inlineRelaxedExecutor, problem, budget);
    const g = await dot({ x: op(a, false), y: op(a, false), c0: 0, c1: 301, nx: 37, ny: 37, symmetric: true });
    expect(maxScaledError(g, referenceGram(a), absProductScale(a, a, false, true))).toBeLessThan(RELAXED_BOUND);
    const b = randomDense(45, 10, 2, true);
    const c = randomDense(29, 45, 3, true);
    const got = await dot({ x: op(b, true), y: op(c, false), c0: 0, c1: 45, nx: 10, ny: 29, symmetric: false });
    expect(
      maxScaledError(got, referenceGemm(b, c, { transA: true, transB: true }), absProductScale(b, c, true, true)),
    ).toBeLessThan(RELAXED_BOUND);
    // X = Y transposed (Bᵀ·B through the symmetric path): both operands staged, no shared staging
    const btb = await dot({ x: op(b, true), y: op(b, true), c0: 0, c1: 45, nx: 10, ny: 10, symmetric: true });
    expect(maxScaledError(btb, referenceGemm(b, b, { transA: true }), absProductScale(b, b, true, false))).toBeLessThan(
      RELAXED_BOUND,
    );
    const v = randomDense(3, 301, 4, true); // 37×3: Y has fewer than 16 rows → swapped
    const av = await dot({ x: op(a, false), y: op(v, false), c0: 0, c1: 301, nx: 37, ny: 3, symmetric: false });
    expect(maxScaledError(av, referenceGemm(a, v, { transB: true }), absProductScale(a, v, false, true))).toBeLessThan(
      RELAXED_BOUND,
    );
  });
});
