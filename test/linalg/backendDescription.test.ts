import { availableParallelism } from 'node:os';
import { createCpuBackend } from '../../src/linalg/cpu/backend.js';
import { columnFormsScalar } from '../../src/linalg/cpu/columnForms.js';
import { createInlineRunner, type CpuKernelRunner } from '../../src/linalg/cpu/runner.js';
import { loadNodeBlas } from '../../src/linalg/cpu/nodeBlas.js';
import { relaxedSimdAvailable } from '../../src/linalg/cpu/relaxedDot.js';
import { wasmDotAvailable } from '../../src/linalg/cpu/wasmDot.js';
import { columnFormsOn } from '../../src/linalg/columnFormsOn.js';
import { formatBackendDescription } from '../../src/linalg/describe.js';
import { createNodeCpuBackend, nodeGpu, resolveNodeBackend } from '../../src/linalg/node.js';
import { referenceGram } from '../../src/linalg/reference.js';
import {
  mayUseWebGpu,
  problemMulAdds,
  resolveBackend,
  withFallback,
  WEBGPU_CROSSOVER_MULADDS,
} from '../../src/linalg/selectBackend.js';
import type { Backend, BackendDescription } from '../../src/linalg/types.js';
import { ForgetscopeError } from '../../src/util/errors.js';
import { ONE_ROW_FORMS, absProductScale, expectOneRowForms, maxScaledError, randomDense } from './helpers.js';

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

describe('pinned kernels say so', () => {
  test('blas: false on relaxed-SIMD runtimes: float32 on wasm-relaxed-simd, float64 on wasm-simd', async () => {
    const cpu = createNodeCpuBackend({ blas: false, threads: 1 });
    const d = cpu.description;
    expect(d.library).toBeUndefined();
    expect(d.threads).toBe(1);
    if (!wasmDotAvailable()) {
      expect(d.kernel).toBe('js');
      return;
    }
    expect(d.kernel).toBe(relaxedSimdAvailable() ? 'wasm-relaxed-simd' : 'wasm-simd');
    await cpu.gram(randomDense(16, 2048, 1, true)); // 16·16·2,048 = 524,288 ≥ 2e5
    await cpu.gram(randomDense(16, 2048, 1, false));
    const p = cpu.description.products;
    if (relaxedSimdAvailable()) expect(p).toEqual({ 'wasm-relaxed-simd': 1, 'wasm-simd': 1 });
    else expect(p).toEqual({ 'wasm-simd': 2 });
    await cpu.dispose();
  });

  test("simd: 'never' runs and reports JavaScript only, columnForms included", async () => {
    const cpu = createNodeCpuBackend({ simd: 'never', threads: 1 });
    expect(cpu.description.kernel).toBe('js');
    expect(cpu.description.routes).toEqual([{ kernel: 'js', operands: 'any', minWork: 0 }]);
    await cpu.gram(randomDense(16, 2048, 1, true));
    // one row, two columns: lin = 2·x, energy = x², quad = (1 + 3·x)²
    expectOneRowForms(await columnFormsOn(cpu, ONE_ROW_FORMS.input));
    expect(cpu.description.products).toEqual({ js: 2 });
    await cpu.dispose();
  });

  test('columnForms on the default kernels equals the JavaScript loop to the bit and is counted', async () => {
    const cpu = createCpuBackend();
    const z = randomDense(5, 37, 4, true);
    const input = {
      z: z.data,
      rows: 5,
      cols: 37,
      g: Float64Array.of(1, -2, 0.5, 3, 1),
      h: randomDense(3, 5, 5).data as Float64Array,
      t0: Float64Array.of(1, 0, -1),
    };
    const got = await columnFormsOn(cpu, input);
    const want = columnFormsScalar(input);
    expect(Array.from(got.quad)).toEqual(Array.from(want.quad));
    expect(Array.from(got.lin)).toEqual(Array.from(want.lin));
    expect(cpu.description.products).toEqual(wasmDotAvailable() ? { 'wasm-simd': 1 } : { js: 1 });
  });
});

describe('WebGPU backends describe their adapter and count their products', () => {
  // after the Dawn test above: loading Dawn here is fine
  test('webgpu: kernel, adapter, products on the GPU and gemv on its CPU side; auto on a large problem says why', async () => {
    const gpu = await nodeGpu();
    const adapter = gpu ? await gpu.requestAdapter() : null;
    if (!adapter) {
      if (process.env.FORGETSCOPE_REQUIRE_WEBGPU === '1')
        throw new Error('FORGETSCOPE_REQUIRE_WEBGPU=1 but no WebGPU adapter was found');
      console.warn('skipped: no WebGPU adapter');
      return;
    }
    const b = await resolveNodeBackend({ requested: 'webgpu' });
    const d0 = b.description;
    expect(d0).toMatchObject({ name: 'webgpu', kernel: 'webgpu', requested: 'webgpu', reason: 'webgpu was asked for' });
    expect(d0.adapter!.length).toBeGreaterThan(0);
    expect(Array.from(await b.gram({ rows: 2, cols: 3, data: Float32Array.of(1, 2, 3, 4, 5, 6) }))).toEqual([
      14, 32, 32, 77,
    ]);
    expect(
      Array.from(await b.gemv({ rows: 2, cols: 3, data: Float64Array.of(1, 2, 3, 4, 5, 6) }, Float64Array.of(1, 1, 1))),
    ).toEqual([6, 15]);
    expect(b.description.products).toEqual({ webgpu: 1, js: 1 });
    await b.dispose();
    const auto = await resolveNodeBackend({ requested: 'auto', problemSize: 1e12 });
    const d = auto.description;
    expect(d.requested).toBe('auto');
    if (d.name === 'cpu') expect(d.reason).toBe(`auto: the WebGPU adapter is CPU-emulated (${d0.adapter})`);
    else expect(d.reason).toBe('auto: hardware adapter, 1.00e+12 multiply–adds');
    await auto.dispose();
  }, 60_000);
});

describe('descriptions through the wrappers', () => {
  test('a custom runner without routes or counters: the kernel follows its flags, nothing is counted', async () => {
    const inline = createInlineRunner({ simd: 'never' });
    const custom: CpuKernelRunner = {
      threads: 3,
      simd: false,
      relaxed: false,
      dot: inline.dot,
      axpy: inline.axpy,
      dispose: inline.dispose,
    };
    const cpu = createCpuBackend({ runner: custom });
    await cpu.gram({ rows: 1, cols: 2, data: Float64Array.of(3, 4) });
    expect(cpu.description).toEqual({ name: 'cpu', kernel: 'js', threads: 3, products: {} });
  });

  test('a WebGPU backend lost mid-run reports cpu and why', async () => {
    const failing: Backend = {
      ...createCpuBackend(),
      name: 'webgpu',
      description: { name: 'webgpu', kernel: 'webgpu', adapter: 'test adapter', products: {} },
      async gram() {
        throw new ForgetscopeError('backend', 'WebGPU device was lost');
      },
    };
    const b = withFallback(
      failing,
      () => createCpuBackend(),
      () => {},
      false,
      { requested: 'webgpu', reason: 'webgpu was asked for' },
    );
    expect(b.description).toMatchObject({ name: 'webgpu', kernel: 'webgpu', requested: 'webgpu' });
    await b.gram({ rows: 1, cols: 2, data: Float64Array.of(3, 4) });
    expect(b.description).toMatchObject({
      name: 'cpu',
      requested: 'webgpu',
      reason: 'webgpu was asked for; webgpu failed mid-run (WebGPU device was lost), continued on cpu',
    });
    expect(b.description.products).toEqual({ js: 1 });
  });

  test('formatBackendDescription, by hand', () => {
    const d: BackendDescription = {
      name: 'cpu',
      kernel: 'blas',
      routes: [
        { kernel: 'blas', operands: 'same', minWork: 2e6 },
        { kernel: 'wasm-relaxed-simd', operands: 'float32', minWork: 2e5 },
        { kernel: 'js', operands: 'any', minWork: 0 },
      ],
      library: 'OpenBLAS 0.3.21 (libopenblas.so.0)',
      threads: 2,
      products: { blas: 3, js: 12, 'wasm-simd': 0 },
      requested: 'auto',
      reason: 'cpu was asked for',
    };
    expect(formatBackendDescription(d)).toBe(
      'cpu (2 threads): blas (OpenBLAS 0.3.21 (libopenblas.so.0)) from 2e+6 multiply–adds, else wasm-relaxed-simd for float32 from 2e+5 multiply–adds, else js; chosen: cpu was asked for; products: blas 3, js 12',
    );
    expect(
      formatBackendDescription(
        { name: 'webgpu', kernel: 'webgpu', adapter: 'llvmpipe', products: {} },
        { products: false },
      ),
    ).toBe('webgpu: webgpu (llvmpipe)');
  });
});
