// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import type { Dense } from '../../linalg/types.js';
import { ForgetscopeError } from '../../util/errors.js';
import type { ProgressSink } from '../../util/progress.js';
import { backendOf, type BackendOption } from '../shared/backend.js';
import { updateEnergySplit, type ProtectedBasis } from './project.js';
import { layerImportance, retentionRanks } from './retention.js';
import { spectrumFromSigma } from './spectrum.js';

/** One layer to audit: its weights before the task (W), the update ΔW and optional captured inputs X. */
export interface LayerInput {
  name: string;
  /** Weights at the start of the task (SVD'd), dO × dI. Omit when `factors` are given. */
  W?: Dense;
  /** Precomputed SVD factors (e.g. from the harness's torch SVD): Uh, Vh with ≥ k columns, all σ. */
  factors?: { Uh: Dense; Vh: Dense; sigma: Float64Array };
  /** The update ΔW = W_after − W_before. */
  dW: Dense;
  /** Captured layer inputs (N × dI) from the previous task, for the retention rule. */
  X?: Dense;
  /** A fixed protected rank (overrides both rules). */
  k?: number;
}

/** One row of the subspace report (the CLI prints these keys). */
export interface LayerRow {
  name: string;
  rows: number;
  cols: number;
  k: number;
  /** How k was chosen. */
  rule: 'fixed' | 'retention' | 'energy';
  effectiveRank: number;
  stableRank: number;
  protectedFraction: number;
  strictFreeFraction: number;
  leftFraction: number;
  rightFraction: number;
  interference: number;
  /** Layer importance and retention ratio (retention rule only). */
  importance?: number;
  ratio?: number;
  /** Singular values of W (descending), for plots. */
  sigma: Float64Array;
}

/** Options of `layerReport`. */
export interface LayerReportOptions extends BackendOption {
  mrr?: number;
  trr?: number;
  /** Energy threshold of the fallback rule (default 0.9) when no activations are given. */
  tau?: number;
  progress?: ProgressSink;
}

/**
 * Audits an update layer by layer: the spectrum of W, the protected rank k (fixed, the paper's
 * retention rule when every layer has captured inputs X, else the energy rule k = smallest k with
 * cumulative energy ≥ τ), and how ΔW splits against the top-k subspace.
 */
export async function layerReport(
  layers: readonly LayerInput[],
  options: LayerReportOptions = {},
): Promise<LayerRow[]> {
  const be = backendOf(options);
  const tau = options.tau ?? 0.9;
  const useRetention =
    layers.length > 0 &&
    layers.every((l) => l.X !== undefined || l.k !== undefined) &&
    layers.some((l) => l.X !== undefined);
  // 1. Full spectrum (and the singular vectors, kept until k is known) per layer.
  const svds: { sigma: Float64Array; u: Float64Array; v: Float64Array; kk: number }[] = [];
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    const rows = l.dW.rows;
    const cols = l.dW.cols;
    if (l.factors) {
      svds.push({
        sigma: l.factors.sigma,
        u: l.factors.Uh.data as Float64Array,
        v: l.factors.Vh.data as Float64Array,
        kk: l.factors.Uh.cols,
      });
    } else if (l.W) {
      if (l.W.rows !== rows || l.W.cols !== cols)
        throw new ForgetscopeError(
          'shape',
          `layer "${l.name}": W is ${l.W.rows}×${l.W.cols} but ΔW is ${rows}×${cols}`,
        );
      const d = Math.min(rows, cols);
      const svd = await be.topSVD(l.W, d);
      svds.push({ sigma: svd.s, u: svd.u, v: svd.v, kk: svd.k });
    } else {
      throw new ForgetscopeError('usage', `layer "${l.name}": give W or its SVD factors`);
    }
    options.progress?.(i + 1, 2 * layers.length, 'subspace');
  }
  // 2. Ranks.
  const ks = new Int32Array(layers.length);
  const rule: LayerRow['rule'][] = [];
  const imp = new Float64Array(layers.length);
  let ratio: Float64Array | null = null;
  if (useRetention) {
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i]!;
      if (l.X) {
        if (!l.W)
          throw new ForgetscopeError(
            'usage',
            `layer "${l.name}": the retention rule needs W to compute the importance`,
          );
        imp[i] = await layerImportance(l.W, l.X, { backend: be });
      } else imp[i] = NaN;
    }
    const withX = layers.map((l, i) => (l.X ? i : -1)).filter((i) => i >= 0);
    const r = retentionRanks(
      Float64Array.from(withX, (i) => imp[i]!),
      Int32Array.from(withX, (i) => Math.min(layers[i]!.dW.rows, layers[i]!.dW.cols)),
      { mrr: options.mrr, trr: options.trr },
    );
    ratio = new Float64Array(layers.length).fill(NaN);
    withX.forEach((i, j) => {
      ks[i] = r.k[j]!;
      ratio![i] = r.ratio[j]!;
    });
  }
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    if (l.k !== undefined) {
      ks[i] = l.k;
      rule.push('fixed');
    } else if (useRetention) rule.push('retention');
    else {
      const s = spectrumFromSigma(svds[i]!.sigma);
      let k = s.cumEnergy.length;
      for (let j = 0; j < s.cumEnergy.length; j++)
        if (s.cumEnergy[j]! >= tau - 1e-12) {
          k = j + 1;
          break;
        }
      ks[i] = k;
      rule.push('energy');
    }
  }
  // 3. Energy split per layer.
  const out: LayerRow[] = [];
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    const { sigma, u, v, kk } = svds[i]!;
    const k = ks[i]!;
    if (k > kk)
      throw new ForgetscopeError(
        'input',
        `layer "${l.name}": protected rank ${k} exceeds the ${kk} singular vectors available`,
      );
    const basis: ProtectedBasis = {
      Uh: { rows: l.dW.rows, cols: k, data: takeColumns(u, l.dW.rows, kk, k) },
      Vh: { rows: l.dW.cols, cols: k, data: takeColumns(v, l.dW.cols, kk, k) },
      sigmaH: sigma.slice(0, k),
    };
    const split = await updateEnergySplit(l.dW, basis, { backend: be });
    const s = spectrumFromSigma(sigma);
    const row: LayerRow = {
      name: l.name,
      rows: l.dW.rows,
      cols: l.dW.cols,
      k,
      rule: rule[i]!,
      effectiveRank: s.effRank,
      stableRank: s.stableRank,
      protectedFraction: split.protectedFrac,
      strictFreeFraction: split.strictFreeFrac,
      leftFraction: split.leftFrac,
      rightFraction: split.rightFrac,
      interference: split.interference,
      sigma: s.sigma,
    };
    if (ratio) {
      row.importance = imp[i]!;
      row.ratio = ratio[i]!;
    }
    out.push(row);
    options.progress?.(layers.length + i + 1, 2 * layers.length, 'subspace');
  }
  return out;
}

/** The first k columns of a row-major rows × cols matrix. */
function takeColumns(data: Float64Array | Float32Array, rows: number, cols: number, k: number): Float64Array {
  const out = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) for (let c = 0; c < k; c++) out[r * k + c] = data[r * cols + c]!;
  return out;
}
