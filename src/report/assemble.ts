import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import type { Backend } from '../linalg/types.js';
import type { ProgressSink } from '../util/progress.js';
import type { StructureAnalysis } from '../analysis/analyzeStructure.js';
import type { MetadataCorrelation } from '../analysis/correlations.js';
import type { EvaluationResult } from '../completion/protocol/evaluate.js';
import type { ReplayPlan } from '../replay/types.js';
import type { RmseCurvePoint } from '../viz/rmseCurve.js';
import type { ReportData, ReportProvenance, ReportReadSummary } from './types.js';
import type { StageContext } from './stages/context.js';
import { structureStage } from './stages/structure.js';
import { evaluationSetup, evaluationStage, type ReportEvaluationOptions } from './stages/evaluation.js';
import { curveStage } from './stages/curve.js';
import { replayStage, type ReportReplayOptions } from './stages/replay.js';

export type { ReportEvaluationOptions } from './stages/evaluation.js';
export type { ReportReplayOptions } from './stages/replay.js';

/**
 * What a report shows and how it is computed — the typed plan `runReport` and `assembleReport` take
 * (the CLI's `report` builds it from flags, `demo` directly).
 */
export interface ReportPlan {
  title?: string;
  /** What was read, as the user named it. */
  name: string;
  format?: string;
  read?: ReportReadSummary;
  ranks?: number;
  /** Most-forgotten examples listed (default 15). */
  top?: number;
  sourceKey?: string;
  evaluation?: ReportEvaluationOptions;
  replay?: ReportReplayOptions;
  provenance: ReportProvenance;
}

/** Options of `assembleReport`: the plan plus how to run it. */
export interface AssembleReportOptions extends ReportPlan {
  backend?: Backend;
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

/**
 * Runs the analyses a report shows, stage by stage — structure and audit summaries, optionally the
 * completion protocol (with predicted vs true), an RMSE-versus-k curve and a replay plan for one
 * held-out task — and gathers them into a `ReportData` for `buildReportHtml`. Every random step uses
 * the given seeds.
 * @example
 * const { data } = await assembleReport(matrix, { name: 'z.csv', provenance, evaluation: { trainRows, testRows } });
 * const html = await buildReportHtml(data);
 */
export async function assembleReport(
  matrix: ForgettingMatrix,
  options: AssembleReportOptions,
): Promise<AssembledReport> {
  const timings: Record<string, number> = {};
  const ctx: StageContext = {
    matrix,
    ...(options.backend ? { backend: options.backend } : {}),
    progress: options.progress ?? (() => {}),
    onStep: options.onStep ?? (() => {}),
    missing: [],
    timed: async (name, f) => {
      const t0 = performance.now();
      const out = await f();
      timings[name] = (performance.now() - t0) / 1000;
      return out;
    },
  };
  const summary = matrix.summary();
  const { structure, correlations, sections } = await structureStage(ctx, {
    ...(options.ranks !== undefined ? { ranks: options.ranks } : {}),
    ...(options.top !== undefined ? { top: options.top } : {}),
    ...(options.sourceKey !== undefined ? { sourceKey: options.sourceKey } : {}),
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
    ...sections,
    provenance: options.provenance,
    missing: ctx.missing,
  };

  let evaluation: EvaluationResult | null = null;
  let curve: RmseCurvePoint[] | null = null;
  const ev = options.evaluation;
  if (ev) {
    const setup = evaluationSetup(ctx, ev);
    const done = await evaluationStage(ctx, ev, setup);
    evaluation = done.evaluation;
    Object.assign(data, done.sections);
    if (ev.curveKs && ev.curveKs.length > 0) {
      curve = await curveStage(ctx, ev.curveKs, setup);
      data.rmseCurve = curve;
    } else {
      ctx.missing.push('RMSE-versus-k curve: not requested');
    }
  } else {
    ctx.missing.push('completion evaluation and predicted-vs-true plot: no --train-rows / --test-rows given');
  }

  let replay: ReplayPlan | null = null;
  if (options.replay) {
    const planned = await replayStage(ctx, options.replay, ev ? Array.from(ev.trainRows) : null);
    if (planned) {
      replay = planned.replay;
      data.replay = planned.section;
    }
  } else {
    ctx.missing.push('replay plan: no held-out task chosen');
  }
  return { data, structure, evaluation, curve, replay, correlations, timings };
}
