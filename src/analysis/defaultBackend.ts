import type { Backend } from '../linalg/types.js';
import { createCpuBackend } from '../linalg/cpu/backend.js';

/**
 * The backend analysis functions use when the caller passes none: the portable cpu backend on the
 * calling thread (pass `selectNodeBackend(…)` from `forgetscope/node` for threads or WebGPU).
 * @example
 * const backend = defaultAnalysisBackend();
 */
export function defaultAnalysisBackend(): Backend {
  return createCpuBackend();
}
