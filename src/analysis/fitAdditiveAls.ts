/**
 * The paper code's regularised additive baseline (Surprise `BaselineOnly`, ALS).
 * Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (i < M,
 * j < N over arrays of M, N or M·N entries).
 */
import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import { additiveResidual, denseOf } from './fitAdditive.js';
import { fitQuality, observedMoments, type FitQuality, type ObservedMoments } from './goodnessOfFit.js';
import { observedSums } from './observedSums.js';

/** Options of `fitAdditiveAls` (defaults are the paper's released code). */
export interface AdditiveAlsOptions {
  /** Epochs (default 100). */
  epochs?: number;
  /** Ridge penalty of the task biases, Surprise's `reg_u` (default 15). */
  regTask?: number;
  /** Ridge penalty of the example biases, Surprise's `reg_i` (default 10). */
  regExample?: number;
  /** Observed moments, when the caller already has them. */
  moments?: ObservedMoments;
}

/** The paper's released settings of the regularised additive fit (Surprise `BaselineOnly`, ALS). */
export const ADDITIVE_ALS_DEFAULTS = { epochs: 100, regTask: 15, regExample: 10 } as const;

/** Epochs and ridge penalties of the regularised additive fit. */
export interface AlsSettings {
  epochs: number;
  /** Ridge penalty of the task biases (Surprise's `reg_u`). */
  regTask: number;
  /** Ridge penalty of the example biases (Surprise's `reg_i`). */
  regExample: number;
}

/** The regularised additive baseline and its fit over the observed entries. */
export interface AdditiveAlsFit extends FitQuality, AlsSettings {
  /** The global mean of the observed entries (held fixed, as in Surprise). */
  mu: number;
  /** Shrunk task biases b_task (length M). */
  taskBiases: Float64Array;
  /** Shrunk example biases b_example (length N). */
  exampleBiases: Float64Array;
}

/**
 * The additive model as the paper's released code fits it for its structure figure: Surprise's
 * `BaselineOnly` with `bsl_options = {method: "als", n_epochs: 100, reg_u: 15, reg_i: 10}`, tasks as
 * users and examples as items. μ is the global mean of the observed entries and stays fixed; the
 * biases start at 0 and each epoch updates, in this order (as Surprise's `baseline_als` does),
 *
 *     b_example[j] = Σ_{i observed in column j} (z_ij − μ − b_task[i]) / (reg_example + n_j)
 *     b_task[i]    = Σ_{j observed in row i}    (z_ij − μ − b_example[j]) / (reg_task + n_i)
 *
 * i.e. block coordinate descent on `Σ (z − μ − b_task − b_example)² + reg_task Σ b_task² +
 * reg_example Σ b_example²`. The penalties shrink the biases, so its R² is below the least-squares
 * `fitAdditive` and can fall below the column-only R² when M is small (a task bias is shrunk by
 * N/(N+15) ≈ 1, an example bias by M/(M+10), which for M = 37 keeps only 79 %). No clipping.
 * @example
 * const fit = fitAdditiveAls(z); // z: ForgettingMatrix
 * fit.r2; // R² of μ + b_task + b_example over the observed entries
 */
export function fitAdditiveAls(matrix: ForgettingMatrix, options: AdditiveAlsOptions = {}): AdditiveAlsFit {
  const settings = alsSettings(options);
  const moments = options.moments ?? observedMoments(matrix);
  const mu = moments.mean;
  const sums = observedSums(denseOf(matrix));
  // Complete matrix: every update only needs the row and column sums (Σ_i (z_ij − μ − b_task[i])
  // = C_j − M·μ − Σ b_task), so one pass over the data serves all epochs.
  const { taskBiases, exampleBiases } =
    matrix.mask === null
      ? alsFromSums({ rowSums: sums.rowSums, colSums: sums.colSums, mu, ...settings })
      : maskedAls({ matrix, mu, rowCount: sums.rowCounts, colCount: sums.colCounts, ...settings });
  const sse = additiveResidual(matrix, mu, taskBiases, exampleBiases);
  return { mu, taskBiases, exampleBiases, ...settings, ...fitQuality(sse, moments) };
}

/** The epochs and penalties of the regularised additive fit, the paper's defaults where not given. */
export function alsSettings(options: Partial<AlsSettings> = {}): AlsSettings {
  return {
    epochs: options.epochs ?? ADDITIVE_ALS_DEFAULTS.epochs,
    regTask: options.regTask ?? ADDITIVE_ALS_DEFAULTS.regTask,
    regExample: options.regExample ?? ADDITIVE_ALS_DEFAULTS.regExample,
  };
}

/** The task and example biases of a regularised additive fit. */
export interface AdditiveBiases {
  /** b_task, length M. */
  taskBiases: Float64Array;
  /** b_example, length N. */
  exampleBiases: Float64Array;
}

/** What `alsFromSums` needs: the row sums R and column sums C of a complete matrix, μ and the settings. */
export interface AlsFromSumsInput extends AlsSettings {
  rowSums: Float64Array;
  colSums: Float64Array;
  mu: number;
}

/**
 * The Surprise ALS epochs of a complete M×N matrix from its row sums R and column sums C:
 * `b_example[j] = (C_j − M·μ − Σ b_task) / (reg_example + M)`, then
 * `b_task[i] = (R_i − N·μ − Σ b_example) / (reg_task + N)`, starting from zero biases.
 * @example
 * alsFromSums({ rowSums: Float64Array.of(4, 8), colSums: Float64Array.of(3, 9), mu: 3, regTask: 1, regExample: 2, epochs: 1 });
 */
export function alsFromSums(input: AlsFromSumsInput): AdditiveBiases {
  const { rowSums, colSums, mu, regTask, regExample, epochs } = input;
  const m = rowSums.length;
  const n = colSums.length;
  const taskBiases = new Float64Array(m);
  const exampleBiases = new Float64Array(n);
  for (let epoch = 0; epoch < epochs; epoch++) {
    let sumTask = 0;
    for (let i = 0; i < m; i++) sumTask += taskBiases[i]!;
    const dEx = regExample + m;
    for (let j = 0; j < n; j++) exampleBiases[j] = dEx > 0 ? (colSums[j]! - m * mu - sumTask) / dEx : 0;
    let sumEx = 0;
    for (let j = 0; j < n; j++) sumEx += exampleBiases[j]!;
    const dTask = regTask + n;
    for (let i = 0; i < m; i++) taskBiases[i] = dTask > 0 ? (rowSums[i]! - n * mu - sumEx) / dTask : 0;
  }
  return { taskBiases, exampleBiases };
}

/** What `maskedAls` needs: the matrix (with a mask), μ, the observed counts by row and column, the settings. */
interface MaskedAlsInput extends AlsSettings {
  matrix: ForgettingMatrix;
  mu: number;
  rowCount: Float64Array;
  colCount: Float64Array;
}

/** The Surprise ALS epochs over the observed entries of a matrix with missing entries, from zero biases. */
function maskedAls(input: MaskedAlsInput): AdditiveBiases {
  const { matrix, mu, regTask, regExample, epochs, rowCount, colCount } = input;
  const { rows: m, cols: n, values: v, mask } = matrix;
  const taskBiases = new Float64Array(m);
  const exampleBiases = new Float64Array(n);
  const colAcc = new Float64Array(n);
  // One pass over the observed entries per half-epoch; these are masked sums, not products a
  // Backend offers.
  for (let epoch = 0; epoch < epochs; epoch++) {
    colAcc.fill(0);
    for (let i = 0; i < m; i++) {
      const base = i * n;
      const level = mu + taskBiases[i]!;
      for (let j = 0; j < n; j++) if (mask?.[base + j] === 1) colAcc[j]! += v[base + j]! - level;
    }
    for (let j = 0; j < n; j++) {
      const d = regExample + colCount[j]!;
      exampleBiases[j] = d > 0 ? colAcc[j]! / d : 0;
    }
    for (let i = 0; i < m; i++) {
      const base = i * n;
      let s = 0;
      for (let j = 0; j < n; j++) if (mask?.[base + j] === 1) s += v[base + j]! - mu - exampleBiases[j]!;
      const d = regTask + rowCount[i]!;
      taskBiases[i] = d > 0 ? s / d : 0;
    }
  }
  return { taskBiases, exampleBiases };
}
