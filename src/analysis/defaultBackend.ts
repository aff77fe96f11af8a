import type { Backend } from '../linalg/types.js';
import { defaultBackend } from '../linalg/defaultBackend.js';

/**
 * The backend analysis functions use when the caller passes none: linalg's `defaultBackend()` (the
 * portable cpu backend); pass one from `resolveNodeBackend(…)` (`forgetscope/node`) for threads, BLAS or WebGPU.
 * @example
 * const backend = defaultAnalysisBackend();
 */
export function defaultAnalysisBackend(): Backend {
  return defaultBackend();
}
