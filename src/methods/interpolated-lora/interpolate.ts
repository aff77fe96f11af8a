// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import type { Dense } from '../../linalg/types.js';
import { ForgetscopeError } from '../../util/errors.js';
import { backendOf, type BackendOption } from '../shared/backend.js';

/** A LoRA adapter of one layer: ΔW = (alpha / r)·B·A with A r × dIn, B dOut × r. */
export interface LoraPair {
  A: Dense;
  B: Dense;
  alpha: number;
}

function checkPair(p: LoraPair, what: string): number {
  if (p.B.cols !== p.A.rows)
    throw new ForgetscopeError(
      'shape',
      `${what}: B is ${p.B.rows}×${p.B.cols} but A is ${p.A.rows}×${p.A.cols} (B's columns must equal A's rows, the rank r)`,
    );
  return p.A.rows;
}

/** ΔW = (alpha / r)·B·A (dOut × dIn). */
export async function loraDelta(p: LoraPair, options: BackendOption = {}): Promise<Dense> {
  const r = checkPair(p, 'loraDelta');
  const ba = await backendOf(options).gemm(p.B, p.A);
  const s = p.alpha / r;
  for (let i = 0; i < ba.length; i++) ba[i]! *= s;
  return { rows: p.B.rows, cols: p.A.cols, data: ba };
}

function lerp(a: Float32Array | Float64Array, b: Float32Array | Float64Array, t: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i]! + t * b[i]!;
  return out;
}

/** Interpolates two LoRA pairs' factors: A(t), B(t) (what an EMA of the factors produces). */
export function interpolateFactors(p0: LoraPair, p1: LoraPair, t: number): LoraPair {
  const r0 = checkPair(p0, 'interpolateLora');
  const r1 = checkPair(p1, 'interpolateLora');
  if (r0 !== r1 || p0.A.cols !== p1.A.cols || p0.B.rows !== p1.B.rows)
    throw new ForgetscopeError('shape', 'interpolateLora: the two adapters have different shapes');
  if (p0.alpha !== p1.alpha)
    throw new ForgetscopeError(
      'input',
      `interpolateLora: the adapters have different alpha (${p0.alpha} vs ${p1.alpha})`,
    );
  return {
    A: { rows: p0.A.rows, cols: p0.A.cols, data: lerp(p0.A.data, p1.A.data, t) },
    B: { rows: p0.B.rows, cols: p0.B.cols, data: lerp(p0.B.data, p1.B.data, t) },
    alpha: p0.alpha,
  };
}

/**
 * ΔW at t along the path between two adapters: 'factors' interpolates A and B and multiplies
 * (what EMA of the factors gives); 'delta' interpolates the products (1 − t)ΔW₀ + tΔW₁.
 */
export async function interpolateLora(
  p0: LoraPair,
  p1: LoraPair,
  t: number,
  mode: 'factors' | 'delta',
  options: BackendOption = {},
): Promise<Dense> {
  if (mode === 'factors') return loraDelta(interpolateFactors(p0, p1, t), options);
  if (mode !== 'delta')
    throw new ForgetscopeError('usage', `interpolation mode must be factors or delta, got ${String(mode)}`);
  interpolateFactors(p0, p1, t); // shape checks
  const d0 = await loraDelta(p0, options);
  const d1 = await loraDelta(p1, options);
  return { rows: d0.rows, cols: d0.cols, data: lerp(d0.data, d1.data, t) };
}

/** ‖ΔW_factors(t) − ΔW_delta(t)‖_F: how far interpolating A and B is from interpolating BA. */
export async function factorMergeError(
  p0: LoraPair,
  p1: LoraPair,
  t: number,
  options: BackendOption = {},
): Promise<number> {
  const f = await interpolateLora(p0, p1, t, 'factors', options);
  const d = await interpolateLora(p0, p1, t, 'delta', options);
  let s = 0;
  for (let i = 0; i < f.data.length; i++) s += (f.data[i]! - d.data[i]!) ** 2;
  return Math.sqrt(s);
}
