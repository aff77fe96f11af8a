import type { AssembledReport } from './assemble.js';
import { itemAt } from '../util/checked.js';
import { textTable } from '../util/textTable.js';
import { DEFAULT_REPLAY_POLICY } from '../replay/defaults.js';
import { scoreDistributionData } from '../viz/replay.js';

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
  lines.push(
    '',
    `forgetscope demo — ${input}: ${d.dataset.tasks} tasks × ${d.dataset.examples} upstream examples, mean Z ${fmt(d.dataset.mean)} nats, ${fmt(100 * d.dataset.fractionForgotten, 1)} % of entries forgotten`,
    '',
  );
  lines.push(
    `Structure  R² by rank ${Array.from(s.lowRank.r2, (x) => fmt(x)).join(' ')}; additive ${fmt(s.additive.r2)} → ` +
      (s.comparison.multiplicativeBeatsAdditive
        ? 'the multiplicative (rank-1) model beats the additive one'
        : 'the additive model beats rank 1'),
  );
  const sources = [...(d.sources ?? [])].sort((a, b) => b.mean - a.mean);
  const [most, least] = [sources[0], sources.at(-1)];
  if (most && least) {
    lines.push(
      `Sources    most forgotten ${most.source} (mean Z ${fmt(most.mean)}), least ${least.source} (${fmt(least.mean)})`,
    );
  }
  const top = d.topForgotten?.[0];
  if (top)
    lines.push(
      `Examples   most forgotten: ${top.example}${top.source ? ` (${top.source})` : ''}, mean Z ${fmt(top.mean)}`,
    );
  if (d.evaluation && r.evaluation) {
    const ev = d.evaluation;
    lines.push(
      '',
      `Completion ${ev.known} measured examples per held-out task (paper protocol), ${r.evaluation.trainRows.length} train / ${r.evaluation.testRows.length} test tasks, seeds ${ev.seeds.join(',')}`,
    );
    const rows = Object.entries(ev.methods).map(([name, m]) => [
      name,
      fmt(m.rmse),
      fmt(m.f1),
      fmt(m.auc),
      fmt(m.seconds, 2),
    ]);
    lines.push(
      textTable(['method', 'RMSE', 'F1', 'AUC', 'seconds'], rows, {
        indent: '  ',
        gap: ' ',
        rule: false,
        minWidths: [13, 6, 6, 6, 8],
      }).replace(/\n$/, ''),
    );
  }
  const curve = r.curve;
  if (curve) {
    const at = (k: number, sel: string): number | undefined => curve.find((p) => p.k === k && p.select === sel)?.rmse;
    lines.push(
      `  lowrank RMSE by k (random → active): ${[...new Set(curve.map((p) => p.k))].map((k) => `k=${k} ${fmt(at(k, 'random'))}→${fmt(at(k, 'active'))}`).join(', ')}`,
    );
  }
  if (d.replay && r.replay) {
    const ids = d.replay.exampleIds;
    const names = Array.from(r.replay.selected.slice(0, 5), (j) => itemAt(ids, j, 'replayed example'));
    lines.push(
      '',
      `Replay     task ${d.replay.task}: ${d.replay.replayN} examples drawn (policy ${r.replay.policy ?? DEFAULT_REPLAY_POLICY}${Number.isFinite(r.replay.temperature) ? `, T = ${r.replay.temperature}` : ''}, scores from ${r.replay.method}); first: ${names.join(', ')} …`,
    );
  }
  lines.push(
    '',
    `Report     ${reportPath}  (open it in a browser; self-contained, printable)`,
    `Plan       ${planPath}  (example, score, weight, selected)`,
    `Done in ${seconds.toFixed(1)} s`,
    '',
  );
  lines.push(
    wrap(formatFindings(r)),
    '',
    'Next, on your own data (a long table task,example,delta; pick train and test rows from your tasks):',
    `  ${NEXT_COMMAND}`,
    '',
  );
  return lines.join('\n');
}

/** The command the demo suggests to run next, on one's own forgetting table. */
export const NEXT_COMMAND =
  'npx forgetscope report my-forgetting.csv --out report.html --train-rows 0-25 --test-rows 26-36';

/**
 * One plain-words paragraph of what a report run found: how structured the forgetting is, how well a
 * new task's row is predicted from a few measured examples, and what the replay plan replays.
 */
export function formatFindings(r: AssembledReport): string {
  const d = r.data;
  const s = r.structure;
  const parts: string[] = [];
  const r1 = s.lowRank.r2[0];
  if (r1 !== undefined && Number.isFinite(r1)) {
    parts.push(
      `Forgetting here is ${r1 >= 0.5 ? 'strongly' : 'only weakly'} structured: a single task-strength × example-fragility product explains ${fmt(100 * r1, 0)} % of it` +
        (s.comparison.multiplicativeBeatsAdditive
          ? ` (more than the additive model's ${fmt(100 * s.additive.r2, 0)} %)`
          : ` (the additive model explains ${fmt(100 * s.additive.r2, 0)} %)`) +
        '.',
    );
  }
  if (d.evaluation) {
    const ranked = Object.entries(d.evaluation.methods)
      .flatMap(([name, m]) => (m.rmse !== null && Number.isFinite(m.rmse) ? [{ name, m, rmse: m.rmse }] : []))
      .sort((a, b) => a.rmse - b.rmse);
    const first = ranked[0];
    if (first) {
      const { name, m } = first;
      parts.push(
        `Measuring ${d.evaluation.known} examples of a new task is enough to predict the rest of its row: ${name} does it with RMSE ${fmt(m.rmse)} nats` +
          (ranked.length > 1
            ? ` (${ranked
                .slice(1)
                .map((x) => `${x.name} ${fmt(x.rmse)}`)
                .join(', ')})`
            : '') +
          '.',
      );
    }
  }
  if (d.replay) {
    const sd = scoreDistributionData(d.replay);
    const policy = d.replay.policy ?? DEFAULT_REPLAY_POLICY;
    parts.push(
      `For held-out task ${d.replay.task}, the replay plan (policy ${policy}) draws ${d.replay.replayN} example${d.replay.replayN === 1 ? '' : 's'}` +
        (sd.cut !== null
          ? ` from the ${sd.pool} predicted to be forgotten most (score ≥ ${fmt(sd.cut)})`
          : ` weighted by their predicted forgetting`) +
        `: mix them into fine-tuning to protect what the model would lose.`,
    );
  }
  return parts.join(' ');
}

/** Wraps a paragraph at `width` columns. */
function wrap(text: string, width = 100): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  if (line.length > 0) out.push(line);
  return out.join('\n');
}
