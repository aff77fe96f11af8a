import type { HeatmapInput } from '../viz/heatmap.js';
import type { PredictedVsTrueInput } from '../viz/predicted.js';
import type { RmseCurvePoint } from '../viz/rmseCurve.js';
import type { TopReplayedInput } from '../viz/replay.js';
import type { SourceRow } from '../viz/sources.js';

/** A metadata value shown in report tables. */
export type ReportValue = string | number | boolean | null;

/** Headline numbers of the forgetting matrix. */
export interface ReportDataset {
  /** What was read (file or folder name as the user gave it). */
  name: string;
  format?: string;
  tasks: number;
  examples: number;
  observed: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Fraction of observed entries with Z > 0. */
  fractionForgotten: number;
}

/** The reader's account of the input: rows read, kept and dropped (by reason). */
export interface ReportReadSummary {
  rows: number;
  kept: number;
  dropped: Record<string, number>;
  merged?: number;
}

/** One fitted model of the structure analysis (rank-k, additive, row-only …). */
export interface ReportModelFit {
  name: string;
  r2: number;
  rmse?: number;
  /** Free parameters or a short note (e.g. "paper's regularised fit"). */
  note?: string;
}

/** Structure analysis results as the report shows them. */
export interface ReportStructure {
  singularValues: ArrayLike<number>;
  /** R²_k for k = 1..K. */
  r2: ArrayLike<number>;
  additiveR2?: number;
  models: ReportModelFit[];
  backend?: string;
}

/** One of the most forgotten examples. */
export interface ReportForgottenExample {
  example: string;
  mean: number;
  max?: number;
  fractionForgotten?: number;
  source?: string;
  text?: string;
}

/** One task row of the per-task table. */
export interface ReportTask {
  task: string;
  mean: number;
  max?: number;
  fractionForgotten?: number;
  /** The task's scalar in the rank-1 model. */
  rankOneScalar?: number;
  /** Task metadata shown as extra columns (family, lr, steps …). */
  meta?: Record<string, ReportValue>;
}

/** Pearson and Spearman correlation of per-task mean forgetting with one task metadata key. */
export interface ReportCorrelation {
  key: string;
  n: number;
  pearson: number;
  spearman: number;
}

/** Scores of one completion method under the evaluation protocol (the `evaluate --json` shape). */
export interface ReportMethodScores {
  rmse: number | null;
  f1: number | null;
  precision: number | null;
  recall: number | null;
  auc: number | null;
  seconds: number;
  fits: number;
}

/** Results of `evaluate` (model comparison). */
export interface ReportEvaluation {
  methods: Record<string, ReportMethodScores>;
  select: string;
  known: number;
  seeds: readonly number[];
  trainRows: string;
  testRows: string;
  /** Sentences shown under the table (e.g. which methods are the paper's). */
  notes?: string[];
}

/** A replay plan for one held-out task. */
export interface ReportReplay extends TopReplayedInput {
  task: string;
  replayN: number;
  /** The softmax temperature the policy used (Infinity for policies that weight a set uniformly). */
  temperature: number;
  /** The replay policy (`topk`, `softmax` …) and its one-line description. */
  policy?: string;
  policyDescription?: string;
  method: string;
  seed?: number;
  /** How the task's row was obtained (e.g. "30 measured examples + lowrank prediction"). */
  basis?: string;
}

/** How the report was produced. */
export interface ReportProvenance {
  version: string;
  /** The command line as typed. */
  command: string;
  /** ISO timestamp; given by the caller so the report is reproducible byte for byte. */
  createdAt: string;
  seeds?: string;
  backend?: string;
  /** The backend's kernels and routing, one line (`formatBackendDescription`). */
  backendKernels?: string;
  runtime?: string;
  /** Extra lines (settings, timings). */
  notes?: string[];
}

/**
 * Everything the audit report can show. Sections whose data is absent are left out and listed under
 * "not in this report" with the reason given in `missing`.
 */
export interface ReportData {
  title: string;
  dataset: ReportDataset;
  read?: ReportReadSummary;
  heatmap?: HeatmapInput;
  structure?: ReportStructure;
  topForgotten?: ReportForgottenExample[];
  sources?: SourceRow[];
  tasks?: ReportTask[];
  /** Correlations of per-task mean forgetting with task metadata (e.g. lr × steps). */
  taskCorrelations?: ReportCorrelation[];
  evaluation?: ReportEvaluation;
  predicted?: PredictedVsTrueInput;
  rmseCurve?: RmseCurvePoint[];
  replay?: ReportReplay;
  provenance: ReportProvenance;
  /** Sections not computed, with the reason (shown to the reader). */
  missing?: string[];
}
