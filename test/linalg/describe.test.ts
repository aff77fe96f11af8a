import { createCpuBackend } from '../../src/linalg/cpu/backend.js';
import { createInlineRunner, type CpuKernelRunner } from '../../src/linalg/cpu/runner.js';
import { relaxedSimdAvailable } from '../../src/linalg/cpu/relaxedDot.js';
import { wasmDotAvailable } from '../../src/linalg/cpu/wasmDot.js';
import { columnFormsOn } from '../../src/linalg/columnFormsOn.js';
import { formatBackendDescription } from '../../src/linalg/describe.js';
import { createNodeCpuBackend, nodeGpu, resolveNodeBackend } from '../../src/linalg/node.js';
import { withFallback } from '../../src/linalg/selectBackend.js';
import type { Backend, BackendDescription } from '../../src/linalg/types.js';
import { ForgetscopeError } from '../../src/util/errors.js';
import { ONE_ROW_FORMS, expectOneRowForms, randomDense } from './helpers.js';

// What `Backend.description` says, checked against what really runs: the kernels are counted where
// the runners route each product, so a product's count moving is the observation that it ran there.
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
