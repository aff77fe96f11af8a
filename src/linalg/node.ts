/// <reference types="@webgpu/types" preserve="true" />
// Node-only edge of the linear-algebra layer (exported through `forgetscope/node`): Dawn's WebGPU,
// the threaded cpu backend with the system BLAS, and `resolveNodeBackend`, the CLI's one resolution.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCpuBackend } from './cpu/backend.js';
import { withBlas } from './cpu/blas.js';
import { loadNodeBlas } from './cpu/nodeBlas.js';
import { createWorkerRunner, type WorkerRunnerOptions } from './cpu/nodeWorkers.js';
import {
  resolveBackend,
  type BackendKind,
  type ResolveBackendOptions,
  type SelectBackendOptions,
} from './selectBackend.js';
import type { Backend } from './types.js';

export { createWorkerRunner, type WorkerRunnerOptions } from './cpu/nodeWorkers.js';
export { loadNodeBlas, NODE_BLAS_CANDIDATES, type LoadNodeBlasOptions } from './cpu/nodeBlas.js';
export { withBlas, type BlasLibrary, type WithBlasOptions } from './cpu/blas.js';

let dawn: GPU | null | undefined;

/**
 * Dawn's WebGPU entry point (the `webgpu` npm package), created once per process, or null when the
 * package or its native module cannot load. When VK_ICD_FILENAMES is unset and the Vulkan loader's
 * standard ICD folder holds Mesa's lavapipe manifest, nothing is changed: Dawn finds it itself; the
 * variable is only set (to the lavapipe manifest) when `preferSoftware` is asked for.
 */
export async function nodeGpu(options: { preferSoftware?: boolean } = {}): Promise<GPU | null> {
  if (dawn !== undefined) return dawn;
  if (options.preferSoftware && !process.env.VK_ICD_FILENAMES) {
    const lvp = findLavapipeIcd();
    if (lvp) process.env.VK_ICD_FILENAMES = lvp;
  }
  try {
    const mod = (await import('webgpu')) as { create: (flags: string[]) => GPU; globals: object };
    // Dawn's objects check `instanceof` against these constructors (GPUBufferUsage etc.).
    for (const [key, value] of Object.entries(mod.globals)) {
      if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
    }
    dawn = mod.create([]);
  } catch {
    dawn = null;
  }
  return dawn;
}

/** The lavapipe ICD manifest under the standard Vulkan ICD folders, if installed. */
export function findLavapipeIcd(): string | null {
  for (const dir of ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d']) {
    if (!existsSync(dir)) continue;
    const hit = readdirSync(dir).find((f) => /^lvp_icd.*\.json$/.test(f));
    if (hit) return join(dir, hit);
  }
  return null;
}

/** Options of `createNodeCpuBackend`: the worker pool's, and the BLAS library. */
export interface NodeCpuBackendOptions extends WorkerRunnerOptions {
  /**
   * Large float32 and float64 products on the system's CBLAS library (`loadNodeBlas`): the default
   * (undefined) follows `FORGETSCOPE_BLAS` and otherwise searches for OpenBLAS; a string names the
   * library; `false` keeps every product on the WebAssembly kernels. Also off when `simd` or
   * `relaxed` is `'never'`, which ask for a particular kernel.
   */
  blas?: string | false;
}

/**
 * The cpu backend for Node: worker threads (both cores here) for large inputs, and large products on
 * the system's BLAS (OpenBLAS) where one is installed, float32 blocks summed in float64.
 * @example const cpu = createNodeCpuBackend(); await cpu.gram(a); await cpu.dispose();
 */
export function createNodeCpuBackend(options: NodeCpuBackendOptions = {}): Backend {
  const { blas: library, ...runnerOptions } = options;
  const runner = createWorkerRunner(runnerOptions);
  const kernelPinned = options.simd === 'never' || options.relaxed === 'never';
  const blas = kernelPinned ? null : loadNodeBlas(library !== undefined ? { library } : {});
  return createCpuBackend({ runner: blas ? withBlas(runner, blas) : runner });
}

/**
 * `resolveBackend` for Node (what every CLI command's `--backend` goes through): the threaded cpu
 * backend with the system BLAS, Dawn as the GPU — started only when the choice may be WebGPU, so
 * `auto` on a small problem never loads Dawn nor prints its adapter messages — and
 * `FORGETSCOPE_REQUIRE_WEBGPU=1` turning a missing adapter into an error.
 *
 * @example
 * const backend = await resolveNodeBackend({ requested: 'auto', problem: { rows: m, cols: n }, warn: (w) => ctx.warn(w) });
 */
export async function resolveNodeBackend(options: ResolveBackendOptions = {}): Promise<Backend> {
  return resolveBackend({
    createCpu: () => createNodeCpuBackend(),
    requireWebGpu: process.env.FORGETSCOPE_REQUIRE_WEBGPU === '1',
    ...options,
    gpu: options.gpu !== undefined ? options.gpu : () => nodeGpu(),
  });
}

/**
 * `resolveNodeBackend({ requested: kind, ...options })`.
 *
 * @example
 * const backend = await selectNodeBackend('auto', { warn: (m) => ctx.warn(m), problemSize });
 */
export async function selectNodeBackend(kind: BackendKind, options: SelectBackendOptions = {}): Promise<Backend> {
  return resolveNodeBackend({ ...options, requested: kind });
}
