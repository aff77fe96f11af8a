/**
 * The paper's evaluation protocol (§3 of the forgetting-matrix spec), reproduced exactly: a fixed
 * train/test row split; for every test row and seed a fresh numpy `default_rng(seed)` draws
 * `choice(N, k)` with replacement (so all test rows of one seed share their known columns and
 * duplicates collapse); each method completes the row from the distinct known columns; predictions
 * are clipped to [−100, 100]; only the unknown (and observed) columns are scored; metrics are pooled
 * over all test rows of a seed, then averaged over seeds.
 */
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { Backend } from '../../linalg/types.js';
import type { CompletionMethod, FittedCompletion, KnownEntries } from '../types.js';
import type { ProgressSink } from '../../util/progress.js';
import { ForgetscopeError } from '../../util/errors.js';
import { checkSideShapes, selectSideRows, sideRowOf, type SideMatrices } from '../../matrix/sideMatrices.js';
import { defaultRng } from './generator.js';
import { completionMetrics, meanMetrics, type CompletionMetrics } from './metrics.js';
import { itemAt } from '../../util/checked.js';

/** Where a method's predictions are clipped before scoring (the released code's rating scale). */
export const PREDICTION_CLIP = 100;

/** What a probe selector gets to decide which columns of a test row to measure. */
export interface ProbeContext {
  /** The train rows (the only rows a selector may look at). */
  train: ForgettingMatrix;
  /** Number of columns to draw. */
  k: number;
  seed: number;
  /** Index of the test row in the evaluated matrix (for bookkeeping only, not its values). */
  testRow: number;
}

/**
 * Chooses the columns to measure for one test row: returns column indices as drawn (duplicates
 * allowed; they collapse). `'paper'` is numpy's `default_rng(seed).choice(N, k)`.
 */
export type ProbeSelector = (context: ProbeContext) => Int32Array | Promise<Int32Array>;

/** The paper's selector: a fresh `default_rng(seed)` per test row, `choice(N, k)` with replacement. */
export const paperProbes: ProbeSelector = ({ train, k, seed }) => defaultRng(seed).choice(train.cols, k);

/** Options of `evaluate`. */
export interface EvaluateOptions {
  trainRows: ArrayLike<number>;
  testRows: ArrayLike<number>;
  /** Number of columns drawn per test row (paper: 30). */
  known?: number;
  /** Seeds (paper: 0..9). */
  seeds?: readonly number[];
  methods: readonly CompletionMethod[];
  /** `'paper'` (default) or a custom selector (e.g. active probes). */
  select?: 'paper' | ProbeSelector;
  backend?: Backend;
  /**
   * Side matrices aligned with `matrix` (all rows): the train rows' part goes to every method's `fit`,
   * each test row's side row to its `predictRow` (known before any entry is measured).
   */
  side?: SideMatrices;
  /** Progress over all (method, seed, test row) fits. */
  progress?: ProgressSink;
}

/**
 * How well a method's prediction intervals cover, pooled like the RMSE over the unmeasured observed
 * entries of the test rows (per seed, then averaged over seeds). Present only for a method whose every
 * completed row came with `lower` and `upper`.
 */
export interface IntervalMetrics {
  /** Share of the unmeasured test entries inside [lower, upper] (the method's nominal level, 0.9 by default). */
  coverage?: number;
  /** Mean of upper − lower over the same entries. */
  intervalWidth?: number;
}

/**
 * Which side matrices a method that chooses among them (`lowrank`) kept, over the completed rows:
 * present only when every completed row says (`RowPrediction.sideKept`).
 */
export interface SideKeptMetrics {
  /** Names kept for at least one completed row, in the order the side matrices were given. */
  sideKept?: string[];
  /** Per name in `sideKept`: the share of completed rows that kept it. */
  sideKeptShare?: Record<string, number>;
}

/** Metrics of one seed, pooled over its test rows. */
export interface SeedMetrics extends CompletionMetrics, IntervalMetrics, SideKeptMetrics {
  seed: number;
  /** Distinct known columns of the first test row (all rows share them under the paper's draw). */
  nKnown: number;
}

/** One method's evaluation: metrics averaged over seeds, per-seed metrics and the time spent. */
export interface MethodEvaluation extends CompletionMetrics, IntervalMetrics, SideKeptMetrics {
  /** Wall time over all of the method's fits (fit + per-row completion), seconds. */
  seconds: number;
  /** Number of completed rows: test rows × seeds. */
  fits: number;
  perSeed: SeedMetrics[];
}

/** The result of `evaluate`. */
export interface EvaluationResult {
  methods: Record<string, MethodEvaluation>;
  select: string;
  known: number;
  seeds: number[];
  trainRows: number[];
  testRows: number[];
  /** Columns as drawn: `knownColumns[testRow][seed]`. */
  knownColumns: Record<string, Record<string, number[]>>;
}

/** Distinct ascending columns of a draw that are observed in `row` (mask null = all observed). */
export function knownEntriesOf(drawn: Int32Array, row: ArrayLike<number>, mask: Uint8Array | null): KnownEntries {
  const sorted = Int32Array.from(new Set(drawn)).sort();
  const cols: number[] = [];
  for (const c of sorted) if (!mask || mask[c] === 1) cols.push(c);
  const columns = Int32Array.from(cols);
  return { columns, values: Float64Array.from(columns, (c) => itemAt(row, c)) };
}

/**
 * Runs the protocol for every method.
 *
 * @example
 * const result = await evaluate(z, { trainRows: range(0, 46), testRows: range(46, 66), methods: [additive()] });
 * result.methods.additive.rmse;
 */
export async function evaluate(matrix: ForgettingMatrix, options: EvaluateOptions): Promise<EvaluationResult> {
  const trainRows = Array.from(options.trainRows);
  const testRows = Array.from(options.testRows);
  const k = options.known ?? 30;
  const seeds = [...(options.seeds ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])];
  validateSplit(matrix, trainRows, testRows, k, seeds);
  const select: ProbeSelector =
    options.select === undefined || options.select === 'paper' ? paperProbes : options.select;
  const selectName = options.select === undefined || options.select === 'paper' ? 'paper' : 'custom';
  const train = matrix.selectRows(Int32Array.from(trainRows));
  const n = matrix.cols;
  const side = options.side && options.side.length > 0 ? options.side : null;
  if (side) checkSideShapes(side, matrix.rows, matrix.cols);
  const trainSide = side ? selectSideRows(side, trainRows) : null;

  // Draw every (test row, seed) once; all methods see the same known columns.
  const knownColumns: Record<string, Record<string, number[]>> = {};
  const known = new Map<string, KnownEntries>();
  for (const t of testRows) {
    const perSeed: Record<string, number[]> = {};
    knownColumns[String(t)] = perSeed;
    for (const seed of seeds) {
      const drawn = await select({ train, k, seed, testRow: t });
      for (const c of drawn) {
        if (!Number.isInteger(c) || c < 0 || c >= n)
          throw new ForgetscopeError('internal', `probe selector returned column ${c}`);
      }
      perSeed[String(seed)] = Array.from(drawn);
      const entries = knownEntriesOf(drawn, matrix.row(t), matrix.rowMask(t));
      known.set(`${t}:${seed}`, side ? { ...entries, side: sideRowOf(side, t) } : entries);
    }
  }

  const total = options.methods.length * seeds.length * testRows.length;
  const knownOf = (t: number, seed: number): KnownEntries => {
    const entries = known.get(`${t}:${seed}`);
    if (!entries) throw new ForgetscopeError('internal', `no known columns were drawn for row ${t}, seed ${seed}`);
    return entries;
  };
  let done = 0;
  const methods: Record<string, MethodEvaluation> = {};
  for (const method of options.methods) {
    let seconds = 0;
    const t0 = performance.now();
    const fitted: FittedCompletion = await method.fit(train, {
      seed: seeds[0] ?? 0,
      ...(options.backend ? { backend: options.backend } : {}),
      ...(trainSide ? { side: trainSide } : {}),
    });
    seconds += (performance.now() - t0) / 1000;
    const perSeed: SeedMetrics[] = [];
    // intervals are scored only when every completed row of every seed has them
    let allIntervals = true;
    const keptAll = side ? new KeptCounts(side) : null;
    for (const seed of seeds) {
      const keptSeed = side ? new KeptCounts(side) : null;
      const truth: number[] = [];
      const pred: number[] = [];
      const cover = { inside: 0, width: 0, count: 0 };
      for (const t of testRows) {
        const entries = knownOf(t, seed);
        const t1 = performance.now();
        const { prediction, lower, upper, sideKept } = await fitted.predictRow(entries, { seed });
        seconds += (performance.now() - t1) / 1000;
        keptSeed?.add(sideKept);
        keptAll?.add(sideKept);
        collectUnknown(matrix, t, entries.columns, prediction, fitted.scoresOnly === true, truth, pred);
        if (lower && upper && !fitted.scoresOnly) intervalCounts(matrix, t, entries.columns, lower, upper, cover);
        else allIntervals = false;
        options.progress?.(++done, total, `evaluate ${method.name}`);
      }
      perSeed.push({
        seed,
        nKnown: knownOf(itemAt(testRows, 0, 'test row'), seed).columns.length,
        ...completionMetrics(truth, pred, { scoresOnly: fitted.scoresOnly === true }),
        ...(allIntervals && cover.count > 0
          ? { coverage: cover.inside / cover.count, intervalWidth: cover.width / cover.count }
          : {}),
        ...keptSeed?.metrics(),
      });
    }
    const intervals: IntervalMetrics = {};
    const scored = perSeed.flatMap(({ coverage, intervalWidth }) =>
      coverage === undefined || intervalWidth === undefined ? [] : [{ coverage, intervalWidth }],
    );
    if (allIntervals && scored.length === perSeed.length) {
      intervals.coverage = scored.reduce((acc, m) => acc + m.coverage, 0) / perSeed.length;
      intervals.intervalWidth = scored.reduce((acc, m) => acc + m.intervalWidth, 0) / perSeed.length;
    } else {
      for (const m of perSeed) {
        delete m.coverage;
        delete m.intervalWidth;
      }
    }
    methods[method.name] = {
      ...meanMetrics(perSeed),
      ...intervals,
      ...keptAll?.metrics(),
      seconds,
      fits: seeds.length * testRows.length,
      perSeed,
    };
  }
  return { methods, select: selectName, known: k, seeds, trainRows, testRows, knownColumns };
}

/** Counts of the side matrices kept over completed rows (`SideKeptMetrics`). */
class KeptCounts {
  private rows = 0;
  private silent = false;
  private readonly counts = new Map<string, number>();
  constructor(private readonly side: SideMatrices) {}
  add(kept: readonly string[] | undefined): void {
    this.rows++;
    if (!kept) this.silent = true;
    else for (const name of kept) this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
  metrics(): SideKeptMetrics {
    if (this.silent || this.rows === 0) return {};
    const names: string[] = [];
    const share: Record<string, number> = {};
    for (const { name } of this.side) {
      const count = this.counts.get(name);
      if (count === undefined) continue;
      names.push(name);
      share[name] = count / this.rows;
    }
    return { sideKept: names, sideKeptShare: share };
  }
}

/** Appends the observed unknown cells of test row `t` (truth, clipped prediction) to the pools. */
function collectUnknown(
  matrix: ForgettingMatrix,
  t: number,
  knownCols: Int32Array,
  prediction: Float64Array,
  scoresOnly: boolean,
  truth: number[],
  pred: number[],
): void {
  const n = matrix.cols;
  if (prediction.length !== n)
    throw new ForgetscopeError('internal', `prediction has ${prediction.length} entries, expected ${n}`);
  const row = matrix.row(t);
  const mask = matrix.rowMask(t);
  let q = 0;
  for (let j = 0; j < n; j++) {
    if (q < knownCols.length && knownCols[q] === j) {
      q++;
      continue;
    }
    if (mask && mask[j] === 0) continue;
    truth.push(itemAt(row, j));
    const p = itemAt(prediction, j);
    pred.push(scoresOnly ? p : Math.min(PREDICTION_CLIP, Math.max(-PREDICTION_CLIP, p)));
  }
}

/**
 * Adds test row `t`'s unmeasured observed entries to the interval counts: how many lie inside
 * [lower, upper] (bounds included), the summed width upper − lower, and how many there are.
 */
function intervalCounts(
  matrix: ForgettingMatrix,
  t: number,
  knownCols: Int32Array,
  lower: Float64Array,
  upper: Float64Array,
  into: { inside: number; width: number; count: number },
): void {
  const n = matrix.cols;
  if (lower.length !== n || upper.length !== n)
    throw new ForgetscopeError(
      'internal',
      `interval bounds have ${lower.length}/${upper.length} entries, expected ${n}`,
    );
  const row = matrix.row(t);
  const mask = matrix.rowMask(t);
  const measured = new Uint8Array(n);
  for (const j of knownCols) measured[j] = 1;
  for (let j = 0; j < n; j++) {
    if (measured[j] || (mask && mask[j] === 0)) continue;
    const y = itemAt(row, j);
    if (y >= itemAt(lower, j) && y <= itemAt(upper, j)) into.inside++;
    into.width += itemAt(upper, j) - itemAt(lower, j);
    into.count++;
  }
}

function validateSplit(
  matrix: ForgettingMatrix,
  trainRows: number[],
  testRows: number[],
  k: number,
  seeds: number[],
): void {
  const check = (rows: number[], what: string): void => {
    if (rows.length === 0) throw new ForgetscopeError('usage', `no ${what} rows given`);
    for (const r of rows) {
      if (!Number.isInteger(r) || r < 0 || r >= matrix.rows) {
        throw new ForgetscopeError('usage', `${what} row ${r} is out of range 0..${matrix.rows - 1}`);
      }
    }
  };
  check(trainRows, 'train');
  check(testRows, 'test');
  const trainSet = new Set(trainRows);
  const overlap = testRows.filter((r) => trainSet.has(r));
  if (overlap.length > 0) throw new ForgetscopeError('usage', `rows ${overlap.join(',')} are both train and test rows`);
  if (!Number.isInteger(k) || k < 1)
    throw new ForgetscopeError('usage', `--known must be a positive integer, got ${k}`);
  if (seeds.length === 0) throw new ForgetscopeError('usage', 'no seeds given');
  for (const s of seeds) {
    if (!Number.isSafeInteger(s) || s < 0)
      throw new ForgetscopeError('usage', `seed ${s} must be a non-negative integer`);
  }
}
