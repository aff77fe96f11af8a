import { nodeGpu, selectNodeBackend } from '../../src/linalg/node.js';
import {
  isSoftwareAdapter,
  selectBackend,
  withFallback,
  WEBGPU_CROSSOVER_MULADDS,
} from '../../src/linalg/selectBackend.js';
import { createCpuBackend } from '../../src/linalg/cpu/backend.js';
import type { Backend } from '../../src/linalg/types.js';
import { ForgetscopeError } from '../../src/util/errors.js';

const required = process.env.FORGETSCOPE_REQUIRE_WEBGPU === '1';
const gpu = await nodeGpu();
const adapter = gpu ? await gpu.requestAdapter() : null;
if (!adapter && required) throw new Error('FORGETSCOPE_REQUIRE_WEBGPU=1 but no WebGPU adapter was found');

/** A GPU entry point with no adapter, as in a runtime without a usable driver. */
const noAdapterGpu = {
  requestAdapter: async () => null,
  getPreferredCanvasFormat: () => 'rgba8unorm',
  wgslLanguageFeatures: new Set(),
} as unknown as GPU;

describe('selectBackend', () => {
  test('cpu is cpu', async () => {
    const b = await selectBackend('cpu');
    expect(b.name).toBe('cpu');
  });

  test('webgpu without an adapter falls back to cpu with exactly one warning', async () => {
    const warnings: string[] = [];
    const b = await selectBackend('webgpu', { gpu: noAdapterGpu, warn: (m) => warnings.push(m) });
    expect(b.name).toBe('cpu');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/webgpu backend unavailable/);
    expect(Array.from(await b.gram({ rows: 1, cols: 2, data: new Float64Array([3, 4]) }))).toEqual([25]);
  });

  test('webgpu without an adapter is an error when WebGPU is required', async () => {
    await expect(selectBackend('webgpu', { gpu: noAdapterGpu, requireWebGpu: true })).rejects.toBeInstanceOf(
      ForgetscopeError,
    );
  });

  test('no GPU in the runtime: webgpu falls back, auto is silent', async () => {
    const warnings: string[] = [];
    expect((await selectBackend('webgpu', { gpu: null, warn: (m) => warnings.push(m) })).name).toBe('cpu');
    expect((await selectBackend('auto', { gpu: null, warn: (m) => warnings.push(m) })).name).toBe('cpu');
    expect(warnings).toHaveLength(1);
  });

  test('auto stays on cpu below the crossover and for software adapters', async () => {
    expect((await selectBackend('auto', { gpu: noAdapterGpu, problemSize: WEBGPU_CROSSOVER_MULADDS / 2 })).name).toBe(
      'cpu',
    );
    if (adapter) {
      const b = await selectNodeBackend('auto', { problemSize: 1e12 });
      expect(b.name).toBe(
        isSoftwareAdapter(
          `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.device} ${adapter.info.description}`,
        )
          ? 'cpu'
          : 'webgpu',
      );
      await b.dispose();
    }
  });

  test('unknown kind is a usage error', async () => {
    await expect(selectBackend('tpu' as 'cpu')).rejects.toMatchObject({ code: 'usage' });
  });

  test('a backend error mid-run (device loss) switches to cpu once, with one warning', async () => {
    let calls = 0;
    const failing: Backend = {
      ...createCpuBackend(),
      name: 'webgpu',
      async gram() {
        calls++;
        throw new ForgetscopeError('backend', 'WebGPU device was lost');
      },
    };
    const warnings: string[] = [];
    const b = withFallback(
      failing,
      () => createCpuBackend(),
      (m) => warnings.push(m),
      false,
    );
    const a = { rows: 2, cols: 2, data: new Float64Array([1, 0, 0, 2]) };
    expect(Array.from(await b.gram(a))).toEqual([1, 0, 0, 4]);
    expect(Array.from(await b.gram(a))).toEqual([1, 0, 0, 4]);
    expect(b.name).toBe('cpu');
    expect(calls).toBe(1);
    expect(warnings).toHaveLength(1);
    // shape errors are not swallowed
    await expect(b.gemm(a, { rows: 3, cols: 1, data: new Float64Array(3) })).rejects.toMatchObject({ code: 'shape' });
  });

  test('selectNodeBackend gives a working webgpu backend on this machine', async () => {
    if (!adapter) {
      console.warn('skipped: no WebGPU adapter');
      return;
    }
    const b = await selectNodeBackend('webgpu');
    expect(b.name).toBe('webgpu');
    const g = await b.gram({ rows: 2, cols: 3, data: new Float32Array([1, 2, 3, 4, 5, 6]) });
    expect(Array.from(g)).toEqual([14, 32, 32, 77]);
    await b.dispose();
  });
});
