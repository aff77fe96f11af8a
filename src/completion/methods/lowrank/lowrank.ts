import { defaultBackend } from '../../../linalg/defaultBackend.js';
import type { Backend } from '../../../linalg/types.js';
import { ForgetscopeError } from '../../../util/errors.js';
import type { CompletionMethod, FitOptions, FittedCompletion, KnownEntries, RowPrediction } from '../../types.js';
import { checkKnownEntries } from '../../known.js';
import { calibrationColumns, probeConformalScale } from '../../conformal.js';
import { columnFormsOn } from '../../../linalg/columnFormsOn.js';
import {
  addComponents,
  calibrateScale,
  calibrateSideScale,
  defaultGrid,
  fullBases,
  gatherColumns,
  knownLooResiduals,
  knownNormal,
  LOWRANK_VARIANTS,
  penaltyScale,
  predictSideRow,
  prepareFolds,
  probeScale,
  residualizeTrain,
  ridgeForms,
  selectHyper,
  selectSideHyper,
  selectSideSet,
  selectSideSetAsync,
  sideFoldSse,
  sideStats,
  subsetSideStats,
  jointSlopes,
  plainFoldSse,
  sideValuesOf,
  solveRidge,
  trainStats,
  variantBasis,
  type Fold,
  type FullBasis,
  type SideScore,
  type SideSelection,
  type LowrankGrid,
  type LowrankHyper,
  type LowrankVariant,
  type SideStats,
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
  fit: fitLowrank,
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

/** One set of kept side matrices: its residualised train statistics, side statistics, bases and folds. */
interface SideModel {
  set: readonly number[];
  stats: TrainStats;
  side: SideStats;
  basis: (v: LowrankVariant, k?: number) => Promise<FullBasis>;
  folds: Fold[];
}

/** `lowrank.fit` with its richer return type. */
export async function fitLowrank(train: ForgettingMatrix, options: LowrankOptions = {}): Promise<FittedLowrank> {
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

async function fitLowrankFresh(train: ForgettingMatrix, options: LowrankOptions): Promise<FittedLowrank> {
  const backend: Backend = options.backend ?? defaultBackend();
  const m = train.rows;
  const n = train.cols;
  const maxRank = Math.max(0, Math.min(options.maxRank ?? 40, m - 1));
  const variants = options.variants ?? (options.hyper ? [options.hyper.variant] : LOWRANK_VARIANTS);
  if (variants.length === 0) throw new ForgetscopeError('usage', 'lowrank: no centring variant to consider');
  const level = options.level ?? 0.9;
  if (!(level > 0 && level < 1))
    throw new ForgetscopeError('usage', `lowrank: interval level must be in (0, 1), got ${level}`);
  const wantIntervals = options.intervals ?? true;
  const calibration = options.calibration ?? 'probes';
  if (calibration !== 'probes' && calibration !== 'train')
    throw new ForgetscopeError('usage', `lowrank: calibration must be probes or train, got ${String(calibration)}`);
  options.progress?.(0, 3, 'lowrank: Gram');
  const stats = await trainStats(train, backend);
  options.progress?.(1, 3, 'lowrank: bases');
  const bases = new Map<LowrankVariant, FullBasis>();
  const basisFor = lazyBases(stats, variants, maxRank, backend, bases);
  const needFolds = !options.hyper || wantIntervals;
  options.progress?.(2, 3, 'lowrank: folds');
  const folds = needFolds ? prepareFolds(stats, variants, maxRank, options.maxFolds ?? 60) : [];
  options.progress?.(3, 3, 'lowrank: ready');
  const base = defaultGrid(maxRank, variants);
  const grid: LowrankGrid = {
    variants: options.grid?.variants ?? base.variants,
    ranks: options.grid?.ranks ?? base.ranks,
    alphas: options.grid?.alphas ?? base.alphas,
  };
  const calib = calibrationColumns(n, options.calibrationColumns ?? 400);
  const cache = new Map<string, { decision: LowrankDecision; model: SideModel | null }>();
  // With side: per set of kept side matrices, a model on the residualised train block Z − γ_h·S_h
  // (its own Gram, bases and folds), whose side term carries each task's side pattern; the raw model
  // stays the side-off option. Which set is kept is chosen per column set (`sideSelect.ts`); the
  // models are built on first use.
  const candidates = options.side && options.side.length > 0 ? options.side : null;
  const sideSelection = options.sideSelection ?? 'loo';
  if (sideSelection !== 'loo' && sideSelection !== 'all')
    throw new ForgetscopeError('usage', `lowrank: sideSelection must be loo or all, got ${String(sideSelection)}`);
  const selectAll = sideSelection === 'all';
  const rawAll = candidates ? await sideStats(stats, candidates, backend) : null;
  const models = new Map<string, Promise<SideModel>>();
  const built = new Map<string, SideModel>();
  async function buildSideModel(set: readonly number[]): Promise<SideModel> {
    const raw = subsetSideStats(rawAll!, set);
    if (set.length > 1 && selectAll === false) raw.slope = jointSlopes(raw, stats);
    const resid = new ForgettingMatrix({
      values: residualizeTrain(stats, raw),
      taskIds: train.taskIds,
      exampleIds: train.exampleIds,
    });
    const rstats = await trainStats(resid, backend);
    const rside: SideStats = {
      ...(await sideStats(
        rstats,
        set.map((l) => candidates![l]!),
        backend,
      )),
      slope: raw.slope,
      residualized: true,
    };
    const model: SideModel = {
      set,
      stats: rstats,
      side: rside,
      basis: lazyBases(rstats, variants, maxRank, backend, new Map()),
      folds: needFolds ? prepareFolds(rstats, variants, maxRank, options.maxFolds ?? 60) : [],
    };
    built.set(set.join(','), model);
    return model;
  }
  function modelFor(set: readonly number[]): Promise<SideModel> {
    const key = set.join(',');
    let p = models.get(key);
    if (!p) models.set(key, (p = buildSideModel(set)));
    return p;
  }
  if (candidates) {
    // a fixed setting and `all` use every side matrix; with up to three candidates every set's model
    // is built now (the greedy search visits up to 6 of the 7 sets), so that `decide` runs without
    // `decideAsync`; more candidates are built as the search visits them
    if (options.hyper || selectAll) await modelFor(candidates.map((_, l) => l));
    else if (candidates.length <= 3)
      for (let mask = 1; mask < 1 << candidates.length; mask++)
        await modelFor(candidates.map((_, l) => l).filter((l) => mask & (1 << l)));
  }

  function scoreSet(model: SideModel, columns: Int32Array): SideScore | null {
    const best = selectSideHyper(model.stats, model.side, model.folds, columns, grid, options.sideAlphas);
    if (!best) return null;
    const hyper = best.hyper;
    return { ...best, foldSse: sideFoldSse(model.stats, model.side, model.folds, columns, hyper) };
  }

  function plainScore(columns: Int32Array): SideScore {
    const plain = selectHyper(stats, folds, columns, grid);
    const foldSse = Number.isFinite(plain.looRmse)
      ? plainFoldSse(stats, folds, columns, plain.hyper)
      : new Float64Array(folds.length).fill(Infinity);
    return { ...plain, foldSse };
  }

  function finish(
    columns: Int32Array,
    hyper: LowrankHyper,
    looRmse: number,
    model: SideModel | null,
    selection?: SideSelection,
  ): LowrankDecision {
    const sideHyper = model && hyper.side !== undefined ? { ...hyper, side: hyper.side } : null;
    const kappa = !wantIntervals
      ? NaN
      : sideHyper
        ? calibrateSideScale(model!.stats, model!.side, model!.folds, columns, sideHyper, level, calib)
        : calibrateScale(stats, folds, columns, hyper, level, calib);
    const decision: LowrankDecision = {
      hyper,
      looRmse,
      kappa,
      ...(candidates ? { sideKept: sideHyper ? [...model!.side.names] : [] } : {}),
      ...(selection
        ? {
            sideSteps: selection.steps.map(({ candidate, gain, se, entered }) => ({
              name: rawAll!.names[candidate]!,
              gain,
              se,
              entered,
            })),
          }
        : {}),
    };
    if (cache.size > 256) cache.delete(cache.keys().next().value!);
    cache.set(Array.from(columns).join(','), { decision, model: sideHyper ? model : null });
    return decision;
  }

  function chosenModel(selection: SideSelection): SideModel | null {
    return selection.kept.length > 0 ? built.get(selection.kept.join(','))! : null;
  }

  function decide(columns: Int32Array): LowrankDecision {
    const hit = cache.get(Array.from(columns).join(','));
    if (hit) return hit.decision;
    if (options.hyper) {
      const model = candidates ? built.get(candidates.map((_, l) => l).join(','))! : null;
      return finish(columns, options.hyper, NaN, model);
    }
    if (!candidates) {
      const plain = selectHyper(stats, folds, columns, grid);
      return finish(columns, plain.hyper, plain.looRmse, null);
    }
    if (selectAll) {
      // side or not, every given side matrix in the ridge
      const plain = selectHyper(stats, folds, columns, grid);
      const all = built.get(candidates.map((_, l) => l).join(','))!;
      const withSide = selectSideHyper(all.stats, all.side, all.folds, columns, grid, options.sideAlphas);
      if (withSide && (!Number.isFinite(plain.looRmse) || withSide.looRmse < plain.looRmse * (1 - 1e-12)))
        return finish(columns, withSide.hyper, withSide.looRmse, all);
      return finish(columns, plain.hyper, plain.looRmse, null);
    }
    const selection = selectSideSet(candidates.length, plainScore(columns), (set) => {
      const model = built.get(set.join(','));
      if (!model)
        throw new ForgetscopeError(
          'usage',
          'lowrank: with several side matrices, decide(columns) needs their models: call decideAsync(columns) or predictRow first',
        );
      return scoreSet(model, columns);
    });
    return finish(columns, selection.score.hyper, selection.score.looRmse, chosenModel(selection), selection);
  }

  async function decideAsync(columns: Int32Array): Promise<LowrankDecision> {
    const hit = cache.get(Array.from(columns).join(','));
    if (hit) return hit.decision;
    if (!candidates || options.hyper || selectAll) return decide(columns);
    const selection = await selectSideSetAsync(candidates.length, plainScore(columns), async (set) =>
      scoreSet(await modelFor(set), columns),
    );
    return finish(columns, selection.score.hyper, selection.score.looRmse, chosenModel(selection), selection);
  }

  async function predictRow(known: KnownEntries): Promise<RowPrediction> {
    checkKnownEntries(known, n);
    const { hyper, kappa, sideKept } = await decideAsync(known.columns);
    if (!variants.includes(hyper.variant))
      throw new ForgetscopeError('usage', `lowrank: variant ${hyper.variant} was not fitted`);
    const model = cache.get(Array.from(known.columns).join(','))?.model ?? null;
    if (model && hyper.side !== undefined) {
      const sideRow = sideValuesOf(known.side, model.side.names, n);
      const sideBasis = await model.basis(hyper.variant);
      const out = await predictSideRow(
        sideBasis,
        n,
        model.side,
        m,
        sideRow,
        known.columns,
        known.values,
        { k: hyper.k, alpha: hyper.alpha, side: hyper.side },
        wantIntervals ? kappa : NaN,
        calibration === 'probes' ? level : NaN,
      );
      return { ...out, sideKept: sideKept! };
    }
    const kept = sideKept ? { sideKept } : {};
    if (wantIntervals && Number.isFinite(kappa))
      return {
        ...(await predictWithIntervals(
          stats,
          smallBasis(hyper.variant),
          known,
          hyper,
          kappa,
          calibration === 'probes' ? level : NaN,
          backend,
        )),
        ...kept,
      };
    // only the leading hyper.k components are used: a prefix basis suffices (see `lazyBases`)
    const basis = await basisFor(hyper.variant, hyper.k);
    const r = basis.r;
    const kk = known.columns.length;
    const vk = new Float64Array(kk * r);
    const cK = new Float64Array(kk);
    for (let t = 0; t < kk; t++) {
      const j = known.columns[t]!;
      cK[t] = known.values[t]! - basis.offset[j]!;
      for (let c = 0; c < r; c++) vk[t * r + c] = basis.v[c * n + j]!;
    }
    const normal = knownNormal(vk, cK, r);
    const k = Math.min(hyper.k, r);
    const sol =
      solveRidge(normal, basis, n, k, hyper.alpha, hyper.variant === 'additive') ??
      solveRidge(normal, basis, n, k, Math.max(hyper.alpha, 1), hyper.variant === 'additive')!;
    let intercept = 0;
    const w = new Float64Array(k);
    for (let x = 0; x < sol.index.length; x++) {
      const ix = sol.index[x]!;
      if (ix === 0) intercept = sol.beta[x]!;
      else w[ix - 1] = sol.beta[x]!;
    }
    // offset + a, then one contiguous axpy per component (V is column-major): O(k·N), streaming.
    const prediction = new Float64Array(n);
    const v = basis.v;
    const offset = basis.offset;
    addComponents(prediction, v, n, w, k, offset, intercept);
    return { prediction, ...kept };
  }

  // The full-train singular values and left vectors per centring (the M×M eigenproblem only).
  const small = new Map<LowrankVariant, VariantBasis>();
  const allRows = Int32Array.from({ length: m }, (_, i) => i);
  function smallBasis(variant: LowrankVariant): VariantBasis {
    let b = small.get(variant);
    if (!b) small.set(variant, (b = variantBasis(stats, allRows, variant, maxRank)));
    return b;
  }

  async function basisOf(variant: LowrankVariant): Promise<FullBasis> {
    return basisFor(variant);
  }

  return { predictRow, decide, decideAsync, bases, basis: basisOf };
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

/**
 * A prediction with intervals straight from the train block, without the N×k right singular vectors:
 * V_K at the measured columns from the gathered columns, the ridge fit as in the basis path, then one
 * `columnForms` pass (on the backend: `columnFormsOn`) over the centred train columns gives every column's prediction, parameter
 * variance ‖L⁻¹·(1?, v_j)‖² and residual energy (see `ridgeForms`). O(M·N·(k + 2)) in one streaming
 * pass; nothing of size N·k is formed.
 */
async function predictWithIntervals(
  stats: TrainStats,
  basis: VariantBasis,
  known: KnownEntries,
  hyper: LowrankHyper,
  kappa: number,
  probeLevel: number,
  backend: Backend,
): Promise<RowPrediction> {
  const { m, n } = stats;
  const centred = hyper.variant !== 'uncentered';
  const additive = hyper.variant === 'additive';
  const k = Math.min(hyper.k, basis.r);
  const r = basis.r;
  const u = basis.u;
  const shift = additive ? Float64Array.from(stats.rowMeans, (x) => x - stats.grand) : null;
  const off = centred ? stats.colMeans : null;
  const block = gatherColumns(stats, known.columns);
  const kk = known.columns.length;
  const vk = new Float64Array(kk * k);
  const cK = new Float64Array(kk);
  const acc = new Float64Array(k);
  const energyK = new Float64Array(kk);
  for (let t = 0; t < kk; t++) {
    const j = known.columns[t]!;
    const o = off ? off[j]! : 0;
    cK[t] = known.values[t]! - o;
    acc.fill(0);
    let e = 0;
    for (let a = 0; a < m; a++) {
      const x = block.data[t * m + a]! - o - (shift ? shift[a]! : 0);
      e += x * x;
      for (let c = 0; c < k; c++) acc[c]! += x * u[a * r + c]!;
    }
    energyK[t] = e;
    for (let c = 0; c < k; c++) vk[t * k + c] = acc[c]! / basis.s[c]!;
  }
  const normal = knownNormal(vk, cK, k);
  const sol =
    solveRidge(normal, basis, n, k, hyper.alpha, additive) ??
    solveRidge(normal, basis, n, k, Math.max(hyper.alpha, 1), additive)!;
  const forms = ridgeForms(basis, sol);
  const { lin, quad, energy } = await columnFormsOn(backend, {
    z: stats.z.data,
    rows: m,
    cols: n,
    off,
    shift,
    g: forms.g,
    h: forms.h,
    t0: forms.t0,
  });
  const scale = penaltyScale(basis, n);
  const floor = 1e-300 + 1e-24 * scale;
  // how hard this task is, from its fit's leave-one-column-out residuals at the measured columns (κ was
  // calibrated with the same score)
  const loo = knownLooResiduals(vk, k, cK, sol);
  let residualSq = 0;
  for (let t = 0; t < kk; t++) residualSq += loo.residual[t]! * loo.residual[t]!;
  const rho = probeScale(residualSq, kk, sol.index.length, scale);
  // calibrated on the task's own probes where it has enough of them: the shape at a measured column
  // is the same form, with its leverage as the parameter variance
  const probeSd = Float64Array.from(loo.leverage, (h, t) =>
    Math.sqrt(scale * h + Math.max(energyK[t]!, 0) / basis.rows + floor),
  );
  const own = Number.isNaN(probeLevel) ? NaN : probeConformalScale(loo.residual, probeSd, probeLevel);
  const factor = Number.isFinite(own) ? own : kappa * rho;
  const prediction = new Float64Array(n);
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const y = (off ? off[j]! : 0) + forms.intercept + lin[j]!;
    const sd = factor * Math.sqrt(scale * quad[j]! + Math.max(energy[j]!, 0) / basis.rows + floor);
    prediction[j] = y;
    lower[j] = y - sd;
    upper[j] = y + sd;
  }
  return { prediction, lower, upper };
}
