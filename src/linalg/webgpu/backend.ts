/// <reference types="@webgpu/types" preserve="true" />
import { ForgetscopeError } from '../../util/errors.js';
import type { WarningSink } from '../../util/progress.js';
import { checkDense, createCpuBackend } from '../cpu/backend.js';
import { columnFormsOn } from '../columnFormsOn.js';
import { topSVDWith } from '../svd.js';
import type { Backend, BackendDescription, Dense, MaskedGram } from '../types.js';
import { NtProductRunner } from './ntProduct.js';
import { denseOperand } from './pack.js';

/** Options of `createWebGpuBackend`. */
export interface WebGpuBackendOptions {
  /** The WebGPU entry point: `navigator.gpu` in browsers/Deno, Dawn's `create([])` in Node. */
  gpu: GPU;
  /** Lower the per-binding byte limit (tests use it to exercise chunking); default: the device's. */
  maxBindingBytes?: number;
  /** Columns per float32 partial sum (multiple of 16, default 1024). */
  slab?: number;
  /** Kernel variant; default: `direct` on CPU-emulated adapters (lavapipe), `tiled` otherwise. */
  variant?: 'tiled' | 'direct';
  /** Where a device-loss message goes. */
  warn?: WarningSink;
  /** Backend used for the memory-bound `gemv` (default: a portable cpu backend). */
  cpu?: Backend;
}

/** The WebGPU backend plus what it runs on. */
export interface WebGpuBackend extends Backend {
  readonly name: 'webgpu';
  /** Adapter description (vendor/architecture/device as reported), for logs and benches. */
  readonly adapterDescription: string;
  /** True once the device was lost; every call then throws a `backend` error. */
  readonly lost: boolean;
}

/**
 * A backend whose products run as WGSL compute kernels (the same code in Node via Dawn, in Deno and
 * in browsers). Throws a `backend` ForgetscopeError when no adapter or device is available.
 * `gemv` and `columnForms` (memory-bound, no gain on a GPU) and the small eigenproblems run on the CPU.
 *
 * @example
 * const gpu = await createWebGpuBackend({ gpu: navigator.gpu });
 * const g = await gpu.gram({ rows: 85, cols: 141871, data });
 */
export async function createWebGpuBackend(options: WebGpuBackendOptions): Promise<WebGpuBackend> {
  const adapter = await options.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new ForgetscopeError('backend', 'no WebGPU adapter available');
  const want = {
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
    maxComputeWorkgroupStorageSize: Math.min(adapter.limits.maxComputeWorkgroupStorageSize, 16384),
  };
  const device = await adapter.requestDevice({ requiredLimits: want });
  if (!device) throw new ForgetscopeError('backend', 'WebGPU adapter gave no device');
  const info = adapter.info;
  const adapterDescription = info
    ? [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' ')
    : 'unknown adapter';
  let lost = false;
  let disposed = false;
  void device.lost.then((reason) => {
    if (disposed) return;
    lost = true;
    options.warn?.(`WebGPU device lost (${reason.reason}): ${reason.message}`);
  });
  const deviceLimit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const slab = options.slab ?? 1024;
  if (slab % 16 !== 0 || slab <= 0)
    throw new ForgetscopeError('usage', `webgpu slab must be a positive multiple of 16, got ${slab}`);
  const runner = new NtProductRunner(device, {
    maxBindingBytes: Math.min(deviceLimit, options.maxBindingBytes ?? deviceLimit),
    slab,
    variant:
      options.variant ?? (/llvmpipe|lavapipe|swiftshader|software/i.test(adapterDescription) ? 'direct' : 'tiled'),
  });
  const cpu = options.cpu ?? createCpuBackend();
  const alive = () => {
    if (lost) throw new ForgetscopeError('backend', 'WebGPU device was lost');
    if (disposed) throw new ForgetscopeError('backend', 'webgpu backend used after dispose');
  };
  // Errors inside a call (out of memory, validation) surface as backend errors, so callers fall back.
  const guarded = async <T>(what: string, body: () => Promise<T>): Promise<T> => {
    alive();
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let result: T;
    try {
      result = await body();
    } finally {
      const validation = await device.popErrorScope();
      const oom = await device.popErrorScope();
      const err = validation ?? oom;
      // biome-ignore lint/correctness/noUnsafeFinally: a GPU error scope's error explains a failed body better than the body's own error
      if (err) throw new ForgetscopeError('backend', `webgpu ${what}: ${err.message}`);
    }
    alive();
    return result;
  };

  let products = 0;
  // products that completed on the GPU (what `description.products.webgpu` reports)
  const counted = async <T>(what: string, body: () => Promise<T>): Promise<T> => {
    const result = await guarded(what, body);
    products++;
    return result;
  };
  const backend: WebGpuBackend = {
    name: 'webgpu',
    adapterDescription,
    get description(): BackendDescription {
      const onCpu = cpu.description.products;
      return {
        name: 'webgpu',
        kernel: 'webgpu',
        adapter: adapterDescription,
        products: { ...onCpu, webgpu: (onCpu.webgpu ?? 0) + products },
      };
    },
    get lost() {
      return lost;
    },
    async gram(a) {
      checkDense(a, 'gram');
      const op = denseOperand(a, false);
      return counted('gram', () => runner.run(op, op, true));
    },
    async gemm(a, b, opts = {}) {
      checkDense(a, 'gemm');
      checkDense(b, 'gemm');
      const x = denseOperand(a, !!opts.transA);
      const y = denseOperand(b, !opts.transB);
      if (x.depth !== y.depth)
        throw new ForgetscopeError('shape', `gemm: inner dimensions differ (${x.depth} vs ${y.depth})`);
      return counted('gemm', () => runner.run(x, y, false));
    },
    async gemv(a, x, trans) {
      alive();
      return cpu.gemv(a, x, trans);
    },
    async maskedGram(a, mask) {
      checkDense(a, 'maskedGram');
      const m = a.rows;
      if (mask && mask.length < m * a.cols)
        throw new ForgetscopeError('shape', `maskedGram: mask has ${mask.length} entries, need ${m}×${a.cols}`);
      const seen = mask ? (i: number) => mask[i] !== 0 : () => true;
      const observed = denseOperand(a, false, (_v, i) => (seen(i) ? 1 : 0));
      const masked = denseOperand(a, false, (v, i) => (seen(i) ? v : 0));
      const squared = denseOperand(a, false, (v, i) => (seen(i) ? v * v : 0));
      return counted('maskedGram', async (): Promise<MaskedGram> => {
        const count = await runner.run(observed, observed, true);
        const cross = await runner.run(masked, masked, true);
        const sq = await runner.run(squared, observed, false);
        return { size: m, count, cross, sq };
      });
    },
    async topSVD(a: Dense, k, opts) {
      return topSVDWith(backend, a, k, opts);
    },
    async columnForms(input) {
      // a streaming per-column pass: memory-bound like gemv, so it runs on the CPU kernels too
      alive();
      return columnFormsOn(cpu, input);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      runner.dispose();
      device.destroy();
    },
  };
  return backend;
}
