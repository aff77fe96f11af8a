import type { BackendDescription, BackendRoute } from './types.js';

/** Options of `formatBackendDescription`. */
export interface FormatBackendOptions {
  /** Append the products run so far per kernel (default true). */
  products?: boolean;
}

/**
 * A backend description as one line of text, for reports and terminal output, e.g.
 * `cpu (2 threads): blas (OpenBLAS 0.3.21 …) from 2e+6 multiply–adds, else wasm-relaxed-simd for float32
 * from 2e+5, else wasm-simd from 2e+5, else js; products: blas 3, js 12`.
 * @example formatBackendDescription(backend.description, { products: false })
 */
export function formatBackendDescription(d: BackendDescription, options: FormatBackendOptions = {}): string {
  const head = `${d.name}${d.threads !== undefined ? ` (${d.threads} thread${d.threads === 1 ? '' : 's'})` : ''}`;
  const routes =
    d.routes && d.routes.length > 0 ? d.routes.map((r) => route(r, d)).join(', else ') : kernelText(d.kernel, d);
  const parts = [`${head}: ${routes}`];
  if (d.reason) parts.push(`chosen: ${d.reason}`);
  if (options.products ?? true) {
    const counts = Object.entries(d.products).filter(([, n]) => (n ?? 0) > 0);
    parts.push(`products: ${counts.length > 0 ? counts.map(([k, n]) => `${k} ${n}`).join(', ') : 'none yet'}`);
  }
  return parts.join('; ');
}

function route(r: BackendRoute, d: BackendDescription): string {
  const operands = r.operands === 'float32' ? ' for float32' : '';
  const from = r.minWork > 0 ? ` from ${r.minWork.toExponential(0)} multiply–adds` : '';
  return `${kernelText(r.kernel, d)}${operands}${from}`;
}

function kernelText(kernel: string, d: BackendDescription): string {
  if (kernel === 'blas' && d.library) return `blas (${d.library})`;
  if (kernel === 'webgpu' && d.adapter) return `webgpu (${d.adapter})`;
  return kernel;
}
