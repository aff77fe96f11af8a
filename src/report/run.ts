import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import type { Backend } from '../linalg/types.js';
import type { ProgressSink } from '../util/progress.js';
import { assembleReport, type AssembledReport, type ReportPlan } from './assemble.js';
import { buildReportHtml } from './buildReport.js';
import { reportSummary } from './summary.js';

/** How `runReport` runs a plan: backend, progress, and where step notices and chart warnings go. */
export interface ReportRunOptions {
  backend?: Backend;
  progress?: ProgressSink;
  /** One line per step (`analyze: …`, `report: rendering …`). */
  step?: (message: string) => void;
  /** Vega-Lite compiler warnings (none are expected). */
  onWarning?: (message: string) => void;
  /** Where the HTML will be written (named in the step notice and the summary). */
  out: string;
}

/** What `runReport` returns: the assembled report, its HTML, its size and the JSON summary. */
export interface ReportRun {
  report: AssembledReport;
  html: string;
  bytes: number;
  summary: Record<string, unknown>;
}

/**
 * Runs a report plan on a matrix: every stage of `assembleReport`, then the HTML. Writes nothing (the
 * caller writes `html` where it wants it).
 * @example
 * const run = await runReport(matrix, { name: 'z.csv', provenance }, { out: 'report.html' });
 * await writeFile('report.html', run.html);
 */
export async function runReport(
  matrix: ForgettingMatrix,
  plan: ReportPlan,
  options: ReportRunOptions,
): Promise<ReportRun> {
  const step = options.step ?? (() => {});
  const report = await assembleReport(matrix, {
    ...plan,
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
    onStep: (stage, detail) => step(`${stage}: ${detail}`),
  });
  step(`report: rendering ${options.out}`);
  const html = await buildReportHtml(report.data, options.onWarning ? { onWarning: options.onWarning } : {});
  const bytes = new TextEncoder().encode(html).length;
  return { report, html, bytes, summary: reportSummary(options.out, bytes, report) };
}
