import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import type { Backend, BackendName } from '../linalg/types.js';
import type { ProgressSink } from '../util/progress.js';
import { defaultAnalysisBackend } from './defaultBackend.js';
import { fitAdditive, fitColumnMeans, fitRowMeans, type AdditiveFit, type OneWayFit } from './fitAdditive.js';
import { fitAdditiveAls, type AdditiveAlsFit, type AdditiveAlsOptions } from './fitAdditiveAls.js';
import { fitTruncatedRanks, type LowRankFit } from './fitTruncatedRanks.js';
import { observedMoments, type FitQuality } from './goodnessOfFit.js';
import { itemAt } from '../util/checked.js';

/** The multiplicative model `Z[i][j] ≈ u[i]·v[j]` = the rank-1 fit. */
export interface MultiplicativeFit extends FitQuality {
  /** Task scalars u = s₁·(first left singular vector) (rank-1 fit over observed entries when masked), length M. */
  taskScalars: Float64Array;
  /** Example scalars v = first right singular vector (unit norm, largest entry positive), length N. */
  exampleScalars: Float64Array;
}

/** The comparison the paper makes: does the multiplicative (rank-1) model beat the additive one? */
export interface ModelComparison {
  multiplicativeR2: number;
  additiveR2: number;
  /** The regularised additive fit of the paper's code (`additiveAls`). */
  additiveAlsR2: number;
  /** R²(rank 1) − R²(additive, least squares). Both have M + N − 1 free parameters. */
  difference: number;
  /** True when rank 1 explains more than the least-squares additive model. */
  multiplicativeBeatsAdditive: boolean;
}

/**
 * The paper's comparison from the three R² values.
 * @example
 * compareModels(0.79, 0.74, 0.70).multiplicativeBeatsAdditive; // true
 */
export function compareModels(multiplicativeR2: number, additiveR2: number, additiveAlsR2: number): ModelComparison {
  return {
    multiplicativeR2,
    additiveR2,
    additiveAlsR2,
    difference: multiplicativeR2 - additiveR2,
    multiplicativeBeatsAdditive: multiplicativeR2 > additiveR2,
  };
}

/** Everything `analyzeStructure` computes. */
export interface StructureAnalysis {
  tasks: number;
  examples: number;
  observed: number;
  complete: boolean;
  backend: BackendName;
  /** Grand mean of the observed entries. */
  mean: number;
  lowRank: LowRankFit;
  multiplicative: MultiplicativeFit;
  additive: AdditiveFit;
  additiveAls: AdditiveAlsFit;
  row: OneWayFit;
  column: OneWayFit;
  comparison: ModelComparison;
}

/** Options of `analyzeStructure`. */
export interface AnalyzeStructureOptions {
  /** Fit ranks 1..K (default min(5, M, N)). */
  ranks?: number;
  /** Numerical backend (default: the portable cpu backend). */
  backend?: Backend;
  /** Progress over the steps (low-rank fits, additive fits). */
  progress?: ProgressSink;
  /** Settings of the regularised additive fit (defaults: 100 epochs, reg 15 / 10). */
  additiveAls?: AdditiveAlsOptions;
  /** Seed of any random start (ALS with `init: "random"`; default 0). */
  seed?: number;
}

/**
 * Structure analysis of a forgetting matrix: rank-1..K uncentred truncated fits with
 * R²_k, singular values, explained energy and sign-normalised factors; the multiplicative (rank-1),
 * additive (least squares), regularised additive (the paper code's Surprise ALS), row-only and
 * column-only models with R² and RMSE; and whether multiplicative beats additive. Missing entries
 * are handled by fitting observed entries only.
 * @example
 * const z = ForgettingMatrix.fromRows([[0.1, 0.2, 0, 0.4], [0.2, 0.4, 0, 0.8], [0.3, 0.6, 0, 1.2]]);
 * const a = await analyzeStructure(z, { ranks: 2 });
 * a.lowRank.r2[0];     // 1
 * a.additive.r2;       // 0.880952…
 * a.comparison.multiplicativeBeatsAdditive; // true
 */
export async function analyzeStructure(
  matrix: ForgettingMatrix,
  options: AnalyzeStructureOptions = {},
): Promise<StructureAnalysis> {
  const backend = options.backend ?? defaultAnalysisBackend();
  const progress = options.progress ?? (() => {});
  const moments = observedMoments(matrix);
  const total = 5;
  progress(0, total, 'low-rank fits');
  const lowRank = await fitTruncatedRanks(matrix, {
    backend,
    moments,
    ...(options.ranks !== undefined ? { ranks: options.ranks } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  progress(1, total, 'additive fit');
  const additive = fitAdditive(matrix, { moments });
  progress(2, total, 'regularised additive fit');
  const additiveAls = fitAdditiveAls(matrix, { ...options.additiveAls, moments });
  progress(3, total, 'one-way fits');
  const row = fitRowMeans(matrix, moments);
  const column = fitColumnMeans(matrix, moments);
  progress(4, total, 'multiplicative model');
  const multiplicative: MultiplicativeFit = {
    r2: itemAt(lowRank.r2, 0),
    rmse: itemAt(lowRank.rmse, 0),
    sse: itemAt(lowRank.sse, 0),
    taskScalars: lowRank.rankOne.task,
    exampleScalars: lowRank.rankOne.example,
  };
  progress(5, total, 'done');
  return {
    tasks: matrix.rows,
    examples: matrix.cols,
    observed: moments.count,
    complete: matrix.isComplete,
    backend: backend.name,
    mean: moments.mean,
    lowRank,
    multiplicative,
    additive,
    additiveAls,
    row,
    column,
    comparison: compareModels(multiplicative.r2, additive.r2, additiveAls.r2),
  };
}
