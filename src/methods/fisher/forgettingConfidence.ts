// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import type { Dense } from '../../linalg/types.js';
import { ForgetscopeError } from '../../util/errors.js';

/**
 * Forgetting confidence of K candidate samples from their gradients C (K × P), under the learning
 * task's diagonal Fisher F (a Laplace/diagonal reconstruction of the LWF paper's FC — see seed-002):
 * - variant (a), `gL` omitted (default; the literal "Fisher-weighted intended update", needing no
 *   learning-task gradient): FC = ½η² Σⱼ Fⱼ g²ₓⱼ;
 * - variant (b), `gL` = the learning task's mean gradient: FC = ½η² Σⱼ Fⱼ (gₓⱼ − ḡ_Lⱼ)².
 * Higher FC = the sample conflicts more with the learning task (a stronger forgetting candidate).
 */
export function forgettingConfidence(
  c: Dense,
  f: Float64Array | Float32Array,
  options: { eta: number; gL?: Float64Array | Float32Array },
): Float64Array {
  const { rows: k, cols: p } = c;
  if (f.length !== p)
    throw new ForgetscopeError('shape', `forgettingConfidence: Fisher has ${f.length} entries, gradients ${p}`);
  if (options.gL && options.gL.length !== p)
    throw new ForgetscopeError('shape', `forgettingConfidence: gL has ${options.gL.length} entries, gradients ${p}`);
  const half = 0.5 * options.eta * options.eta;
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) {
      const d = c.data[i * p + j]! - (options.gL ? options.gL[j]! : 0);
      s += f[j]! * d * d;
    }
    out[i] = half * s;
  }
  return out;
}

/** The top ⌈ρK⌉ indices by FC (descending; ties → lower index). */
export function selectForgetSubset(fc: Float64Array, rho: number): Int32Array {
  if (!(rho >= 0 && rho <= 1)) throw new ForgetscopeError('usage', `forget fraction ρ must be in [0, 1], got ${rho}`);
  const n = Math.ceil(rho * fc.length - 1e-12);
  const order = Array.from({ length: fc.length }, (_, i) => i).sort((a, b) => fc[b]! - fc[a]! || a - b);
  return Int32Array.from(order.slice(0, n));
}

/** A ranking of samples by FC, descending (ties → lower index). */
export function rankByConfidence(fc: Float64Array): Int32Array {
  return selectForgetSubset(fc, 1);
}

/** The 1-based learning steps after which LWF takes an unlearning step: s with s % Nu == 0. */
export function unlearnSchedule(totalSteps: number, nu: number): Int32Array {
  if (!(Number.isInteger(nu) && nu >= 1))
    throw new ForgetscopeError('usage', `unlearning interval must be a positive integer, got ${nu}`);
  const out: number[] = [];
  for (let s = nu; s <= totalSteps; s += nu) out.push(s);
  return Int32Array.from(out);
}
