import { defaultBackend } from '../../../linalg/defaultBackend.js';
import type { Backend } from '../../../linalg/types.js';
import { itemAt } from '../../../util/checked.js';
import { ForgetscopeError } from '../../../util/errors.js';
import type { CompletionMethod, FitOptions, FittedCompletion, KnownEntries, RowPrediction } from '../../types.js';
import { checkKnownEntries } from '../../known.js';
import { calibrationColumns } from '../../conformal.js';
import {
  effectsAt,
  effectsCorrection,
  effectsOf,
  effectsPrior,
  exampleFeatures,
  type EffectsPrior,
  type ExampleFeatures,
} from '../../effects/index.js';
import {
  foldHeldOut,
  heldOutScale,
  defaultGrid,
  fullBases,
  LOWRANK_VARIANTS,
  predictTask,
  prepareFolds,
  residualizeTrain,
  selectHyper,
  selectSideHyper,
  selectSideSet,
  selectSideSetAsync,
  foldSse,
  jointSlopes,
  sideStats,
  subsetSideStats,
  sideValuesOf,
  trainStats,
  variantBasis,
  type FullBasis,
  type HeldOutFit,
  type LowrankGrid,
  type LowrankHyper,
  type LowrankVariant,
  type Fold,
  type SideScore,
  type SideSelection,
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
   * With several side matrices: `loo` (default) keeps, per column set, only those that help by
   * leave-one-task-out (greedy forward selection with a one-standard-error entry rule, see
   * `sideSelect.ts`); `all` puts every given side matrix in the ridge, each train row's univariate
   * slopes removed, and chooses only side or not (the behaviour before selection).
   */
  sideSelection?: 'loo' | 'all';
  /**
   * Reuse an earlier fit of the same train matrix object with the same backend and options (its
   * Gram, folds, bases and per-column-set decisions), kept while the matrix lives. Opt-in (default
   * false: every call fits afresh); safe because a `ForgettingMatrix` is immutable once built. Fits
   * with side matrices or with given example covariates are never reused.
   */
  reuse?: boolean;
  /**
   * Example effects (`effects/`): after the ridge, the row is corrected along per-example covariates
   * (the examples' `source` groups, their text's character classes, their base NLL:
   * `exampleFeatures(train)`) by a per-task random effect whose prior is learned from the held-out
   * train rows' residuals for the same column set. `true` (default) uses the covariates the train
   * matrix carries (none: nothing changes), `false` turns it off, or give the covariates. Needs the
   * leave-one-task-out folds (off with a fixed `hyper` and `intervals: false`).
   */
  exampleEffects?: boolean | ExampleFeatures;
}

/** What `lowrank` decided for one set of measured columns (exposed for reports and tests). */
export interface LowrankDecision {
  hyper: LowrankHyper;
  /** Leave-one-task-out RMSE of the chosen setting (NaN when `hyper` was given). */
  looRmse: number;
  /** Interval scale κ (NaN without intervals). */
  kappa: number;
  /**
   * Fitted with side matrices: the names of those the ridge keeps for this column set, in the order
   * given (empty: none helped beyond noise; see `sideSelect.ts`). Absent without side matrices.
   */
  sideKept?: string[];
  /**
   * With several candidate side matrices and no fixed setting: each greedy step's best candidate, its
   * mean per-fold gain in LOO squared error over the set before it, that gain's standard error, and
   * whether it entered (see `sideSelect.ts`).
   */
  sideSteps?: { name: string; gain: number; se: number; entered: boolean }[];
  /**
   * With example effects: the covariates' names, their learned effect variances τ² and the residual
   * variance σ² (see `effects/randomEffects.ts`). Absent when the matrix has no covariates or the prior
   * could not be learned.
   */
  exampleEffects?: { names: string[]; tau2: number[]; sigma2: number };
}

/** A fitted `lowrank` model: `predictRow` plus the decision it takes for a set of measured columns. */
export interface FittedLowrank extends FittedCompletion {
  /**
   * The decision for a column set. With several side matrices it needs the side models the selection
   * visits, built by `decideAsync` or `predictRow` on first use: a usage error before that.
   */
  decide(columns: Int32Array): LowrankDecision;
  /** `decide`, building the side models the selection needs first (what `predictRow` uses). */
  decideAsync(columns: Int32Array): Promise<LowrankDecision>;
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
 * leave-one-task-out search decides which of them to keep, if any (`sideSelection`, `loo/sideSelect.ts`).
 * Without side, nothing changes.
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
    options.exampleEffects ?? null,
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
  // side matrices and given covariates are not part of the cache key: such fits are never reused
  if (options.reuse !== true || (options.side && options.side.length > 0) || typeof options.exampleEffects === 'object')
    return fitLowrankFresh(train, options);
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
  settings: LowrankSettings,
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
 * `raw` are the kept side matrices' statistics on the raw train block (`subsetSideStats`); with
 * several, the per-row slopes removed are their joint least-squares coefficients (`jointSlopes`).
 */
async function sideRidgeModel(
  train: ForgettingMatrix,
  stats: TrainStats,
  side: NonNullable<LowrankOptions['side']>,
  raw: SideStats,
  settings: LowrankSettings,
  backend: Backend,
  joint: boolean,
): Promise<{ model: RidgeModel; side: SideStats }> {
  if (side.length > 1 && joint) raw.slope = jointSlopes(raw, stats);
  const resid = new ForgettingMatrix({
    values: residualizeTrain(stats, raw),
    taskIds: train.taskIds,
    exampleIds: train.exampleIds,
  });
  const rstats = await trainStats(resid, backend);
  const rside: SideStats = { ...(await sideStats(rstats, side, backend)), slope: raw.slope, residualized: true };
  return { model: ridgeModel(rstats, settings, backend, new Map()), side: rside };
}

/** The settings of one fit, defaults filled in (`fitSettings`). */
type LowrankSettings = ReturnType<typeof fitSettings>;

/** A side-matrix model: the ridge on the residualised train block and its side statistics. */
interface SideModel {
  model: RidgeModel;
  side: SideStats;
}

/**
 * The side-matrix models of one fit: one per set of kept side matrices (keyed by the set's indices),
 * built on first use by `modelFor`; `built` holds those finished, for the synchronous `decide`.
 */
interface SideModels {
  candidates: NonNullable<LowrankOptions['side']>;
  /** The candidates' statistics on the raw train block. */
  raw: SideStats;
  /** `sideSelection: 'all'`: every candidate in the ridge, no search. */
  selectAll: boolean;
  built: Map<string, SideModel>;
  modelFor(set: readonly number[]): Promise<SideModel>;
}

/** What a fitted `lowrank` answers from: the fit, its side models and the decisions taken so far. */
interface LowrankState {
  options: LowrankOptions;
  n: number;
  settings: LowrankSettings;
  stats: TrainStats;
  model: RidgeModel;
  side: SideModels | null;
  /** The example covariates of the effects (null: off or none). */
  features: ExampleFeatures | null;
  cache: Map<string, { decision: LowrankDecision; on: SideModel | null; effects: EffectsPrior | null }>;
}

/** A chosen setting and the side model it uses (null: none), with the selection that chose it. */
interface LowrankChoice {
  hyper: LowrankHyper;
  looRmse: number;
  on: SideModel | null;
  selection?: SideSelection;
}

async function fitLowrankFresh(train: ForgettingMatrix, options: LowrankOptions): Promise<FittedLowrank> {
  const backend: Backend = options.backend ?? defaultBackend();
  const n = train.cols;
  const settings = fitSettings(train.rows, n, options);
  options.progress?.(0, 3, 'lowrank: Gram');
  const stats = await trainStats(train, backend);
  options.progress?.(1, 3, 'lowrank: bases');
  const bases = new Map<LowrankVariant, FullBasis>();
  options.progress?.(2, 3, 'lowrank: folds');
  const model = ridgeModel(stats, settings, backend, bases);
  options.progress?.(3, 3, 'lowrank: ready');
  const side = await sideModels(train, stats, options, settings, backend);
  if (side) await prebuildSideModels(side, options);
  const features = effectFeatures(train, options.exampleEffects);
  const state: LowrankState = { options, n, settings, stats, model, side, features, cache: new Map() };
  return {
    predictRow: (known) => predictRow(state, known),
    decide: (columns) => decide(state, columns),
    decideAsync: (columns) => decideAsync(state, columns),
    bases,
    basis: (variant) => model.fullBasis(variant),
  };
}

/**
 * With side matrices: per set of kept side matrices, a model on the residualised train block (the
 * raw model stays the side-off option). Which set is kept is chosen per column set (`sideSelect.ts`);
 * the models are built on first use. Null without side matrices.
 */
async function sideModels(
  train: ForgettingMatrix,
  stats: TrainStats,
  options: LowrankOptions,
  settings: LowrankSettings,
  backend: Backend,
): Promise<SideModels | null> {
  const sideSelection = options.sideSelection ?? 'loo';
  if (sideSelection !== 'loo' && sideSelection !== 'all')
    throw new ForgetscopeError('usage', `lowrank: sideSelection must be loo or all, got ${String(sideSelection)}`);
  const candidates = options.side;
  if (!candidates || candidates.length === 0) return null;
  const selectAll = sideSelection === 'all';
  const raw = await sideStats(stats, candidates, backend);
  const models = new Map<string, Promise<SideModel>>();
  const built = new Map<string, SideModel>();
  const modelFor = (set: readonly number[]): Promise<SideModel> => {
    const key = set.join(',');
    let p = models.get(key);
    if (!p) {
      const chosen = set.map((l) => itemAt(candidates, l, 'side matrix'));
      p = sideRidgeModel(train, stats, chosen, subsetSideStats(raw, set), settings, backend, !selectAll).then((m) => {
        built.set(key, m);
        return m;
      });
      models.set(key, p);
    }
    return p;
  };
  return { candidates, raw, selectAll, built, modelFor };
}

/** The key of the set of every candidate side matrix. */
const everyKey = (side: SideModels): string => side.candidates.map((_, l) => l).join(',');

/**
 * Builds the side models `decide` needs without `decideAsync`: a fixed setting and `all` use every
 * side matrix; with up to three candidates every set's model is built now (the greedy search visits
 * up to 6 of the 7 sets); more candidates are built as the search visits them.
 */
async function prebuildSideModels(side: SideModels, options: LowrankOptions): Promise<void> {
  const every = side.candidates.map((_, l) => l);
  if (options.hyper || side.selectAll) await side.modelFor(every);
  else if (side.candidates.length <= 3)
    for (let mask = 1; mask < 1 << side.candidates.length; mask++)
      await side.modelFor(every.filter((l) => mask & (1 << l)));
}

/** The best setting with one side model, with its per-fold errors; null when none is usable. */
function scoreSet(state: LowrankState, on: SideModel, columns: Int32Array): SideScore | null {
  const { grid } = state.settings;
  const best = selectSideHyper(on.model.stats, on.side, on.model.folds, columns, grid, state.options.sideAlphas);
  if (!best) return null;
  return { ...best, foldSse: foldSse(on.model.stats, on.model.folds, columns, best.hyper, on.side) };
}

/** The best setting without side, with its per-fold errors. */
function plainScore(state: LowrankState, columns: Int32Array): SideScore {
  const { stats, model } = state;
  const plain = selectHyper(stats, model.folds, columns, state.settings.grid);
  const sse = Number.isFinite(plain.looRmse)
    ? foldSse(stats, model.folds, columns, plain.hyper)
    : new Float64Array(model.folds.length).fill(Infinity);
  return { ...plain, foldSse: sse };
}

/** The decision of a choice: its interval scale κ and the side matrices kept; remembered per column set. */
function finish(state: LowrankState, columns: Int32Array, choice: LowrankChoice): LowrankDecision {
  const { settings, stats, model, side, cache, features } = state;
  const { hyper, looRmse, selection } = choice;
  const on = choice.on && hyper.side !== undefined ? choice.on : null;
  const heldOut =
    settings.wantIntervals || features
      ? on
        ? foldHeldOut(on.model.stats, on.model.folds, columns, hyper, settings.calib, on.side)
        : foldHeldOut(stats, model.folds, columns, hyper, settings.calib)
      : [];
  const effects = features ? heldOutEffects(features, heldOut) : null;
  // κ is calibrated on the predictions lowrank returns: with effects, the corrected ones
  const calibrated = () => (features && effects ? heldOutCorrected(features, effects, columns, heldOut) : heldOut);
  const kappa = settings.wantIntervals ? heldOutScale(calibrated(), settings.level) : NaN;
  const decision: LowrankDecision = {
    hyper,
    looRmse,
    kappa,
    ...(side ? { sideKept: on ? [...on.side.names] : [] } : {}),
    ...(selection && side
      ? {
          sideSteps: selection.steps.map(({ candidate, gain, se, entered }) => ({
            name: itemAt(side.raw.names, candidate, 'side matrix'),
            gain,
            se,
            entered,
          })),
        }
      : {}),
    ...(effects && features
      ? { exampleEffects: { names: features.names, tau2: Array.from(effects.tau2), sigma2: effects.sigma2 } }
      : {}),
  };
  const oldest = cache.keys().next();
  if (cache.size > 256 && !oldest.done) cache.delete(oldest.value);
  cache.set(Array.from(columns).join(','), { decision, on, effects });
  return decision;
}

/** The side model of the set a selection kept (null: none kept). */
function chosenModel(side: SideModels, selection: SideSelection): SideModel | null {
  return selection.kept.length > 0 ? (side.built.get(selection.kept.join(',')) ?? null) : null;
}

/** The decision for a column set from the models built so far (see `FittedLowrank.decide`). */
function decide(state: LowrankState, columns: Int32Array): LowrankDecision {
  const hit = state.cache.get(Array.from(columns).join(','));
  if (hit) return hit.decision;
  const { options, side } = state;
  if (options.hyper) {
    const on = side ? (side.built.get(everyKey(side)) ?? null) : null;
    return finish(state, columns, { hyper: options.hyper, looRmse: NaN, on });
  }
  if (!side) {
    const plain = selectHyper(state.stats, state.model.folds, columns, state.settings.grid);
    return finish(state, columns, { hyper: plain.hyper, looRmse: plain.looRmse, on: null });
  }
  if (side.selectAll) return decideAll(state, side, columns);
  const selection = selectSideSet(side.candidates.length, plainScore(state, columns), (set) => {
    const on = side.built.get(set.join(','));
    if (!on)
      throw new ForgetscopeError(
        'usage',
        'lowrank: with several side matrices, decide(columns) needs their models: call decideAsync(columns) or predictRow first',
      );
    return scoreSet(state, on, columns);
  });
  const { hyper, looRmse } = selection.score;
  return finish(state, columns, { hyper, looRmse, on: chosenModel(side, selection), selection });
}

/** `sideSelection: 'all'`: every given side matrix in the ridge when it beats the plain fit, else none. */
function decideAll(state: LowrankState, side: SideModels, columns: Int32Array): LowrankDecision {
  const { grid } = state.settings;
  const plain = selectHyper(state.stats, state.model.folds, columns, grid);
  const all = side.built.get(everyKey(side));
  if (!all) throw new ForgetscopeError('internal', 'lowrank: the model with every side matrix was not built');
  const best = selectSideHyper(all.model.stats, all.side, all.model.folds, columns, grid, state.options.sideAlphas);
  if (best && (!Number.isFinite(plain.looRmse) || best.looRmse < plain.looRmse * (1 - 1e-12)))
    return finish(state, columns, { hyper: best.hyper, looRmse: best.looRmse, on: all });
  return finish(state, columns, { hyper: plain.hyper, looRmse: plain.looRmse, on: null });
}

/** `decide`, building the side models the selection visits first. */
async function decideAsync(state: LowrankState, columns: Int32Array): Promise<LowrankDecision> {
  const hit = state.cache.get(Array.from(columns).join(','));
  if (hit) return hit.decision;
  const side = state.side;
  if (!side || state.options.hyper || side.selectAll) return decide(state, columns);
  const selection = await selectSideSetAsync(side.candidates.length, plainScore(state, columns), async (set) =>
    scoreSet(state, await side.modelFor(set), columns),
  );
  const { hyper, looRmse } = selection.score;
  return finish(state, columns, { hyper, looRmse, on: chosenModel(side, selection), selection });
}

/** The prediction (and interval) of a new row from its measured entries. */
async function predictRow(state: LowrankState, known: KnownEntries): Promise<RowPrediction> {
  const { n, settings, model } = state;
  checkKnownEntries(known, n);
  const { hyper, kappa, sideKept } = await decideAsync(state, known.columns);
  if (!settings.variants.includes(hyper.variant))
    throw new ForgetscopeError('usage', `lowrank: variant ${hyper.variant} was not fitted`);
  const intervals = {
    kappa: settings.wantIntervals ? kappa : NaN,
    probeLevel: settings.calibration === 'probes' ? settings.level : NaN,
  };
  const hit = state.cache.get(Array.from(known.columns).join(','));
  const on = hit?.on ?? null;
  const raw =
    on && hyper.side !== undefined
      ? await predictTask(on.model, known, hyper, intervals, {
          stats: on.side,
          row: sideValuesOf(known.side, on.side.names, n),
        })
      : await predictTask(model, known, hyper, intervals);
  const out = withEffects(raw, known, state.features, hit?.effects ?? null);
  return sideKept ? { ...out, sideKept } : out;
}

/** The example covariates a fit uses: given, built from the train matrix (default), or none. */
function effectFeatures(train: ForgettingMatrix, option: LowrankOptions['exampleEffects']): ExampleFeatures | null {
  if (option === false) return null;
  if (option === undefined || option === true) return exampleFeatures(train);
  if (option.n !== train.cols)
    throw new ForgetscopeError(
      'shape',
      `lowrank: example covariates have ${option.n} columns, the matrix ${train.cols}`,
    );
  return option.p > 0 ? option : null;
}

/** The effects' prior learned from the held-out train rows' residuals at the calibration columns. */
function heldOutEffects(features: ExampleFeatures, heldOut: readonly HeldOutFit[]): EffectsPrior | null {
  const first = heldOut[0];
  if (!first) return null;
  const residuals = heldOut.map(({ truth, prediction }) =>
    Float64Array.from(truth, (y, t) => y - (prediction[t] ?? 0)),
  );
  return effectsPrior(features, first.probe, residuals);
}

/**
 * The held-out train rows as lowrank would return them with example effects: each row's prediction at
 * the calibration columns moved by X·β, β its effects from its own residuals at the measured columns
 * (the interval scale is then calibrated on the errors of the corrected predictions).
 */
function heldOutCorrected(
  features: ExampleFeatures,
  effects: EffectsPrior,
  columns: Int32Array,
  heldOut: readonly HeldOutFit[],
): HeldOutFit[] {
  return heldOut.map((fit) => {
    const shift = effectsAt(features, effectsOf(features, effects, columns, fit.knownResidual), fit.probe);
    return { ...fit, prediction: fit.prediction.map((v, t) => v + (shift[t] ?? 0)) };
  });
}

/**
 * A completed row corrected by the task's example effects (`effectsCorrection` of its residuals at the
 * measured columns); the interval moves with the prediction.
 */
function withEffects(
  out: RowPrediction,
  known: KnownEntries,
  features: ExampleFeatures | null,
  effects: EffectsPrior | null,
): RowPrediction {
  if (!features || !effects) return out;
  const { columns, values } = known;
  const residual = Float64Array.from(columns, (j, t) => (values[t] ?? 0) - (out.prediction[j] ?? 0));
  const correction = effectsCorrection(features, effects, columns, residual);
  const shift = (x: Float64Array) => x.map((v, j) => v + (correction[j] ?? 0));
  return {
    ...out,
    prediction: shift(out.prediction),
    ...(out.lower ? { lower: shift(out.lower) } : {}),
    ...(out.upper ? { upper: shift(out.upper) } : {}),
  };
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
    fullBases(stats, [variant], rank, backend).then((m) => {
      const basis = m.get(variant);
      if (!basis) throw new ForgetscopeError('internal', `lowrank: no full basis formed for ${variant}`);
      return basis;
    });
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
