import { columnForms, type ColumnForms, type ColumnFormsInput } from './cpu/columnForms.js';
import type { Backend } from './types.js';

/**
 * The per-column forms of `columnForms` on a backend's own CPU kernels (so `--backend` and a pinned
 * kernel apply, and the backend's description counts the pass), or on the portable kernel when the
 * backend has no `columnForms`. Results are equal to the bit either way (see `cpu/columnForms.ts`).
 * @example const { lin, quad, energy } = await columnFormsOn(backend, { z, rows: m, cols: n, g, h, t0 });
 */
export async function columnFormsOn(backend: Backend, input: ColumnFormsInput): Promise<ColumnForms> {
  return backend.columnForms ? backend.columnForms(input) : columnForms(input);
}
