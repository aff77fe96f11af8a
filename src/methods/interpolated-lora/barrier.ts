// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { ForgetscopeError } from '../../util/errors.js';

/** n equally spaced points in [0, 1] (the α-grid the harness evaluates). */
export function alphaGrid(n: number): Float64Array {
  if (!(Number.isInteger(n) && n >= 2))
    throw new ForgetscopeError('usage', `alpha grid needs at least 2 points, got ${n}`);
  return Float64Array.from({ length: n }, (_, i) => i / (n - 1));
}

function checkPath(alpha: ArrayLike<number>, losses: ArrayLike<number>[], what: string): void {
  if (alpha.length < 2) throw new ForgetscopeError('input', `${what}: needs at least 2 points on the path`);
  for (const l of losses)
    if (l.length !== alpha.length)
      throw new ForgetscopeError('shape', `${what}: ${alpha.length} alphas but ${l.length} losses`);
  for (let i = 1; i < alpha.length; i++) {
    if (!(alpha[i]! > alpha[i - 1]!))
      throw new ForgetscopeError(
        'input',
        `${what}: alphas must increase strictly (row ${i + 1}: ${alpha[i]} after ${alpha[i - 1]})`,
      );
  }
}

/**
 * The loss barrier along an interpolation path: excess(α) = L(α) − the straight line between the
 * endpoints; barrier = max excess (≥ 0, as the endpoints contribute 0) at argAlpha; meanExcess is the
 * trapezoid average of the excess over [α₀, α_last].
 * @example lossBarrier([0, .25, .5, .75, 1], [1, 1.3, 1.6, 1.2, .8]) // barrier 0.7 at 0.5
 */
export function lossBarrier(
  alpha: ArrayLike<number>,
  loss: ArrayLike<number>,
): { barrier: number; argAlpha: number; excess: Float64Array; meanExcess: number } {
  checkPath(alpha, [loss], 'lossBarrier');
  const n = alpha.length;
  const a0 = alpha[0]!;
  const a1 = alpha[n - 1]!;
  const l0 = loss[0]!;
  const l1 = loss[n - 1]!;
  const excess = new Float64Array(n);
  let barrier = 0;
  let argAlpha = a0;
  for (let i = 0; i < n; i++) {
    const s = (alpha[i]! - a0) / (a1 - a0);
    excess[i] = loss[i]! - ((1 - s) * l0 + s * l1);
    if (excess[i]! > barrier + 1e-15) {
      barrier = excess[i]!;
      argAlpha = alpha[i]!;
    }
  }
  let area = 0;
  for (let i = 1; i < n; i++) area += ((excess[i]! + excess[i - 1]!) / 2) * (alpha[i]! - alpha[i - 1]!);
  return { barrier, argAlpha, excess, meanExcess: area / (a1 - a0) };
}

/** The α minimising w·L_old(α) + (1 − w)·L_new(α) (first such α on ties). */
export function bestTradeoff(
  alpha: ArrayLike<number>,
  lossOld: ArrayLike<number>,
  lossNew: ArrayLike<number>,
  w = 0.5,
): { alpha: number; score: number; scores: Float64Array } {
  checkPath(alpha, [lossOld, lossNew], 'bestTradeoff');
  const scores = Float64Array.from({ length: alpha.length }, (_, i) => w * lossOld[i]! + (1 - w) * lossNew[i]!);
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! < scores[best]!) best = i;
  return { alpha: alpha[best]!, score: scores[best]!, scores };
}

/**
 * The fast/slow consistency loss on hidden states: 'mse' = mean((h_f − h_s)²) (the paper's text);
 * 'oneSided' = mean(min(0, h_f − h_s)²), the released code's target max(h_f, h_s).
 */
export function consistencyLoss(
  hFast: ArrayLike<number>,
  hSlow: ArrayLike<number>,
  mode: 'mse' | 'oneSided' = 'oneSided',
): number {
  if (hFast.length !== hSlow.length)
    throw new ForgetscopeError('shape', `consistencyLoss: ${hFast.length} vs ${hSlow.length} values`);
  let s = 0;
  for (let i = 0; i < hFast.length; i++) {
    const d = hFast[i]! - hSlow[i]!;
    if (mode === 'mse' || d < 0) s += d * d;
  }
  return hFast.length ? s / hFast.length : NaN;
}
