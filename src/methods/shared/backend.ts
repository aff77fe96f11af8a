// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { defaultBackend } from '../../linalg/defaultBackend.js';
import type { Backend, Dense } from '../../linalg/types.js';

/** Options every method that multiplies or factorises matrices accepts. */
export interface BackendOption {
  /** The linalg backend for products and SVDs (default: linalg's `defaultBackend()`). */
  backend?: Backend;
}

let fallback: Backend | null = null;

/** The given backend, or one shared `defaultBackend()` (the portable cpu backend). */
export function backendOf(options: BackendOption | undefined): Backend {
  if (options?.backend) return options.backend;
  fallback ??= defaultBackend();
  return fallback;
}

/** Σ x² of a typed array (float64 accumulation). */
export function sumSquares(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

/** A dense matrix from rows/cols/data. */
export function dense(rows: number, cols: number, data: Float64Array | Float32Array): Dense {
  return { rows, cols, data };
}
