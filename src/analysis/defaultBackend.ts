import type { Backend } from '../linalg/types.js';
import { createReferenceBackend } from '../linalg/reference.js';

/**
 * The backend analysis functions use when the caller passes none.
 * @example
 * const backend = defaultAnalysisBackend();
 */
export function defaultAnalysisBackend(): Backend {
  return createReferenceBackend();
}
