import { createCpuBackend } from './cpu/backend.js';
import type { Backend } from './types.js';

/**
 * The backend every library function uses when its caller passes none: the portable cpu backend on
 * the calling thread (the same numbers in Node, Deno and browsers). Commands pass the one from
 * `resolveBackend` (`resolveNodeBackend` in Node: threads, the system BLAS, WebGPU) instead.
 * @example const backend = options.backend ?? defaultBackend();
 */
export function defaultBackend(): Backend {
  return createCpuBackend();
}
