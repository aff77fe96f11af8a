// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import type { Dense } from '../../linalg/types.js';
import { ForgetscopeError } from '../../util/errors.js';
import { backendOf, type BackendOption } from '../shared/backend.js';

/**
 * Layer importance I = (1/N) Σᵢ cos(xᵢ[:d], (W xᵢ)[:d]) over captured layer inputs X (N × dI), with
 * d = min(dO, dI) as in the authors' code (a high cosine means the layer is *retained* more).
 * @example await layerImportance(W, X) // 0.907354 for seed-001's T4
 */
export async function layerImportance(w: Dense, x: Dense, options: BackendOption = {}): Promise<number> {
  if (x.cols !== w.cols)
    throw new ForgetscopeError('shape', `layerImportance: inputs have ${x.cols} features but W has ${w.cols} columns`);
  const d = Math.min(w.rows, w.cols);
  const y = await backendOf(options).gemm(x, w, { transB: true }); // N × dO
  let total = 0;
  let counted = 0;
  for (let i = 0; i < x.rows; i++) {
    let xy = 0;
    let xx = 0;
    let yy = 0;
    for (let c = 0; c < d; c++) {
      const a = x.data[i * x.cols + c]!;
      const b = y[i * w.rows + c]!;
      xy += a * b;
      xx += a * a;
      yy += b * b;
    }
    if (xx > 0 && yy > 0) {
      total += xy / Math.sqrt(xx * yy);
      counted++;
    }
  }
  return counted ? total / counted : NaN;
}

/**
 * The paper's adaptive retention rule: Ĩ = I / meanₗ I, r = mrr + Ĩ(trr − mrr), and the frozen rank
 * k = min(⌊clip(r, 0, 1)·d⌋, d − 1). `ratio` is r before the clip.
 * @example retentionRanks(Float64Array.of(0.2, 0.5, 0.8), Int32Array.of(10, 10, 10)).k // [3, 8, 9]
 */
export function retentionRanks(
  imp: Float64Array,
  dmin: Int32Array,
  options: { mrr?: number; trr?: number } = {},
): { ratio: Float64Array; k: Int32Array } {
  const mrr = options.mrr ?? 0.1;
  const trr = options.trr ?? 0.8;
  if (imp.length !== dmin.length)
    throw new ForgetscopeError('shape', `retentionRanks: ${imp.length} importances vs ${dmin.length} dimensions`);
  let mean = 0;
  for (const v of imp) mean += v;
  mean /= imp.length;
  if (!(Math.abs(mean) > 0))
    throw new ForgetscopeError('input', 'retentionRanks: the mean layer importance is zero or not finite');
  const ratio = new Float64Array(imp.length);
  const k = new Int32Array(imp.length);
  for (let l = 0; l < imp.length; l++) {
    ratio[l] = mrr + (imp[l]! / mean) * (trr - mrr);
    const r = Math.min(1, Math.max(0, ratio[l]!));
    // The epsilon keeps ⌊0.8·10⌋ = 8 when 0.8·10 evaluates to 7.999… in floating point.
    k[l] = Math.max(0, Math.min(Math.floor(r * dmin[l]! + 1e-9), dmin[l]! - 1));
  }
  return { ratio, k };
}
