import type { AssembledReport } from './assemble.js';
import { replayCharts } from './replayCharts.js';
import { itemAt } from '../util/checked.js';

/** The one JSON object `report --json` prints (also the summary `demo` builds on). */
export function reportSummary(out: string, bytes: number, r: AssembledReport): Record<string, unknown> {
  const d = r.data;
  const replayIds = d.replay?.exampleIds ?? [];
  return {
    out,
    bytes,
    tasks: d.dataset.tasks,
    examples: d.dataset.examples,
    observed: d.dataset.observed,
    backend: r.structure.backend,
    r2: {
      ranks: r.structure.lowRank.r2,
      additive: r.structure.additive.r2,
      row: r.structure.row.r2,
      column: r.structure.column.r2,
    },
    multiplicativeBeatsAdditive: r.structure.comparison.multiplicativeBeatsAdditive,
    topForgotten: (d.topForgotten ?? []).slice(0, 5),
    sources: d.sources ?? [],
    ...(r.evaluation && d.evaluation
      ? {
          evaluation: {
            select: d.evaluation.select,
            known: r.evaluation.known,
            seeds: r.evaluation.seeds,
            methods: d.evaluation.methods,
          },
        }
      : {}),
    ...(r.curve ? { curve: r.curve } : {}),
    ...(r.replay && d.replay
      ? {
          replay: {
            task: d.replay.task,
            replayN: d.replay.replayN,
            policy: r.replay.policy,
            temperature: r.replay.temperature,
            method: r.replay.method,
            selected: Array.from(r.replay.selected, (j) => itemAt(replayIds, j, 'replayed example')),
          },
        }
      : {}),
    charts: reportCharts(d),
    missing: d.missing ?? [],
    seconds: r.timings,
  };
}

/** The charts a report holds, in page order. */
export function reportCharts(d: AssembledReport['data']): string[] {
  const charts: string[] = [];
  if (d.heatmap) charts.push('heatmap');
  if (d.structure) charts.push('scree');
  if (d.sources && d.sources.length > 0) charts.push('sources');
  if (d.predicted) charts.push('predicted');
  if (d.rmseCurve && d.rmseCurve.length > 0) charts.push('rmse-k');
  if (d.replay) charts.push(...replayCharts(d.replay));
  return charts;
}

/** A short human-readable summary of a written report (from `reportSummary`). */
export function formatReportSummary(s: Record<string, unknown>): string {
  const r2 = s['r2'] as { ranks: ArrayLike<number>; additive: number };
  const lines = [
    `wrote ${s['out']} (${Math.round(Number(s['bytes']) / 1024)} KiB, charts: ${(s['charts'] as string[]).join(', ')})`,
    `${s['tasks']} tasks × ${s['examples']} examples; rank-1 R² ${Number(r2.ranks[0]).toFixed(3)} vs additive ${r2.additive.toFixed(3)}`,
  ];
  const ev = s['evaluation'] as { methods: Record<string, { rmse: number | null; f1: number | null }> } | undefined;
  if (ev) {
    for (const [name, m] of Object.entries(ev.methods)) {
      lines.push(
        `  ${name.padEnd(14)} RMSE ${m.rmse === null ? '   —  ' : m.rmse.toFixed(4)}  F1 ${m.f1 === null ? '—' : m.f1.toFixed(3)}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
