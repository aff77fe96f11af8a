import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import {
  evaluate,
  knownEntriesOf,
  type EvaluationResult,
  type ProbeSelector,
} from '../../completion/protocol/evaluate.js';
import { defaultRng } from '../../completion/protocol/generator.js';
import { createCompletionMethod } from '../../completion/registry.js';
import { selectActiveProbes } from '../../completion/probes/active.js';
import type { PredictedVsTrueInput } from '../../viz/predicted.js';
import type { ReportEvaluation, ReportMethodScores } from '../types.js';
import { formatSeeds } from '../formatSeeds.js';
import { backendOption, type StageContext } from './context.js';
import { ForgetscopeError } from '../../util/errors.js';
import { itemAt } from '../../util/checked.js';

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

/** The evaluation options with their defaults filled in. */
export interface EvaluationSetup {
  trainRows: number[];
  testRows: number[];
  known: number;
  seeds: number[];
  select: 'paper' | 'active';
  plotMethod: string;
  train: ForgettingMatrix;
  /** Active probes for k known examples, chosen from the train rows. */
  activeSelector: (k: number) => Promise<ProbeSelector>;
}

const DEFAULT_METHODS = ['additive-ls', 'lowrank', 'knn-baseline'];

/** Fills in the evaluation defaults and the train block. */
export function evaluationSetup(ctx: StageContext, ev: ReportEvaluationOptions): EvaluationSetup {
  const train = ctx.matrix.selectRows(Int32Array.from(Array.from(ev.trainRows)));
  return {
    trainRows: Array.from(ev.trainRows),
    testRows: Array.from(ev.testRows),
    known: ev.known ?? 30,
    seeds: [...(ev.seeds ?? [0, 1, 2, 3, 4])],
    select: ev.select ?? 'paper',
    plotMethod: ev.plotMethod ?? 'lowrank',
    train,
    activeSelector: async (k) => {
      const probes = await selectActiveProbes(train, k, backendOption(ctx));
      return () => probes;
    },
  };
}

/**
 * The completion protocol for every method (the model-comparison table), and predicted vs true for the
 * first test task with the plot method and the first seed.
 */
export async function evaluationStage(
  ctx: StageContext,
  ev: ReportEvaluationOptions,
  setup: EvaluationSetup,
): Promise<{
  evaluation: EvaluationResult;
  sections: { evaluation: ReportEvaluation; predicted: PredictedVsTrueInput };
}> {
  const { matrix, progress } = ctx;
  const { trainRows, testRows, known, seeds, select, train } = setup;
  const methodNames = ev.methods ?? DEFAULT_METHODS;
  ctx.onStep(
    'evaluate',
    `${methodNames.join(', ')} on ${testRows.length} held-out tasks × ${seeds.length} seeds, ${known} measured examples each (${select === 'paper' ? 'paper protocol' : 'active probes'})`,
  );
  const evaluation = await ctx.timed('evaluate', async () =>
    evaluate(matrix, {
      trainRows,
      testRows,
      known,
      seeds,
      methods: methodNames.map((n) => createCompletionMethod(n)),
      ...(select === 'active' ? { select: await setup.activeSelector(known) } : {}),
      ...backendOption(ctx),
      progress: (d, t, l) => progress(d, t, l),
    }),
  );
  const methods: Record<string, ReportMethodScores> = {};
  for (const [name, m] of Object.entries(evaluation.methods)) {
    const stderr: NonNullable<ReportMethodScores['stderr']> = {};
    for (const key of ['rmse', 'f1', 'precision', 'recall', 'auc'] as const)
      stderr[key] = standardError(m.perSeed.map((p) => p[key]));
    methods[name] = {
      rmse: m.rmse,
      f1: m.f1,
      precision: m.precision,
      recall: m.recall,
      auc: m.auc,
      seconds: m.seconds,
      fits: m.fits,
      stderr,
    };
  }
  const section: ReportEvaluation = {
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
  const t = testRows[0];
  const seed = seeds[0];
  if (t === undefined || seed === undefined) {
    throw new ForgetscopeError('usage', 'the report evaluation needs at least one test row and one seed');
  }
  const drawn =
    select === 'active'
      ? await (await setup.activeSelector(known))({ train, k: known, seed, testRow: t })
      : defaultRng(seed).choice(matrix.cols, known);
  const entries = knownEntriesOf(drawn, matrix.row(t), matrix.rowMask(t));
  const fitted = await createCompletionMethod(setup.plotMethod).fit(train, { seed, ...backendOption(ctx) });
  const { prediction } = await fitted.predictRow(entries, { seed });
  const truth = Float64Array.from(matrix.row(t));
  const predicted: PredictedVsTrueInput = {
    truth,
    prediction,
    known: entries.columns,
    task: itemAt(matrix.taskIds, t, 'test row'),
    method: setup.plotMethod,
  };
  return { evaluation, sections: { evaluation: section, predicted } };
}

/** Standard error of the mean of the finite values (sample sd / √count); null with fewer than two. */
export function standardError(values: readonly (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (xs.length < 2) return null;
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const ss = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
  return Math.sqrt(ss / (xs.length - 1)) / Math.sqrt(xs.length);
}
