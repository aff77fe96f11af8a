import type { AssembledReport } from './assemble.js';
import { textTable } from '../util/textTable.js';

function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

/** Where a report run's outputs went and how long it took (for `formatReportNarrative`). */
export interface ReportRunFacts {
  /** The input as the user named it. */
  input: string;
  report: string;
  /** The replay plan table written beside the report. */
  plan: string;
  seconds: number;
}

/**
 * The readable story of a report run (what `npm start` prints): structure, sources, the most forgotten
 * example, the completion table, the RMSE-versus-k curve, the replay draw and where the files are.
 */
export function formatReportNarrative(r: AssembledReport, facts: ReportRunFacts): string {
  const { input, report: reportPath, plan: planPath, seconds } = facts;
  const d = r.data;
  const s = r.structure;
  const lines: string[] = [];
  lines.push('', `forgetscope demo — ${input}: ${d.dataset.tasks} tasks × ${d.dataset.examples} upstream examples, mean Z ${fmt(d.dataset.mean)} nats, ${fmt(100 * d.dataset.fractionForgotten, 1)} % of entries forgotten`, '');
  lines.push(
    `Structure  R² by rank ${Array.from(s.lowRank.r2, (x) => fmt(x)).join(' ')}; additive ${fmt(s.additive.r2)} → ` +
      (s.comparison.multiplicativeBeatsAdditive ? 'the multiplicative (rank-1) model beats the additive one' : 'the additive model beats rank 1'),
  );
  const sources = [...(d.sources ?? [])].sort((a, b) => b.mean - a.mean);
  if (sources.length > 0) {
    lines.push(`Sources    most forgotten ${sources[0]!.source} (mean Z ${fmt(sources[0]!.mean)}), least ${sources[sources.length - 1]!.source} (${fmt(sources[sources.length - 1]!.mean)})`);
  }
  const top = d.topForgotten?.[0];
  if (top) lines.push(`Examples   most forgotten: ${top.example}${top.source ? ` (${top.source})` : ''}, mean Z ${fmt(top.mean)}`);
  if (d.evaluation) {
    const ev = d.evaluation;
    lines.push('', `Completion ${ev.known} measured examples per held-out task (paper protocol), ${r.evaluation!.trainRows.length} train / ${r.evaluation!.testRows.length} test tasks, seeds ${ev.seeds.join(',')}`);
    const rows = Object.entries(ev.methods).map(([name, m]) => [name, fmt(m.rmse), fmt(m.f1), fmt(m.auc), fmt(m.seconds, 2)]);
    lines.push(textTable(['method', 'RMSE', 'F1', 'AUC', 'seconds'], rows, { indent: '  ', gap: ' ', rule: false, minWidths: [13, 6, 6, 6, 8] }).replace(/\n$/, ''));
  }
  if (r.curve) {
    const at = (k: number, sel: string): number | undefined => r.curve!.find((p) => p.k === k && p.select === sel)?.rmse;
    lines.push(`  lowrank RMSE by k (random → active): ${[...new Set(r.curve.map((p) => p.k))].map((k) => `k=${k} ${fmt(at(k, 'random'))}→${fmt(at(k, 'active'))}`).join(', ')}`);
  }
  if (d.replay && r.replay) {
    const names = Array.from(r.replay.selected.slice(0, 5), (j) => d.replay!.exampleIds[j]!);
    lines.push('', `Replay     task ${d.replay.task}: ${d.replay.replayN} examples drawn (policy ${r.replay.policy ?? 'softmax'}${Number.isFinite(r.replay.temperature) ? `, T = ${r.replay.temperature}` : ''}, scores from ${r.replay.method}); first: ${names.join(', ')} …`);
  }
  lines.push('', `Report     ${reportPath}  (open it in a browser; self-contained, printable)`, `Plan       ${planPath}  (example, score, weight, selected)`, `Done in ${seconds.toFixed(1)} s`, '');
  return lines.join('\n');
}
