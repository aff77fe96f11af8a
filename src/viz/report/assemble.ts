import type { ForgettingMatrix, MetaValue } from '../../matrix/ForgettingMatrix.js';
import type { Backend } from '../../linalg/types.js';
import type { ProgressSink } from '../../util/progress.js';
import { ForgetscopeError } from '../../util/errors.js';
import { analyzeStructure, type StructureAnalysis } from '../../analysis/analyzeStructure.js';
import { summarizeExamples, topForgotten } from '../../analysis/summarizeExamples.js';
import { hasExampleMeta, summarizeBySource } from '../../analysis/summarizeBySource.js';
import { summarizeTasks } from '../../analysis/summarizeTasks.js';
import { correlateTaskMetadata, type MetadataCorrelation } from '../../analysis/correlations.js';
import { evaluate, knownEntriesOf, type EvaluationResult, type ProbeSelector } from '../../completion/protocol/evaluate.js';
import { defaultRng } from '../../completion/protocol/generator.js';
import { createCompletionMethod } from '../../completion/registry.js';
import { selectActiveProbes } from '../../completion/probes/active.js';
import { planOfflineReplay } from '../../replay/offline.js';
import { DEFAULT_REPLAY_RATIO, replayCount } from '../../replay/replayCount.js';
import type { ReplayPlan } from '../../replay/types.js';
import type { RmseCurvePoint } from '../rmseCurve.js';
import type { PredictedVsTrueInput } from '../predicted.js';
import type { ReportData, ReportMethodScores, ReportModelFit, ReportProvenance, ReportReadSummary, ReportTask } from './types.js';
import { formatSeeds } from './buildReport.js';

/** The completion-evaluation part of a report. */
export interface ReportEvaluationOptions {
  trainRows: ArrayLike<number>;
  testRows: ArrayLike<number>;
  /** How the rows were given on the command line (shown in the report); default: index lists. */
  trainLabel?: string;
  testLabel?: string;
  /** Measured examples per test task (paper: 30). */
  known?: number;
  /** Seeds of the paper's probe draw (default 0–4). */
  seeds?: readonly number[];
  /** Registered method names (default: additive-ls, lowrank, knn-baseline). */
  methods?: readonly string[];
  /** `paper` (random draw, default) or `active` (deterministic probes chosen from the train rows). */
  select?: 'paper' | 'active';
  /** Method of the predicted-vs-true plot and the RMSE-versus-k curve (default lowrank). */
  plotMethod?: string;
  /** k values of the RMSE-versus-k curve (random vs active probes); omitted: no curve. */
  curveKs?: readonly number[];
}

/** The replay part of a report. */
export interface ReportReplayOptions {
  /** Row of the held-out task to plan for (must not be a train row). */
  task: number;
  /** Fine-tuning examples of the new task (n, not N); replay draws int(n·ratio) + 1. */
  nFineTune: number;
  ratio?: number;
  temperature?: number;
  seed?: number;
  /** Completion method that predicts the row (default lowrank). */
  method?: string;
  /** Measured examples of the task (default 30, drawn as in the paper's protocol with `seed`). */
  known?: number;
  /** 1 = never replay (held-out examples). */
  exclude?: Uint8Array;
}

/** Options of `assembleReport`. */
export interface AssembleReportOptions {
  title?: string;
  /** What was read, as the user named it. */
  name: string;
  format?: string;
  read?: ReportReadSummary;
  ranks?: number;
  backend?: Backend;
  /** Most-forgotten examples listed (default 15). */
  top?: number;
  sourceKey?: string;
  evaluation?: ReportEvaluationOptions;
  replay?: ReportReplayOptions;
  provenance: ReportProvenance;
  progress?: ProgressSink;
  /** Called as each stage starts: `analyze`, `evaluate`, `curve`, `replay`. */
  onStep?: (stage: string, detail: string) => void;
}

/** The report model plus the raw results behind it (for the CLI's summary and `--json`). */
export interface AssembledReport {
  data: ReportData;
  structure: StructureAnalysis;
  evaluation: EvaluationResult | null;
  curve: RmseCurvePoint[] | null;
  replay: ReplayPlan | null;
  correlations: MetadataCorrelation[];
  /** Seconds spent per step. */
  timings: Record<string, number>;
}

const DEFAULT_METHODS = ['additive-ls', 'lowrank', 'knn-baseline'];
/** Task metadata shown in the per-task table, when present. */
const TASK_META_KEYS = ['name', 'family', 'lr', 'steps', 'recipe'];

/**
 * Runs the analyses a report shows — structure (rank-k, additive …), audit summaries (examples,
 * sources, tasks, metadata correlations), optionally the completion protocol, an RMSE-versus-k curve
 * and a replay plan for one held-out task — and gathers them into a `ReportData` for
 * `buildReportHtml`. Every random step uses the given seeds.
 * @example
 * const { data } = await assembleReport(matrix, { name: 'z.csv', provenance, evaluation: { trainRows, testRows } });
 * const html = await buildReportHtml(data);
 */
export async function assembleReport(matrix: ForgettingMatrix, options: AssembleReportOptions): Promise<AssembledReport> {
  const progress = options.progress ?? (() => {});
  const onStep = options.onStep ?? (() => {});
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    const out = await f();
    timings[name] = (performance.now() - t0) / 1000;
    return out;
  };
  const missing: string[] = [];
  const summary = matrix.summary();

  onStep('analyze', `structure (ranks 1..${options.ranks ?? Math.min(5, matrix.rows, matrix.cols)}, additive, one-way) and audit summaries`);
  const structure = await timed('analyze', () =>
    analyzeStructure(matrix, {
      ...(options.ranks !== undefined ? { ranks: options.ranks } : {}),
      ...(options.backend ? { backend: options.backend } : {}),
      progress: (d, t, l) => progress(d, t, `analyze: ${l}`),
    }),
  );
  const lr = structure.lowRank;
  const models: ReportModelFit[] = [];
  for (let k = 0; k < lr.k; k++) {
    models.push({ name: k === 0 ? 'rank 1 (multiplicative u·v)' : `rank ${k + 1}`, r2: lr.r2[k]!, rmse: lr.rmse[k]!, note: `${lr.method}, uncentered` });
  }
  models.push(
    { name: 'additive μ + a_i + b_j', r2: structure.additive.r2, rmse: structure.additive.rmse, note: 'exact least squares' },
    { name: 'additive (paper code, regularised ALS)', r2: structure.additiveAls.r2, rmse: structure.additiveAls.rmse, note: 'Surprise BaselineOnly ALS' },
    { name: 'row means only', r2: structure.row.r2, rmse: structure.row.rmse },
    { name: 'column means only', r2: structure.column.r2, rmse: structure.column.rmse },
  );

  const examples = summarizeExamples(matrix);
  const top = topForgotten(matrix, examples, { count: options.top ?? 15 });
  const sourceKey = options.sourceKey ?? 'source';
  const sources = hasExampleMeta(matrix, sourceKey) ? summarizeBySource(matrix, { key: sourceKey }) : [];
  if (sources.length === 0) missing.push(`per-source tables: no example carries a "${sourceKey}" field`);
  const tasks = summarizeTasks(matrix, structure.multiplicative.taskScalars);
  const correlations = correlateTaskMetadata(tasks.mean, matrix.taskMeta);
  const metaKeys = TASK_META_KEYS.filter((k) => matrix.taskMeta.some((m) => m[k] !== undefined && m[k] !== null));
  const taskRows: ReportTask[] = matrix.taskIds.map((id, i) => {
    const meta: Record<string, MetaValue> = {};
    for (const k of metaKeys) meta[k] = matrix.taskMeta[i]![k] ?? null;
    return {
      task: id,
      mean: tasks.mean[i]!,
      max: tasks.max[i]!,
      fractionForgotten: tasks.fractionForgotten[i]!,
      ...(tasks.rankOneScalar ? { rankOneScalar: tasks.rankOneScalar[i]! } : {}),
      meta,
    };
  });

  const data: ReportData = {
    title: options.title ?? 'Forgetting audit',
    dataset: {
      name: options.name,
      ...(options.format ? { format: options.format } : {}),
      tasks: summary.tasks,
      examples: summary.examples,
      observed: summary.observed,
      mean: summary.mean,
      std: summary.std,
      min: summary.min,
      max: summary.max,
      fractionForgotten: summary.fractionPositive,
    },
    ...(options.read ? { read: options.read } : {}),
    heatmap: {
      values: matrix.values,
      rows: matrix.rows,
      cols: matrix.cols,
      mask: matrix.mask,
      taskIds: matrix.taskIds,
      taskFactor: structure.multiplicative.taskScalars,
      exampleFactor: structure.multiplicative.exampleScalars,
    },
    structure: { singularValues: lr.singularValues, r2: lr.r2, additiveR2: structure.additive.r2, models, backend: structure.backend },
    topForgotten: top.map((e) => ({
      example: e.example,
      mean: e.mean,
      max: e.max,
      fractionForgotten: e.fractionForgotten,
      ...(e.meta[sourceKey] !== undefined && e.meta[sourceKey] !== null ? { source: String(e.meta[sourceKey]) } : {}),
      ...(typeof e.meta['text'] === 'string' ? { text: e.meta['text'] } : {}),
    })),
    ...(sources.length > 0 ? { sources: sources.map((s) => ({ source: s.source, mean: s.mean, fractionForgotten: s.fractionForgotten, share: s.share, examples: s.examples })) } : {}),
    tasks: taskRows,
    taskCorrelations: correlations.map((c) => ({ key: c.key, n: c.n, pearson: c.pearson, spearman: c.spearman })),
    provenance: options.provenance,
    missing,
  };

  let evaluation: EvaluationResult | null = null;
  let curve: RmseCurvePoint[] | null = null;
  const ev = options.evaluation;
  if (ev) {
    const trainRows = Array.from(ev.trainRows);
    const testRows = Array.from(ev.testRows);
    const known = ev.known ?? 30;
    const seeds = [...(ev.seeds ?? [0, 1, 2, 3, 4])];
    const methodNames = ev.methods ?? DEFAULT_METHODS;
    const select = ev.select ?? 'paper';
    const train = matrix.selectRows(Int32Array.from(trainRows));
    const activeSelector = async (k: number): Promise<ProbeSelector> => {
      const probes = await selectActiveProbes(train, k, options.backend ? { backend: options.backend } : {});
      return () => probes;
    };
    onStep('evaluate', `${methodNames.join(', ')} on ${testRows.length} held-out tasks × ${seeds.length} seeds, ${known} measured examples each (${select === 'paper' ? 'paper protocol' : 'active probes'})`);
    evaluation = await timed('evaluate', async () =>
      evaluate(matrix, {
        trainRows,
        testRows,
        known,
        seeds,
        methods: methodNames.map((n) => createCompletionMethod(n)),
        ...(select === 'active' ? { select: await activeSelector(known) } : {}),
        ...(options.backend ? { backend: options.backend } : {}),
        progress: (d, t, l) => progress(d, t, l),
      }),
    );
    const methods: Record<string, ReportMethodScores> = {};
    for (const [name, m] of Object.entries(evaluation.methods)) {
      methods[name] = { rmse: m.rmse, f1: m.f1, precision: m.precision, recall: m.recall, auc: m.auc, seconds: m.seconds, fits: m.fits };
    }
    data.evaluation = {
      methods,
      select,
      known,
      seeds,
      trainRows: ev.trainLabel ?? formatSeeds(trainRows),
      testRows: ev.testLabel ?? formatSeeds(testRows),
      notes: [
        `Faithful paper methods: additive, knn, knn-baseline, svd, lgmf, lgmf-additive; closed-form: additive-ls, lowrank. "seconds" is each method's wall time over all its fits (test tasks × seeds).`,
      ],
    };

    // Predicted vs true for the first test task, seed = first seed, with the plot method.
    const plotMethod = ev.plotMethod ?? 'lowrank';
    const t = testRows[0]!;
    const drawn = select === 'active' ? await (await activeSelector(known))({ train, k: known, seed: seeds[0]!, testRow: t }) : defaultRng(seeds[0]!).choice(matrix.cols, known);
    const entries = knownEntriesOf(drawn, matrix.row(t), matrix.rowMask(t));
    const fitted = await createCompletionMethod(plotMethod).fit(train, { seed: seeds[0]!, ...(options.backend ? { backend: options.backend } : {}) });
    const { prediction } = await fitted.predictRow(entries, { seed: seeds[0]! });
    const truth = Float64Array.from(matrix.row(t));
    data.predicted = { truth, prediction, known: entries.columns, task: matrix.taskIds[t]!, method: plotMethod } satisfies PredictedVsTrueInput;

    if (ev.curveKs && ev.curveKs.length > 0) {
      onStep('curve', `RMSE versus k for ${plotMethod}, random vs active probes, k = ${ev.curveKs.join(', ')}`);
      curve = await timed('curve', async () => {
        const points: RmseCurvePoint[] = [];
        const ks = ev.curveKs!.filter((k) => k >= 1 && k <= matrix.cols);
        let done = 0;
        for (const k of ks) {
          for (const sel of ['random', 'active'] as const) {
            const r = await evaluate(matrix, {
              trainRows,
              testRows,
              known: k,
              seeds: sel === 'active' ? [seeds[0]!] : seeds,
              methods: [createCompletionMethod(plotMethod)],
              ...(sel === 'active' ? { select: await activeSelector(k) } : {}),
              ...(options.backend ? { backend: options.backend } : {}),
            });
            const m = r.methods[plotMethod]!;
            const perSeed = m.perSeed.map((s) => s.rmse).filter((x): x is number => x !== null && Number.isFinite(x));
            points.push({
              k,
              rmse: m.rmse ?? NaN,
              select: sel,
              method: plotMethod,
              ...(perSeed.length > 1 ? { lower: Math.min(...perSeed), upper: Math.max(...perSeed) } : {}),
            });
            progress(++done, ks.length * 2, 'RMSE versus k');
          }
        }
        return points;
      });
      data.rmseCurve = curve;
    } else {
      missing.push('RMSE-versus-k curve: not requested');
    }
  } else {
    missing.push('completion evaluation and predicted-vs-true plot: no --train-rows / --test-rows given');
  }

  let replay: ReplayPlan | null = null;
  const rp = options.replay;
  const eligible = rp ? matrix.cols - (rp.exclude ? countOnes(rp.exclude) : 0) : 0;
  const wanted = rp ? replayCount(rp.nFineTune, rp.ratio ?? DEFAULT_REPLAY_RATIO) : 0;
  if (rp && wanted > eligible) {
    missing.push(`replay plan: n = ${rp.nFineTune} asks for ${wanted} replayed examples but only ${eligible} may be replayed; give a smaller fine-tuning size or ratio`);
  } else if (rp) {
    const trainRows = ev ? Array.from(ev.trainRows) : matrix.taskIds.map((_, i) => i).filter((i) => i !== rp.task);
    if (trainRows.includes(rp.task)) throw new ForgetscopeError('usage', `replay task row ${rp.task} is also a train row`);
    const train = matrix.selectRows(Int32Array.from(trainRows));
    const seed = rp.seed ?? 0;
    const knownCount = rp.known ?? 30;
    const methodName = rp.method ?? 'lowrank';
    onStep('replay', `replay plan for held-out task ${matrix.taskIds[rp.task]} (${methodName} scores, n = ${rp.nFineTune})`);
    replay = await timed('replay', async () => {
      const entries = knownEntriesOf(defaultRng(seed).choice(matrix.cols, knownCount), matrix.row(rp.task), matrix.rowMask(rp.task));
      const fitted = await createCompletionMethod(methodName).fit(train, { seed, ...(options.backend ? { backend: options.backend } : {}) });
      const { prediction } = await fitted.predictRow(entries, { seed });
      return planOfflineReplay({
        train,
        known: entries,
        predicted: prediction,
        method: methodName,
        nFineTune: rp.nFineTune,
        seed,
        ...(rp.ratio !== undefined ? { ratio: rp.ratio } : {}),
        ...(rp.temperature !== undefined ? { temperature: rp.temperature } : {}),
        ...(rp.exclude ? { exclude: rp.exclude } : {}),
      });
    });
    data.replay = {
      weights: replay.weights,
      scores: replay.scores,
      selected: replay.selected,
      exampleIds: matrix.exampleIds,
      exampleMeta: matrix.exampleMeta,
      task: matrix.taskIds[rp.task]!,
      replayN: replay.replayN ?? replay.selected.length,
      temperature: replay.temperature,
      method: replay.method,
      seed: replay.seed,
      basis: `${knownCount} examples measured with the paper's random draw, seed ${seed}; the rest predicted by ${methodName} from ${trainRows.length} train tasks` +
        (rp.exclude ? `; ${countOnes(rp.exclude)} held-out examples excluded` : ''),
    };
  } else if (!rp) {
    missing.push('replay plan: no held-out task chosen');
  }

  return { data, structure, evaluation, curve, replay, correlations, timings };
}

function countOnes(mask: Uint8Array): number {
  let c = 0;
  for (const x of mask) c += x;
  return c;
}
