import { Matrix, SVD } from 'ml-matrix';
import { createCpuBackend } from '../../../src/linalg/cpu/backend.js';
import { createWorkerRunner } from '../../../src/linalg/cpu/nodeWorkers.js';
import { createInlineRunner } from '../../../src/linalg/cpu/runner.js';
import { wasmDotAvailable } from '../../../src/linalg/cpu/wasmDot.js';
import { symmetricEigen } from '../../../src/linalg/eigen.js';
import { createReferenceBackend, referenceMaskedGram } from '../../../src/linalg/reference.js';
import type { Backend, Dense } from '../../../src/linalg/types.js';
import { ForgetscopeError } from '../../../src/util/errors.js';
import { absProductScale, maxScaledError, randomDense } from '../helpers.js';
import { backendPerSuite, expectGemmMatches, expectGramMatches, type GemmShape, TRANSPOSES } from '../helpers.js';

// Both cpu variants must agree with the float64 reference to a few ulps of the natural error scale
// Σ|a||b| of each entry: bound 1e-13 (float64 re-ordered summation over ≤ 2,000 terms gives < 2,000·2⁻⁵³ ≈ 2e-13
// in the worst case, far less in practice; inputs here are seeded normals).
const BOUND = 1e-12;
// These are the float64-product kernels (relaxed: 'never'); the relaxed-SIMD float32 kernel, which
// float32 × float32 products take on Node ≥ 22 by default, has its own 1e-5 contract (relaxed.test.ts).
const backends: Array<[string, () => Backend]> = [
  ['scalar', () => createCpuBackend({ runner: createInlineRunner({ simd: 'never' }) })],
  ['wasm SIMD', () => createCpuBackend({ runner: createInlineRunner({ simd: 'always', relaxed: 'never' }) })],
  [
    '2 workers + wasm SIMD',
    () =>
      createCpuBackend({ runner: createWorkerRunner({ threads: 2, minWork: 0, simd: 'always', relaxed: 'never' }) }),
  ],
];

test('the WASM SIMD kernel loads in Node', () => {
  expect(wasmDotAvailable()).toBe(true);
});

describe.each(backends)('cpu backend (%s)', (_name, make) => {
  const backend = backendPerSuite(make);

  test.each([
    [1, 1],
    [1, 17],
    [3, 5],
    [17, 1023],
    [9, 3],
    [33, 200],
  ])('gram %i×%i matches the float64 reference', async (m, n) => {
    for (const f32 of [false, true]) {
      const a = randomDense(m, n, m * 1000 + n, f32);
      expectGramMatches(await backend().gram(a), a, BOUND);
    }
  });

  test('gram of a hand-worked 2×3 matrix', async () => {
    const g = await backend().gram({ rows: 2, cols: 3, data: new Float64Array([1, 2, 3, 4, 5, 6]) });
    expect(Array.from(g)).toEqual([14, 32, 32, 77]);
  });

  test.each(TRANSPOSES)('gemm transA=%s transB=%s at awkward shapes', async (transA, transB) => {
    const shapes: GemmShape[] = [
      [1, 1, 1],
      [3, 17, 5],
      [17, 3, 1023],
      [13, 129, 6],
    ];
    await expectGemmMatches((a, b, o) => backend().gemm(a, b, o), shapes, [transA, transB], BOUND);
  });

  test('gemm rejects mismatched inner dimensions', async () => {
    await expect(backend().gemm(randomDense(2, 3, 1), randomDense(4, 2, 2))).rejects.toBeInstanceOf(ForgetscopeError);
  });

  test('gemv and transposed gemv', async () => {
    const ref = createReferenceBackend();
    for (const [m, n] of [
      [1, 1],
      [17, 1023],
      [40, 3],
    ] as const) {
      const a = randomDense(m, n, m + n);
      const x = randomDense(1, n, 5).data;
      const y = randomDense(1, m, 6).data;
      const ax = await backend().gemv(a, x);
      const aty = await backend().gemv(a, y, true);
      const scaleAx = absProductScale(a, { rows: n, cols: 1, data: x });
      const scaleAty = absProductScale(a, { rows: m, cols: 1, data: y }, true);
      expect(maxScaledError(ax, await ref.gemv(a, x), scaleAx)).toBeLessThan(BOUND);
      expect(maxScaledError(aty, await ref.gemv(a, y, true), scaleAty)).toBeLessThan(BOUND);
    }
  });

  test('maskedGram matches the definition, NaN in unobserved cells ignored', async () => {
    for (const [m, n] of [
      [1, 5],
      [3, 17],
      [17, 1023],
    ] as const) {
      const a = randomDense(m, n, 11 * m + n);
      const mask = new Uint8Array(m * n);
      let s = 12345;
      for (let t = 0; t < mask.length; t++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        mask[t] = s % 3 === 0 ? 0 : 1;
        if (!mask[t]) a.data[t] = NaN;
      }
      const got = await backend().maskedGram(a, mask);
      const want = referenceMaskedGram(a, mask);
      expect(Array.from(got.count)).toEqual(Array.from(want.count));
      const abs: Dense = { rows: m, cols: n, data: a.data.map((v, t) => (mask[t] ? Math.abs(v) : 0)) };
      const scale = absProductScale(abs, abs, false, true);
      expect(maxScaledError(got.cross, want.cross, scale)).toBeLessThan(BOUND);
      for (let t = 0; t < m * m; t++)
        expect(Math.abs(got.sq[t]! - want.sq[t]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, want.sq[t]!));
    }
  });

  test('maskedGram with a null mask: count = N, cross = gram, sq = row sums of squares', async () => {
    const a: Dense = { rows: 2, cols: 2, data: new Float64Array([1, 2, 3, 4]) };
    const r = await backend().maskedGram(a, null);
    expect(Array.from(r.count)).toEqual([2, 2, 2, 2]);
    expect(Array.from(r.cross)).toEqual([5, 11, 11, 25]);
    expect(Array.from(r.sq)).toEqual([5, 5, 25, 25]);
  });

  test('gram is symmetric positive semidefinite (property, several shapes)', async () => {
    for (let seed = 0; seed < 6; seed++) {
      const m = 2 + seed * 3;
      const n = 1 + seed * 7;
      const g = await backend().gram(randomDense(m, n, 100 + seed));
      const eig = symmetricEigen(g, m);
      const top = eig.values[0]!;
      for (const v of eig.values) expect(v).toBeGreaterThanOrEqual(-1e-12 * top);
      // rank ≤ min(m, n)
      if (n < m) expect(Math.abs(eig.values[n]!)).toBeLessThan(1e-10 * top);
    }
  });

  test.each([
    [8, 30, 3, 'gram'],
    [30, 8, 4, 'gram'],
    [1, 12, 1, 'gram'],
    [40, 300, 5, 'randomized'],
    [300, 40, 5, 'randomized'],
  ] as const)('topSVD %i×%i k=%i (%s): singular values match ml-matrix SVD within 1e-9', async (m, n, k, method) => {
    const a = randomDense(m, n, m * 31 + n);
    // randomized on a full-rank random matrix is exact only when k + p ≥ min(m, n); force it so
    const res = await backend().topSVD(a, k, { method, oversample: Math.min(m, n), seed: 3 });
    const mat = new Matrix(Array.from({ length: m }, (_, i) => Array.from(a.data.subarray(i * n, (i + 1) * n))));
    const svd = new SVD(mat, { autoTranspose: true });
    const want = svd.diagonal;
    expect(res.s.length).toBe(k);
    for (let t = 0; t < k; t++) expect(Math.abs(res.s[t]! - want[t]!)).toBeLessThan(1e-9 * Math.max(1, want[0]!));
    // u, v orthonormal columns and A·v = σ·u
    for (let t = 0; t < k; t++) {
      let nu = 0;
      let nv = 0;
      for (let i = 0; i < m; i++) nu += res.u[i * k + t]! ** 2;
      for (let c = 0; c < n; c++) nv += res.v[c * k + t]! ** 2;
      expect(Math.abs(nu - 1)).toBeLessThan(1e-9);
      expect(Math.abs(nv - 1)).toBeLessThan(1e-9);
      for (let i = 0; i < m; i++) {
        let av = 0;
        for (let c = 0; c < n; c++) av += a.data[i * n + c]! * res.v[c * k + t]!;
        expect(Math.abs(av - res.s[t]! * res.u[i * k + t]!)).toBeLessThan(1e-9 * res.s[0]!);
      }
    }
  });

  test('topSVD reconstructs a rank-3 matrix and randomized finds a planted spectrum', async () => {
    const m = 60;
    const n = 500;
    const left = randomDense(m, 3, 1);
    const right = randomDense(3, n, 2);
    const sig = [50, 20, 5];
    const a = new Float64Array(m * n);
    for (let i = 0; i < m; i++)
      for (let c = 0; c < n; c++)
        for (let t = 0; t < 3; t++) a[i * n + c]! += left.data[i * 3 + t]! * sig[t]! * right.data[t * n + c]!;
    const dense = { rows: m, cols: n, data: a };
    for (const method of ['gram', 'randomized'] as const) {
      const r = await backend().topSVD(dense, 3, { method, seed: 9 });
      let err = 0;
      let norm = 0;
      for (let i = 0; i < m; i++)
        for (let c = 0; c < n; c++) {
          let rec = 0;
          for (let t = 0; t < 3; t++) rec += r.u[i * 3 + t]! * r.s[t]! * r.v[c * 3 + t]!;
          err = Math.max(err, Math.abs(rec - a[i * n + c]!));
          norm = Math.max(norm, Math.abs(a[i * n + c]!));
        }
      expect(err).toBeLessThan(1e-9 * norm);
    }
  });

  test('topSVD is deterministic for a seed and rejects k < 1', async () => {
    const a = randomDense(50, 400, 4);
    const r1 = await backend().topSVD(a, 4, { method: 'randomized', seed: 7, powerIterations: 1, oversample: 2 });
    const r2 = await backend().topSVD(a, 4, { method: 'randomized', seed: 7, powerIterations: 1, oversample: 2 });
    expect(Array.from(r1.s)).toEqual(Array.from(r2.s));
    await expect(backend().topSVD(a, 0)).rejects.toBeInstanceOf(ForgetscopeError);
  });
});
