import { choleskyBackSolve, choleskyInPlace } from '../../linalg/smallDense.js';
import type { ExampleFeatures } from './exampleFeatures.js';

/**
 * Example effects: a completed row r̂ is corrected by X·β, where X holds per-example covariates
 * (`exampleFeatures`) and β is the new task's own effect along each of them, estimated from the
 * residuals at its measured columns under a Gaussian prior β_f ~ N(0, τ_f²) — a random-effects
 * (empirical Bayes) model. The prior is learned from how the held-out train rows' residuals of the
 * same completion load on X (leave-one-task-out), so a covariate along which no train task deviated
 * gets τ² ≈ 0 and moves nothing.
 */

/** The learned prior: per-covariate effect variance τ² and the residual variance σ² around X·β. */
export interface EffectsPrior {
  tau2: Float64Array;
  sigma2: number;
}

/**
 * The prior from held-out residual rows: for each row r (its residuals at `columns`), the least-squares
 * effect b = (XᵀX)⁻¹Xᵀr and its noise variance v·[(XᵀX)⁻¹]_ff (v the row's residual variance around
 * X·b); τ_f² = mean b_f² − mean noise_f (method of moments), floored at 1e-6·σ², and σ² = mean v.
 * A covariate that is zero at every one of `columns` (a group none of them belongs to) cannot be
 * learned there: it keeps the floor. Null when there are no rows, no more columns than covariates + 1,
 * or XᵀX of the others is singular.
 * @example
 * // one covariate, two held-out rows whose residuals are ±0.3·x plus a part orthogonal to x
 * effectsPrior(features, columns, [r1, r2]); // τ² = 0.09 − v/4, σ² = v
 */
export function effectsPrior(
  features: ExampleFeatures,
  columns: Int32Array,
  residuals: readonly Float64Array[],
): EffectsPrior | null {
  const all = gather(features, columns);
  const c = columns.length;
  const full = crossProduct(all, c, features.p);
  const maxDiag = Math.max(0, ...Array.from({ length: features.p }, (_, f) => full[f * features.p + f] ?? 0));
  const active = Array.from({ length: features.p }, (_, f) => f).filter(
    (f) => (full[f * features.p + f] ?? 0) > 1e-12 * maxDiag,
  );
  const p = active.length;
  if (residuals.length === 0 || p === 0 || c <= p + 1) return null;
  const x = new Float64Array(c * p);
  for (let t = 0; t < c; t++)
    active.forEach((f, a) => {
      x[t * p + a] = all[t * features.p + f] ?? 0;
    });
  const gram = crossProduct(x, c, p);
  if (!choleskyInPlace(gram, p)) return null;
  const inverseDiag = new Float64Array(p);
  for (let f = 0; f < p; f++) {
    const e = new Float64Array(p);
    e[f] = 1;
    choleskyBackSolve(gram, e, p);
    inverseDiag[f] = e[f] ?? 0;
  }
  const second = new Float64Array(p);
  const noise = new Float64Array(p);
  let sigma2 = 0;
  for (const r of residuals) {
    const b = project(x, c, p, r);
    choleskyBackSolve(gram, b, p);
    let sse = 0;
    for (let t = 0; t < c; t++) {
      let fit = 0;
      for (let f = 0; f < p; f++) fit += (x[t * p + f] ?? 0) * (b[f] ?? 0);
      sse += ((r[t] ?? 0) - fit) ** 2;
    }
    const v = sse / (c - p);
    sigma2 += v;
    for (let f = 0; f < p; f++) {
      second[f] = (second[f] ?? 0) + (b[f] ?? 0) ** 2;
      noise[f] = (noise[f] ?? 0) + v * (inverseDiag[f] ?? 0);
    }
  }
  const rows = residuals.length;
  sigma2 /= rows;
  if (!(sigma2 > 0)) return null;
  const tau2 = new Float64Array(features.p).fill(1e-6 * sigma2);
  active.forEach((f, a) => {
    tau2[f] = Math.max(((second[a] ?? 0) - (noise[a] ?? 0)) / rows, 1e-6 * sigma2);
  });
  return { tau2, sigma2 };
}

/**
 * The correction X·β for every column: β = (X_Kᵀ X_K/σ² + diag(1/τ²))⁻¹ X_Kᵀ r_K/σ², the posterior
 * mean of the task's effects given its residuals r_K at the measured columns K (`effectsOf`).
 * @example
 * const correction = effectsCorrection(features, prior, known.columns, residualAtKnown);
 */
export function effectsCorrection(
  features: ExampleFeatures,
  prior: EffectsPrior,
  columns: Int32Array,
  residual: Float64Array,
): Float64Array {
  const { n, p, data } = features;
  const beta = effectsOf(features, prior, columns, residual);
  const out = new Float64Array(n);
  for (let f = 0; f < p; f++) {
    const b = beta[f] ?? 0;
    const col = data.subarray(f * n, (f + 1) * n);
    for (let j = 0; j < n; j++) out[j] = (out[j] ?? 0) + b * (col[j] ?? 0);
  }
  return out;
}

/**
 * The task's effects β (length p), the posterior mean given its residuals at the measured columns;
 * all zero when the posterior system does not factor.
 */
export function effectsOf(
  features: ExampleFeatures,
  prior: EffectsPrior,
  columns: Int32Array,
  residual: Float64Array,
): Float64Array {
  const { p } = features;
  const k = columns.length;
  const x = gather(features, columns);
  const a = crossProduct(x, k, p);
  for (let i = 0; i < a.length; i++) a[i] = (a[i] ?? 0) / prior.sigma2;
  for (let f = 0; f < p; f++) a[f * p + f] = (a[f * p + f] ?? 0) + 1 / (prior.tau2[f] ?? 1);
  const beta = project(x, k, p, residual);
  for (let f = 0; f < p; f++) beta[f] = (beta[f] ?? 0) / prior.sigma2;
  // the prior makes A positive definite
  if (!choleskyInPlace(a, p)) return new Float64Array(p);
  choleskyBackSolve(a, beta, p);
  return beta;
}

/**
 * X·β at `columns` only (the correction `effectsCorrection` makes there), for effects `beta` of length p.
 * @example
 * const shift = effectsAt(features, effectsOf(features, prior, known, residual), heldOutColumns);
 */
export function effectsAt(features: ExampleFeatures, beta: Float64Array, columns: Int32Array): Float64Array {
  const { n, p, data } = features;
  return Float64Array.from(columns, (j) => {
    let s = 0;
    for (let f = 0; f < p; f++) s += (data[f * n + j] ?? 0) * (beta[f] ?? 0);
    return s;
  });
}

/** X at `columns`, row-major |columns|×p. */
function gather(features: ExampleFeatures, columns: Int32Array): Float64Array {
  const { n, p, data } = features;
  const x = new Float64Array(columns.length * p);
  columns.forEach((j, t) => {
    for (let f = 0; f < p; f++) x[t * p + f] = data[f * n + j] ?? 0;
  });
  return x;
}

/** XᵀX (p×p row-major) of a row-major rows×p X. */
function crossProduct(x: Float64Array, rows: number, p: number): Float64Array {
  const g = new Float64Array(p * p);
  for (let t = 0; t < rows; t++)
    for (let f = 0; f < p; f++) {
      const xf = x[t * p + f] ?? 0;
      if (xf === 0) continue;
      for (let h = 0; h < p; h++) g[f * p + h] = (g[f * p + h] ?? 0) + xf * (x[t * p + h] ?? 0);
    }
  return g;
}

/** Xᵀr (length p) of a row-major rows×p X. */
function project(x: Float64Array, rows: number, p: number, r: ArrayLike<number>): Float64Array {
  const out = new Float64Array(p);
  for (let t = 0; t < rows; t++) {
    const rt = r[t] ?? 0;
    for (let f = 0; f < p; f++) out[f] = (out[f] ?? 0) + (x[t * p + f] ?? 0) * rt;
  }
  return out;
}
