// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import type { Dense } from '../../linalg/types.js';
import { ForgetscopeError } from '../../util/errors.js';
import { backendOf, type BackendOption } from '../shared/backend.js';

/** The singular-value spectrum of a weight matrix and its summaries. */
export interface Spectrum {
  /** Singular values, descending. */
  sigma: Float64Array;
  /** σᵢ² / Σσ². */
  energy: Float64Array;
  /** Running sum of `energy`. */
  cumEnergy: Float64Array;
  /** exp(H(p)) with p = σ/Σσ (entropy effective rank, as in the OSFT repository). */
  effRank: number;
  /** Σσ²/σ₁². */
  stableRank: number;
}

/** Spectrum summaries from singular values (any order; sorted descending here). */
export function spectrumFromSigma(sigmaIn: ArrayLike<number>): Spectrum {
  const sigma = Float64Array.from(sigmaIn).sort().reverse();
  const d = sigma.length;
  let s1 = 0;
  let s2 = 0;
  for (const s of sigma) {
    if (s < 0) throw new ForgetscopeError('input', 'spectrum: singular values must be non-negative');
    s1 += s;
    s2 += s * s;
  }
  const energy = new Float64Array(d);
  const cumEnergy = new Float64Array(d);
  let c = 0;
  let h = 0;
  for (let i = 0; i < d; i++) {
    energy[i] = s2 > 0 ? (sigma[i]! * sigma[i]!) / s2 : 0;
    c += energy[i]!;
    cumEnergy[i] = c;
    const p = s1 > 0 ? sigma[i]! / s1 : 0;
    if (p > 0) h -= p * Math.log(p);
  }
  if (d > 0 && s2 > 0) cumEnergy[d - 1] = 1;
  return {
    sigma,
    energy,
    cumEnergy,
    effRank: Math.exp(h),
    stableRank: d && sigma[0]! > 0 ? s2 / (sigma[0]! * sigma[0]!) : NaN,
  };
}

/**
 * The full spectrum of W (all min(rows, cols) singular values) through the backend's `topSVD`.
 * @example (await spectrum({ rows: 4, cols: 3, data })).stableRank
 */
export async function spectrum(w: Dense, options: BackendOption = {}): Promise<Spectrum> {
  const d = Math.min(w.rows, w.cols);
  const svd = await backendOf(options).topSVD(w, d);
  return spectrumFromSigma(svd.s);
}

/** Smallest k with cumEnergy[k−1] ≥ τ (a utility rule; the paper's rule is `retentionRanks`). */
export function rankByEnergy(s: Spectrum, tau: number): number {
  if (!(tau > 0 && tau <= 1)) throw new ForgetscopeError('usage', `energy threshold must be in (0, 1], got ${tau}`);
  for (let k = 0; k < s.cumEnergy.length; k++) if (s.cumEnergy[k]! >= tau - 1e-12) return k + 1;
  return s.cumEnergy.length;
}
