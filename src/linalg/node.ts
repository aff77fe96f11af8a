/// <reference types="@webgpu/types" preserve="true" />
// Node-only edge of the linear-algebra layer (exported through `forgetscope/node`): Dawn's WebGPU,
// the threaded cpu backend, and `selectNodeBackend` for the CLI.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCpuBackend } from './cpu/backend.js';
import { createWorkerRunner, type WorkerRunnerOptions } from './cpu/nodeWorkers.js';
import { selectBackend, type BackendKind, type SelectBackendOptions } from './selectBackend.js';
import type { Backend } from './types.js';

export { createWorkerRunner, type WorkerRunnerOptions } from './cpu/nodeWorkers.js';

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

/**
 * The cpu backend with worker threads (both cores here) for large inputs.
 * @example const cpu = createNodeCpuBackend(); await cpu.gram(a); await cpu.dispose();
 */
export function createNodeCpuBackend(options: WorkerRunnerOptions = {}): Backend {
  return createCpuBackend({ runner: createWorkerRunner(options) });
}

/**
 * `selectBackend` for Node (what the CLI's `--backend` calls): Dawn as the GPU, the threaded cpu
 * backend, and `FORGETSCOPE_REQUIRE_WEBGPU=1` turning a missing adapter into an error.
 *
 * @example
 * const backend = await selectNodeBackend(flags.backend ?? 'auto', { warn: (m) => ctx.warn(m), problemSize });
 */
export async function selectNodeBackend(kind: BackendKind, options: SelectBackendOptions = {}): Promise<Backend> {
  const gpu = kind === 'cpu' ? null : options.gpu !== undefined ? options.gpu : await nodeGpu();
  return selectBackend(kind, {
    createCpu: () => createNodeCpuBackend(),
    requireWebGpu: process.env.FORGETSCOPE_REQUIRE_WEBGPU === '1',
    ...options,
    gpu,
  });
}
