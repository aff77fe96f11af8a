/// <reference types="@webgpu/types" preserve="true" />
import { ForgetscopeError } from '../util/errors.js';
import type { WarningSink } from '../util/progress.js';
import { createCpuBackend } from './cpu/backend.js';
import type { Backend, BackendName } from './types.js';
import { createWebGpuBackend, type WebGpuBackendOptions } from './webgpu/backend.js';

/** What a caller asks for: a named backend, or `auto`. */
export type BackendKind = 'auto' | 'cpu' | 'webgpu';

/**
 * Problem size (multiply–adds, e.g. M·M·N for a Gram matrix) from which `auto` prefers WebGPU when an
 * adapter exists. Measured on the development machine (see docs/linalg.md): Mesa lavapipe on 2 CPU
 * cores never beats the threaded cpu backend, so a software adapter is never picked by `auto`; on a
 * hardware adapter this threshold applies.
 */
export const WEBGPU_CROSSOVER_MULADDS = 2e9;

/** Options of `selectBackend`. */
export interface SelectBackendOptions {
  /** Receives the one warning of a fallback to cpu. */
  warn?: WarningSink;
  /** Multiply–adds of the work ahead (for `auto`); unknown means "large". */
  problemSize?: number;
  /** The WebGPU entry point; default `globalThis.navigator.gpu` when present. */
  gpu?: GPU | null;
  /** Turn a missing adapter into an error instead of a fallback (tests with a required GPU). */
  requireWebGpu?: boolean;
  /** Makes the cpu backend (Node passes its threaded one). */
  createCpu?: () => Backend;
  /** Extra WebGPU options (binding limit, slab). */
  webgpu?: Partial<Omit<WebGpuBackendOptions, 'gpu'>>;
}

/**
 * Picks a backend. `cpu` always works. `webgpu` uses the given GPU (or `navigator.gpu`) and falls
 * back to cpu with one warning when there is no adapter (unless `requireWebGpu`), and again — once —
 * if the device is lost mid-run. `auto` chooses WebGPU only for a hardware adapter and a problem of
 * at least `WEBGPU_CROSSOVER_MULADDS`.
 *
 * @example
 * const backend = await selectBackend('auto', { problemSize: 85 * 85 * 141871, warn: console.warn });
 */
export async function selectBackend(kind: BackendKind, options: SelectBackendOptions = {}): Promise<Backend> {
  const makeCpu = options.createCpu ?? (() => createCpuBackend());
  if (kind === 'cpu') return makeCpu();
  if (kind !== 'webgpu' && kind !== 'auto') {
    throw new ForgetscopeError('usage', `unknown backend "${String(kind)}" (expected auto, cpu or webgpu)`);
  }
  if (kind === 'auto' && options.problemSize !== undefined && options.problemSize < WEBGPU_CROSSOVER_MULADDS) return makeCpu();
  const gpu = options.gpu !== undefined ? options.gpu : defaultGpu();
  let gpuBackend: Backend;
  try {
    if (!gpu) throw new ForgetscopeError('backend', 'WebGPU is not available in this runtime');
    gpuBackend = await createWebGpuBackend({ gpu, ...options.webgpu, ...(options.warn ? { warn: options.warn } : {}) });
  } catch (err) {
    if (options.requireWebGpu && kind === 'webgpu') throw err;
    if (kind === 'webgpu') options.warn?.(`webgpu backend unavailable (${(err as Error).message}); using cpu`);
    return makeCpu();
  }
  if (kind === 'auto' && isSoftwareAdapter((gpuBackend as { adapterDescription?: string }).adapterDescription ?? '')) {
    await gpuBackend.dispose();
    return makeCpu();
  }
  return withFallback(gpuBackend, makeCpu, options.warn, options.requireWebGpu ?? false);
}

/** True for CPU-emulated adapters (Mesa lavapipe/llvmpipe, SwiftShader). */
export function isSoftwareAdapter(description: string): boolean {
  return /llvmpipe|lavapipe|swiftshader|software|cpu/i.test(description);
}

/**
 * Wraps a GPU backend so a `backend` error (device lost, out of memory) retries that call and runs every
 * later call on a cpu backend, with one warning. Shape and usage errors pass through, and with `strict`
 * (FORGETSCOPE_REQUIRE_WEBGPU=1) every error does.
 */
export function withFallback(primary: Backend, makeCpu: () => Backend, warn: WarningSink | undefined, strict: boolean): Backend {
  let active: Backend = primary;
  let fallen = false;
  const call = async <T>(f: (b: Backend) => Promise<T>): Promise<T> => {
    if (fallen) return f(active);
    try {
      return await f(active);
    } catch (err) {
      if (strict || !(err instanceof ForgetscopeError) || err.code !== 'backend') throw err;
      fallen = true;
      warn?.(`webgpu backend failed (${err.detail}); continuing on cpu`);
      const old = active;
      active = makeCpu();
      await old.dispose().catch(() => {});
      return f(active);
    }
  };
  const wrapped: Backend = {
    get name(): BackendName {
      return active.name;
    },
    gram: (a) => call((b) => b.gram(a)),
    gemm: (a, b2, o) => call((b) => b.gemm(a, b2, o)),
    gemv: (a, x, t) => call((b) => b.gemv(a, x, t)),
    maskedGram: (a, m) => call((b) => b.maskedGram(a, m)),
    // topSVD runs whole on the active backend; a failure mid-way reruns the whole call on cpu.
    topSVD: (a, k, o) => call((b) => b.topSVD(a, k, o)),
    dispose: () => active.dispose(),
  };
  return wrapped;
}

function defaultGpu(): GPU | null {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu ?? null;
}
