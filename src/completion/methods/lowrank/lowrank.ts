import { defaultBackend } from '../../../linalg/defaultBackend.js';
import type { Backend } from '../../../linalg/types.js';
import { ForgetscopeError } from '../../../util/errors.js';
import type { CompletionMethod, FitOptions, FittedCompletion, KnownEntries, RowPrediction } from '../../types.js';
import { checkKnownEntries } from '../../known.js';
import { calibrationColumns } from '../../conformal.js';
import {
  calibrateScale,
  defaultGrid,
  fullBases,
  LOWRANK_VARIANTS,
  predictTask,
  prepareFolds,
  residualizeTrain,
  selectHyper,
  selectSideHyper,
  sideStats,
  sideValuesOf,
  trainStats,
  variantBasis,
  type FullBasis,
  type LowrankGrid,
  type LowrankHyper,
  type LowrankVariant,
  type Fold,
  type SideStats,
  type TaskModel,
  type TrainStats,
  type VariantBasis,
} from '../../loo/index.js';
import { ForgettingMatrix } from '../../../matrix/ForgettingMatrix.js';

/** Options of `lowrank`. */
export interface LowrankOptions extends FitOptions {
  /** Largest number of components considered (default min(M − 1, 40)). */
  maxRank?: number;
  /** Centrings considered (default all three). */
  variants?: readonly LowrankVariant[];
  /** Ranks and ridge multipliers searched (default `defaultGrid`). */
  grid?: Partial<LowrankGrid>;
  /** Fixed hyper-parameters: skips the leave-one-task-out search. */
  hyper?: LowrankHyper;
  /** Held-out train rows used by the search (default 60, evenly spread; all rows when M ≤ 60). */
  maxFolds?: number;
  /** Return lower/upper prediction bounds (default true). */
  intervals?: boolean;
  /** Nominal coverage of the intervals (default 0.9). */
  level?: number;
  /** Columns used to calibrate the interval scale per fold (default 400). */
  calibrationColumns?: number;
  /**
   * How the interval scale of a new task is calibrated: `probes` (default) on the task's own measured
   * columns — the conformal `level` quantile of its leave-one-column-out residuals over the interval's
   * shape there — when it has at least `minConformalScores(level)` of them (9 at 0.9), else as `train`; `train` the
   * leave-one-task-out scale κ of the train rows times the task's residual scale ρ.
   */
  calibration?: 'probes' | 'train';
  /** Side prior multipliers α_s searched when side matrices are given (default `SIDE_ALPHAS`). */
  sideAlphas?: readonly number[];
  /**
   * Reuse an earlier fit of the same train matrix object with the same backend and options (its
   * Gram, folds, bases and per-column-set decisions), kept while the matrix lives. Opt-in (default
   * false: every call fits afresh); safe because a `ForgettingMatrix` is immutable once built. Fits
   * with side matrices are never reused.
   */
  reuse?: boolean;
}

/** What `lowrank` decided for one set of measured columns (exposed for reports and tests). */
export interface LowrankDecision {
  hyper: LowrankHyper;
  /** Leave-one-task-out RMSE of the chosen setting (NaN when `hyper` was given). */
  looRmse: number;
  /** Interval scale κ (NaN without intervals). */
  kappa: number;
}

/** A fitted `lowrank` model: `predictRow` plus the decision it takes for a set of measured columns. */
export interface FittedLowrank extends FittedCompletion {
  decide(columns: Int32Array): LowrankDecision;
  /**
   * The full-train bases by centring formed so far (right singular vectors column-major, see
   * `FullBasis`). A centring's full basis is formed by `basis(variant)` (or a prediction without
   * intervals at the maximum rank); other predictions without intervals form only the leading
   * components they use, which are not listed here, and predictions with intervals form none (one
   * `columnForms` pass over the train block instead), so the O(M·N·r) product is paid only where it
   * is needed.
   */
  readonly bases: ReadonlyMap<LowrankVariant, FullBasis>;
  /** The full-train basis of one fitted centring, computing it on first use. */
  basis(variant: LowrankVariant): Promise<FullBasis>;
}

/**
 * `lowrank`: regress the new row's measured entries on the train rows' top right singular vectors.
 * One Gram of the train block through the backend and small eigenproblems, then per new task a ridge
 * fit on |K| rows and an O(k·N) prediction from the right singular vectors, or, with intervals, one
 * O(M·N·k) pass over the centred train columns that gives each column's prediction and interval
 * without forming them (`predictWithIntervals`). The centring, the rank k and the ridge multiplier α are
 * chosen by leave-one-task-out on the train rows with the new task's own measured columns (cached
 * per column set), never by looking at test rows. The ridge is Bayesian: component c has prior
 * variance s_c²/M (how much the train rows themselves vary along it).
 *
 * With side matrices (`options.side`, and the new task's side row in `known.side`), the ridge also
 * has one per-task scale per side row with its own prior (see `loo/side.ts`); the same
 * leave-one-task-out search decides whether to use them. Without side, nothing changes.
 *
 * @example
 * const fitted = await lowrank.fit(train, { seed: 0 });
 * const { prediction, lower, upper } = await fitted.predictRow(known);
 */
export const lowrank: CompletionMethod<LowrankOptions> = {
  name: 'lowrank',
  fit: fitLowrankCompletion,
};

/**
 * Earlier fits asked to be reused (`reuse: true`), by train matrix object, then backend object
 * (`DEFAULT_BACKEND` when none was given), then the options that change the result: a caller that
 * fits the same train rows again (several seeds, repeated runs) gets the same fitted model back, with
 * its leave-one-task-out decisions per column set already made. Weak keys: an entry lives exactly as
 * long as its matrix and backend.
 */
const FIT_CACHE = new WeakMap<ForgettingMatrix, WeakMap<object, Map<string, Promise<FittedLowrank>>>>();
const DEFAULT_BACKEND = {};

function fitKey(options: LowrankOptions): string {
  return JSON.stringify([
    options.maxRank ?? null,
    options.variants ?? null,
    options.grid ?? null,
    options.hyper ?? null,
    options.maxFolds ?? null,
    options.intervals ?? null,
    options.level ?? null,
    options.calibrationColumns ?? null,
    options.calibration ?? null,
  ]);
}

/**
 * `lowrank.fit` with its richer return type (named apart from analysis' `fitTruncatedRanks`, the
 * rank-1…K structure fits).
 */
export async function fitLowrankCompletion(
  train: ForgettingMatrix,
  options: LowrankOptions = {},
): Promise<FittedLowrank> {
  if (options.reuse !== true || (options.side && options.side.length > 0)) return fitLowrankFresh(train, options);
  let byBackend = FIT_CACHE.get(train);
  if (!byBackend) FIT_CACHE.set(train, (byBackend = new WeakMap()));
  const backendKey: object = options.backend ?? DEFAULT_BACKEND;
  let byOptions = byBackend.get(backendKey);
  if (!byOptions) byBackend.set(backendKey, (byOptions = new Map()));
  const key = fitKey(options);
  const hit = byOptions.get(key);
  if (hit) {
    options.progress?.(3, 3, 'lowrank: ready (reused fit)');
    return hit;
  }
  const pending = fitLowrankFresh(train, options);
  byOptions.set(key, pending);
  // a failed fit is not remembered
  pending.catch(() => byOptions.delete(key));
  return pending;
}

/** Checks and fills in the options of one `lowrank` fit. */
function fitSettings(m: number, n: number, options: LowrankOptions) {
  const maxRank = Math.max(0, Math.min(options.maxRank ?? 40, m - 1));
  const variants = options.variants ?? (options.hyper ? [options.hyper.variant] : LOWRANK_VARIANTS);
  if (variants.length === 0) throw new ForgetscopeError('usage', 'lowrank: no centring variant to consider');
  const level = options.level ?? 0.9;
  if (!(level > 0 && level < 1))
    throw new ForgetscopeError('usage', `lowrank: interval level must be in (0, 1), got ${level}`);
  const calibration = options.calibration ?? 'probes';
  if (calibration !== 'probes' && calibration !== 'train')
    throw new ForgetscopeError('usage', `lowrank: calibration must be probes or train, got ${String(calibration)}`);
  const base = defaultGrid(maxRank, variants);
  const grid: LowrankGrid = {
    variants: options.grid?.variants ?? base.variants,
    ranks: options.grid?.ranks ?? base.ranks,
    alphas: options.grid?.alphas ?? base.alphas,
  };
  const wantIntervals = options.intervals ?? true;
  return {
    maxRank,
    variants,
    level,
    calibration,
    grid,
    wantIntervals,
    maxFolds: options.maxFolds ?? 60,
    // folds serve the search and the interval calibration
    needFolds: !options.hyper || wantIntervals,
    calib: calibrationColumns(n, options.calibrationColumns ?? 400),
  };
}

/** One train block's ridge: statistics, folds and bases (the raw train rows, or the residualised ones with side). */
interface RidgeModel extends TaskModel {
  folds: Fold[];
}

/** Builds the `RidgeModel` of a train block (bases formed lazily; full bases recorded in `into`). */
function ridgeModel(
  stats: TrainStats,
  settings: ReturnType<typeof fitSettings>,
  backend: Backend,
  into: Map<LowrankVariant, FullBasis>,
): RidgeModel {
  const { variants, maxRank } = settings;
  const folds = settings.needFolds ? prepareFolds(stats, variants, maxRank, settings.maxFolds) : [];
  // the full-train singular values and left vectors per centring (the M×M eigenproblem only)
  const small = new Map<LowrankVariant, VariantBasis>();
  const allRows = Int32Array.from({ length: stats.m }, (_, i) => i);
  function smallBasis(variant: LowrankVariant): VariantBasis {
    let b = small.get(variant);
    if (!b) small.set(variant, (b = variantBasis(stats, allRows, variant, maxRank)));
    return b;
  }
  return { stats, folds, smallBasis, fullBasis: lazyBases(stats, variants, maxRank, backend, into), backend };
}

/**
 * With side matrices: the `RidgeModel` of the residualised train block Z − γ_h·S_h (its own Gram,
 * bases and folds), whose side columns carry each task's side pattern, and its side statistics.
 */
async function sideRidgeModel(
  train: ForgettingMatrix,
  stats: TrainStats,
  side: NonNullable<LowrankOptions['side']>,
  settings: ReturnType<typeof fitSettings>,
  backend: Backend,
): Promise<{ model: RidgeModel; side: SideStats }> {
  const raw = await sideStats(stats, side, backend);
  const resid = new ForgettingMatrix({
    values: residualizeTrain(stats, raw),
    taskIds: train.taskIds,
    exampleIds: train.exampleIds,
  });
  const rstats = await trainStats(resid, backend);
  const rside: SideStats = { ...(await sideStats(rstats, side, backend)), slope: raw.slope, residualized: true };
  return { model: ridgeModel(rstats, settings, backend, new Map()), side: rside };
}

async function fitLowrankFresh(train: ForgettingMatrix, options: LowrankOptions): Promise<FittedLowrank> {
  const backend: Backend = options.backend ?? defaultBackend();
  const n = train.cols;
  const settings = fitSettings(train.rows, n, options);
  const { variants, level, calibration, grid, wantIntervals, calib } = settings;
  options.progress?.(0, 3, 'lowrank: Gram');
  const stats = await trainStats(train, backend);
  options.progress?.(1, 3, 'lowrank: bases');
  const bases = new Map<LowrankVariant, FullBasis>();
  options.progress?.(2, 3, 'lowrank: folds');
  const model = ridgeModel(stats, settings, backend, bases);
  options.progress?.(3, 3, 'lowrank: ready');
  // with side: the side-off option stays the raw model
  const withSide =
    options.side && options.side.length > 0
      ? await sideRidgeModel(train, stats, options.side, settings, backend)
      : null;
  const cache = new Map<string, LowrankDecision>();

  function decide(columns: Int32Array): LowrankDecision {
    const key = Array.from(columns).join(',');
    const hit = cache.get(key);
    if (hit) return hit;
    let chosen: { hyper: LowrankHyper; looRmse: number } = options.hyper
      ? { hyper: options.hyper, looRmse: NaN }
      : selectHyper(stats, model.folds, columns, grid);
    if (withSide && !options.hyper) {
      const { model: sm, side } = withSide;
      const best = selectSideHyper(sm.stats, side, sm.folds, columns, grid, options.sideAlphas);
      if (best && (!Number.isFinite(chosen.looRmse) || best.looRmse < chosen.looRmse * (1 - 1e-12))) chosen = best;
    }
    const on = withSide && chosen.hyper.side !== undefined ? withSide : null;
    const kappa = !wantIntervals
      ? NaN
      : on
        ? calibrateScale(on.model.stats, on.model.folds, columns, chosen.hyper, level, calib, on.side)
        : calibrateScale(stats, model.folds, columns, chosen.hyper, level, calib);
    const decision = { hyper: chosen.hyper, looRmse: chosen.looRmse, kappa };
    if (cache.size > 256) cache.delete(cache.keys().next().value!);
    cache.set(key, decision);
    return decision;
  }

  async function predictRow(known: KnownEntries): Promise<RowPrediction> {
    checkKnownEntries(known, n);
    const { hyper, kappa } = decide(known.columns);
    if (!variants.includes(hyper.variant))
      throw new ForgetscopeError('usage', `lowrank: variant ${hyper.variant} was not fitted`);
    const intervals = { kappa: wantIntervals ? kappa : NaN, probeLevel: calibration === 'probes' ? level : NaN };
    if (withSide && hyper.side !== undefined) {
      const row = sideValuesOf(known.side, withSide.side.names, n);
      return predictTask(withSide.model, known, hyper, intervals, { stats: withSide.side, row });
    }
    return predictTask(model, known, hyper, intervals);
  }

  return { predictRow, decide, bases, basis: (variant) => model.fullBasis(variant) };
}

/**
 * Per-centring lazy full-train bases. `basis(variant)` runs `fullBases` for that centring alone on
 * first use (one promise per centring, so concurrent predictions share it) and records the result
 * in `into`. `basis(variant, k)` may instead return a leading prefix of it with at least
 * min(k, r) components: the same singular values and vectors (one eigenproblem, one product whose
 * entries do not depend on how many components are formed), so a rank-k prediction from it equals
 * the one from the full basis while the O(M·N·r) product shrinks to O(M·N·k).
 */
function lazyBases(
  stats: TrainStats,
  variants: readonly LowrankVariant[],
  maxRank: number,
  backend: Backend,
  into: Map<LowrankVariant, FullBasis>,
): (variant: LowrankVariant, k?: number) => Promise<FullBasis> {
  const pending = new Map<LowrankVariant, Promise<FullBasis>>();
  const prefixes = new Map<LowrankVariant, { rank: number; basis: Promise<FullBasis> }>();
  const compute = (variant: LowrankVariant, rank: number) =>
    fullBases(stats, [variant], rank, backend).then((m) => m.get(variant)!);
  return (variant, k) => {
    if (!variants.includes(variant)) throw new ForgetscopeError('usage', `lowrank: variant ${variant} was not fitted`);
    const full = pending.get(variant);
    if (full) return full;
    if (k !== undefined && k < maxRank) {
      const prefix = prefixes.get(variant);
      // a prefix formed at rank ≥ k holds min(k, r) components
      if (prefix && prefix.rank >= k) return prefix.basis;
      if (!prefix) {
        const entry = { rank: k, basis: compute(variant, k) };
        prefixes.set(variant, entry);
        return entry.basis;
      }
    }
    const p = compute(variant, maxRank).then((b) => {
      into.set(variant, b);
      return b;
    });
    pending.set(variant, p);
    prefixes.delete(variant);
    return p;
  };
}

/** @deprecated The earlier name of `fitLowrankCompletion`, too close to analysis' `fitLowRank`; kept for callers. */
export const fitLowrank = fitLowrankCompletion;
