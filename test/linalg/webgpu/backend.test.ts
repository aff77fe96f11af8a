import { nodeGpu } from '../../../src/linalg/node.js';
import { referenceGemm, referenceGram, referenceMaskedGram } from '../../../src/linalg/reference.js';
import { isSoftwareAdapter } from '../../../src/linalg/selectBackend.js';
import { createWebGpuBackend, type WebGpuBackend } from '../../../src/linalg/webgpu/backend.js';
import type { Dense } from '../../../src/linalg/types.js';
import { absProductScale, maxScaledError, randomDense } from '../helpers.js';
import { expectGemmMatches, expectGramMatches, type GemmShape, TRANSPOSES } from '../helpers.js';

// WebGPU runs on Mesa lavapipe here and in CI. With FORGETSCOPE_REQUIRE_WEBGPU=1 (set by .ci/run) a
// missing adapter fails the suite; without it the suite is skipped with a message.
const required = process.env.FORGETSCOPE_REQUIRE_WEBGPU === '1';
const gpu = await nodeGpu();
const adapter = gpu ? await gpu.requestAdapter() : null;
if (!adapter && required)
  throw new Error('FORGETSCOPE_REQUIRE_WEBGPU=1 but no WebGPU adapter was found (is mesa-vulkan-drivers installed?)');
if (!adapter)
  console.warn('webgpu tests skipped: no WebGPU adapter (set FORGETSCOPE_REQUIRE_WEBGPU=1 to make this a failure)');
const describeGpu = adapter ? describe : describe.skip;

// float32 products with float32 partial sums over slabs of ≤ 1,024 columns and float64 sums across
// slabs: each entry within 1e-5 of Σ|a||b| (measured errors are ~1e-7; the input rounding to float32
// alone contributes 2⁻²⁴ ≈ 6e-8).
const BOUND = 1e-5;

describeGpu("webgpu backend (Dawn on this machine's adapter)", () => {
  let gpuBackend: WebGpuBackend;
  let chunked: WebGpuBackend;
  beforeAll(async () => {
    gpuBackend = await createWebGpuBackend({ gpu: gpu! });
    // 64 KiB bindings force many row blocks and depth chunks on small inputs; this one also runs the
    // tiled (workgroup-memory) kernel, while the default picks the barrier-free one on lavapipe
    chunked = await createWebGpuBackend({ gpu: gpu!, maxBindingBytes: 64 * 1024, slab: 64, variant: 'tiled' });
  });
  afterAll(async () => {
    await gpuBackend?.dispose();
    await chunked?.dispose();
  });

  test('reports its adapter', () => {
    expect(typeof gpuBackend.adapterDescription).toBe('string');
    expect(gpuBackend.name).toBe('webgpu');
    if (required)
      expect(isSoftwareAdapter(gpuBackend.adapterDescription) || gpuBackend.adapterDescription.length > 0).toBe(true);
  });

  test.each([
    [1, 1],
    [3, 5],
    [17, 1023],
    [65, 130],
    [130, 67],
    [85, 5001],
  ])('gram %i×%i within 1e-5 of float64', async (m, n) => {
    const a = randomDense(m, n, m * 7 + n, true);
    for (const b of [gpuBackend, chunked]) expectGramMatches(await b.gram(a), a, BOUND);
  });

  test('gram of long rows (N = 300,000) stays within 1e-5 relative of float64', async () => {
    const a = randomDense(4, 300_000, 42, true);
    // a positive shift makes entries large relative to their noise: the hard case for float32 sums
    for (let t = 0; t < a.data.length; t++) a.data[t] = a.data[t]! + 1;
    const want = referenceGram(a);
    const got = await gpuBackend.gram(a);
    for (let t = 0; t < want.length; t++) expect(Math.abs(got[t]! - want[t]!) / Math.abs(want[t]!)).toBeLessThan(1e-5);
  });

  test('chunking: inputs larger than one binding give the same result', async () => {
    // 200 rows × 700 columns in float32 is 560 KB: ≈ 9 bindings of 64 KiB, several row blocks
    const a = randomDense(200, 700, 5, true);
    const got = await chunked.gram(a);
    expect(maxScaledError(got, referenceGram(a), absProductScale(a, a, false, true))).toBeLessThan(BOUND);
  });

  test.each(TRANSPOSES)('gemm transA=%s transB=%s', async (transA, transB) => {
    const shapes: GemmShape[] = [
      [1, 1, 1],
      [3, 17, 5],
      [17, 3, 1023],
      [130, 129, 70],
    ];
    for (const g of [gpuBackend, chunked])
      await expectGemmMatches((a, b, o) => g.gemm(a, b, o), shapes, [transA, transB], BOUND, {
        seeds: (r, k, c) => [r + k, c],
      });
  });

  test('maskedGram: exact counts, sums within 1e-5', async () => {
    const m = 19;
    const n = 777;
    const a = randomDense(m, n, 8);
    const mask = new Uint8Array(m * n);
    for (let t = 0; t < mask.length; t++) mask[t] = (t * 2654435761) % 7 < 5 ? 1 : 0;
    const want = referenceMaskedGram(a, mask);
    const abs: Dense = { rows: m, cols: n, data: a.data.map((v, t) => (mask[t] ? Math.abs(v) : 0)) };
    for (const g of [gpuBackend, chunked]) {
      const got = await g.maskedGram(a, mask);
      expect(Array.from(got.count)).toEqual(Array.from(want.count));
      expect(maxScaledError(got.cross, want.cross, absProductScale(abs, abs, false, true))).toBeLessThan(BOUND);
      for (let t = 0; t < m * m; t++)
        expect(Math.abs(got.sq[t]! - want.sq[t]!)).toBeLessThan(BOUND * want.sq[t]! + 1e-12);
    }
  });

  test('topSVD on the GPU matches the float64 spectrum to float32 accuracy', async () => {
    const a = randomDense(30, 2000, 77);
    const { referenceTopSVD } = await import('../../../src/linalg/reference.js');
    const want = referenceTopSVD(a, 5);
    const got = await gpuBackend.topSVD(a, 5);
    for (let t = 0; t < 5; t++) expect(Math.abs(got.s[t]! - want.s[t]!)).toBeLessThan(1e-5 * want.s[0]!);
  });

  test('gemv runs (on the CPU side) and dispose is idempotent', async () => {
    const b = await createWebGpuBackend({ gpu: gpu! });
    const y = await b.gemv({ rows: 2, cols: 2, data: new Float64Array([1, 2, 3, 4]) }, new Float64Array([1, 1]));
    expect(Array.from(y)).toEqual([3, 7]);
    await b.dispose();
    await b.dispose();
    await expect(b.gram({ rows: 1, cols: 1, data: new Float64Array([1]) })).rejects.toThrow(/dispose/);
  });
});

describeGpu('webgpu kernel variants agree', () => {
  test.each(['tiled', 'direct'] as const)('%s kernel: gram and gemm at 70×333 / 33×100·100×65', async (variant) => {
    const b = await createWebGpuBackend({ gpu: gpu!, variant });
    const a = randomDense(70, 333, 12, true);
    expect(maxScaledError(await b.gram(a), referenceGram(a), absProductScale(a, a, false, true))).toBeLessThan(BOUND);
    const x = randomDense(33, 100, 13);
    const y = randomDense(100, 65, 14);
    expect(maxScaledError(await b.gemm(x, y), referenceGemm(x, y), absProductScale(x, y))).toBeLessThan(BOUND);
    await b.dispose();
  });
});
