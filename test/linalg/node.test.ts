import { availableParallelism } from 'node:os';
import { loadNodeBlas } from '../../src/linalg/cpu/nodeBlas.js';
import { relaxedSimdAvailable } from '../../src/linalg/cpu/relaxedDot.js';
import { resolveNodeBackend } from '../../src/linalg/node.js';
import { referenceGram } from '../../src/linalg/reference.js';
import {
  mayUseWebGpu,
  problemMulAdds,
  resolveBackend,
  WEBGPU_CROSSOVER_MULADDS,
} from '../../src/linalg/selectBackend.js';
import type { Backend, BackendDescription } from '../../src/linalg/types.js';
import { absProductScale, maxScaledError, randomDense } from './helpers.js';

// What `Backend.description` says, checked against what really runs: the kernels are counted where
// the runners route each product, so a product's count moving is the observation that it ran there.
const blas = loadNodeBlas();
if (!blas && process.env.CI === 'true')
  throw new Error('CI needs a CBLAS library (Debian: libopenblas0-pthread) for the default backend to report blas');

const total = (d: BackendDescription): number => Object.values(d.products).reduce((s, n) => s + (n ?? 0), 0);

describe('resolution never starts Dawn for work that cannot go to WebGPU', () => {
  // Runs first in this file (its own module registry and globals): nodeGpu() has not been called yet,
  // and Dawn's `create` installs GPUBufferUsage & co. on globalThis when it loads.
  test('auto on the fixture-sized problem, and cpu, leave Dawn unloaded', async () => {
    const small = await resolveNodeBackend({ requested: 'auto', problem: { rows: 37, cols: 1000 } });
    const cpu = await resolveNodeBackend({ requested: 'cpu' });
    expect(small.description.reason).toMatch(/below the WebGPU crossover/);
    expect(cpu.description.reason).toBe('cpu was asked for');
    expect('GPUBufferUsage' in globalThis).toBe(false);
    await small.dispose();
    await cpu.dispose();
    // the control: asking for WebGPU does load Dawn (where the package loads), so the check above can fail
    if (
      (await import('../../src/linalg/node.js')).findLavapipeIcd() ||
      process.env.FORGETSCOPE_REQUIRE_WEBGPU === '1'
    ) {
      const gpu = await resolveNodeBackend({ requested: 'webgpu', warn: () => {} });
      expect('GPUBufferUsage' in globalThis).toBe(true);
      await gpu.dispose();
    }
  });

  test('the GPU entry point is asked for only when the choice may be WebGPU', async () => {
    let asked = 0;
    const gpu = async () => {
      asked++;
      return null;
    };
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    await resolveBackend({ requested: 'auto', problem: { rows: 85, cols: 1000 }, gpu, warn });
    await resolveBackend({ requested: 'cpu', gpu, warn });
    expect(asked).toBe(0);
    // 1,000² · 2,000 = 2e9 multiply–adds: at the crossover, so WebGPU is tried (none here: cpu, silently)
    const big = await resolveBackend({ requested: 'auto', problem: { rows: 1000, cols: 2000 }, gpu, warn });
    expect(asked).toBe(1);
    expect(big.name).toBe('cpu');
    expect(big.description.reason).toMatch(/^auto: WebGPU unavailable/);
    await resolveBackend({ requested: 'webgpu', gpu, warn });
    expect(asked).toBe(2);
    expect(warnings).toEqual(['webgpu backend unavailable (WebGPU is not available in this runtime); using cpu']);
  });

  test('mayUseWebGpu and problemMulAdds by hand', () => {
    expect(problemMulAdds({ rows: 37, cols: 1000 })).toBe(1_369_000);
    expect(mayUseWebGpu('auto', 1_369_000)).toBe(false);
    expect(mayUseWebGpu('auto', WEBGPU_CROSSOVER_MULADDS)).toBe(true);
    expect(mayUseWebGpu('auto', undefined)).toBe(true);
    expect(mayUseWebGpu('cpu', 1e15)).toBe(false);
    expect(mayUseWebGpu('webgpu', 1)).toBe(true);
  });

  test('an unknown request is a usage error', async () => {
    await expect(resolveBackend({ requested: 'tpu' as 'cpu' })).rejects.toMatchObject({ code: 'usage' });
  });
});

describe('the default Node backend', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await resolveNodeBackend({ requested: 'auto', problem: { rows: 37, cols: 1000 } });
  });
  afterAll(() => backend.dispose());

  test('describes itself as plain JSON: cpu, the kernel of large products, threads, the request', () => {
    const d = backend.description;
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d.name).toBe('cpu');
    expect(d.requested).toBe('auto');
    expect(d.threads).toBe(availableParallelism());
    if (blas) {
      expect(d.kernel).toBe('blas');
      expect(d.library).toBe(blas.description);
      expect(d.routes![0]).toEqual({ kernel: 'blas', operands: 'same', minWork: 2e6 });
    } else {
      expect(d.kernel).toBe(relaxedSimdAvailable() ? 'wasm-relaxed-simd' : 'wasm-simd');
      expect(d.library).toBeUndefined();
    }
    expect(d.routes![d.routes!.length - 1]).toEqual({ kernel: 'js', operands: 'any', minWork: 0 });
  });

  test('a large float32 Gram matrix takes the kernel the description names; a tiny one stays in JavaScript', async () => {
    const before = backend.description.products;
    // 64 × 4,096 float32: 64·64·4,096 / 2 ≈ 8.4e6 multiply–adds, above the BLAS and SIMD thresholds
    const a = randomDense(64, 4096, 7, true);
    const g = await backend.gram(a);
    const after = backend.description.products;
    const kernel = backend.description.kernel;
    expect((after[kernel] ?? 0) - (before[kernel] ?? 0)).toBe(1);
    expect(total(backend.description) - Object.values(before).reduce((s, n) => s + (n ?? 0), 0)).toBe(1);
    expect(maxScaledError(g, referenceGram(a), absProductScale(a, a, false, true))).toBeLessThan(1e-5);
    // 2×3: 12 multiply–adds; [1 2 3; 4 5 6]·[1 2 3; 4 5 6]ᵀ = [14 32; 32 77]
    const small = await backend.gram({ rows: 2, cols: 3, data: Float32Array.of(1, 2, 3, 4, 5, 6) });
    expect(Array.from(small)).toEqual([14, 32, 32, 77]);
    expect(backend.description.products.js).toBe((after.js ?? 0) + 1);
    expect(backend.description.products[kernel]).toBe(after[kernel]);
  });

  (blas ? test : test.skip)('with the system BLAS a large float64 gemm is one BLAS product too', async () => {
    const before = backend.description.products.blas ?? 0;
    const a = randomDense(40, 300, 1);
    const b = randomDense(300, 50, 2);
    await backend.gemm(a, b); // 40·300·50 = 6e5 multiply–adds: below BLAS_MIN_WORK
    expect(backend.description.products.blas ?? 0).toBe(before);
    const c = randomDense(200, 300, 3);
    await backend.gemm(c, b); // 3e6
    expect(backend.description.products.blas).toBe(before + 1);
  });
});
