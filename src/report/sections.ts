/**
 * The report's sections, one function each: they take the report data (and the figure renderer) and
 * return the section, or null when its data is absent.
 */
import type { VegaLiteSpec } from '../viz/spec.js';
import { textSnippet } from '../viz/spec.js';
import { forgettingHeatmapSpec } from '../viz/heatmap.js';
import { screeSpec } from '../viz/scree.js';
import { sourceForgettingSpec } from '../viz/sources.js';
import { predictedVsTrueSpec } from '../viz/predicted.js';
import { rmseVersusKSpec } from '../viz/rmseCurve.js';
import {
  replayScoreDistributionSpec,
  replayWeightDistributionSpec,
  scoreDistributionData,
  topReplayedData,
  topReplayedSpec,
  weightDistributionData,
} from '../viz/replay.js';
import type {
  ReportData,
  ReportEvaluation,
  ReportForgottenExample,
  ReportMethodScores,
  ReportReplay,
  ReportTask,
} from './types.js';
import { cell, escapeHtml, percent, table } from './html.js';
import { formatSeeds } from './formatSeeds.js';
import { BEST_RELATIVE_TOLERANCE, meaningfulBest, type MetricKey } from './bestMethod.js';
import { weightsAreUniform } from './replayCharts.js';

/** One section of the report page. */
export interface Section {
  id: string;
  title: string;
  html: string;
}

/** Renders a chart spec as an inline SVG figure with a caption (caption is trusted HTML). */
export type FigureRenderer = (name: string, spec: VegaLiteSpec, caption: string) => Promise<string>;

/** A section builder: the section, or null when its data is absent. */
export type SectionBuilder = (data: ReportData, figure: FigureRenderer) => Promise<Section | null> | Section | null;

/** Headline cards and the definition of Z. */
export function overviewSection(data: ReportData): Section {
  const d = data.dataset;
  const cards: [string, string][] = [
    ['tasks (rows)', cell(d.tasks)],
    ['upstream examples (columns)', cell(d.examples)],
    ['observed entries', `${cell(d.observed)} (${percent(d.observed / Math.max(1, d.tasks * d.examples))})`],
    ['mean forgetting Z', `${cell(d.mean, 3)} nats`],
    ['entries forgotten (Z > 0)', percent(d.fractionForgotten)],
  ];
  const rankOneR2 = data.structure?.r2[0];
  if (rankOneR2 !== undefined) cards.push(['rank-1 R²', cell(rankOneR2, 3)]);
  if (data.structure?.additiveR2 !== undefined) cards.push(['additive R²', cell(data.structure.additiveR2, 3)]);
  const methods = data.evaluation?.methods;
  const best = methods ? bestMethod(methods) : null;
  if (methods && best) {
    const clear = meaningfulBest(methods, 'rmse', true) === best.name;
    cards.push([`${clear ? 'best' : 'lowest'} completion RMSE (${best.name})`, cell(best.rmse, 3)]);
  }
  return {
    id: 'overview',
    title: 'Overview',
    html:
      `<div class="cards">${cards.map(([k, v]) => `<div class="card"><div class="v">${escapeHtml(v)}</div><div class="k">${escapeHtml(k)}</div></div>`).join('')}</div>` +
      `<p>Z[i][j] = loss of upstream example j after fine-tuning on task i − its loss before (nats per token or byte). ` +
      `Positive values mean the example was forgotten. Observed Z ranges from ${cell(d.min, 3)} to ${cell(d.max, 3)} (std ${cell(d.std, 3)}).</p>`,
  };
}

/** The heat map of Z. */
export async function heatmapSection(data: ReportData, figure: FigureRenderer): Promise<Section | null> {
  if (!data.heatmap) return null;
  return {
    id: 'heatmap',
    title: 'The forgetting matrix',
    html: await figure(
      'heatmap',
      forgettingHeatmapSpec(data.heatmap),
      'Red: forgotten (Z &gt; 0); blue: improved (Z &lt; 0); grey: not observed. Rows and columns are sorted so the most forgetting-prone tasks and examples are top-left; when the matrix is large, neighbouring rows or columns are averaged (the subtitle says how).',
    ),
  };
}

/** Scree plot and the model table. */
export async function structureSection(data: ReportData, figure: FigureRenderer): Promise<Section | null> {
  if (!data.structure) return null;
  const s = data.structure;
  const modelTable = table(s.models, [
    { header: 'model', html: (m) => escapeHtml(m.name) },
    { header: 'R²', html: (m) => cell(m.r2), numeric: true },
    { header: 'RMSE', html: (m) => cell(m.rmse), numeric: true },
    { header: 'note', html: (m) => escapeHtml(m.note ?? '') },
  ]);
  const fig = await figure(
    'scree',
    screeSpec({
      singularValues: s.singularValues,
      r2: s.r2,
      ...(s.additiveR2 !== undefined ? { additiveR2: s.additiveR2 } : {}),
    }),
    'Singular values of the uncentered Z and R² of its rank-k truncation. A rank-1 R² above the dashed line means the multiplicative model u<sub>i</sub>·v<sub>j</sub> explains more than the additive μ + a<sub>i</sub> + b<sub>j</sub> (both have M + N − 1 parameters).',
  );
  return {
    id: 'structure',
    title: 'Low-rank structure',
    html: fig + modelTable + (s.backend ? `<p class="note">Computed on the ${escapeHtml(s.backend)} backend.</p>` : ''),
  };
}

/** The most forgotten examples. */
export function examplesSection(data: ReportData): Section | null {
  if (!data.topForgotten || data.topForgotten.length === 0) return null;
  const hasSource = data.topForgotten.some((e) => e.source !== undefined);
  const hasText = data.topForgotten.some((e) => e.text !== undefined);
  type Ranked = ReportForgottenExample & { rank: number };
  const ranked: Ranked[] = data.topForgotten.map((e, i) => ({ ...e, rank: i + 1 }));
  const cols = [
    { header: '#', html: (e: Ranked) => String(e.rank), numeric: true },
    { header: 'example', html: (e: Ranked) => `<code>${escapeHtml(e.example)}</code>` },
    ...(hasSource ? [{ header: 'source', html: (e: Ranked) => escapeHtml(e.source ?? '') }] : []),
    { header: 'mean Z', html: (e: Ranked) => cell(e.mean), numeric: true },
    { header: 'max Z', html: (e: Ranked) => cell(e.max), numeric: true },
    { header: 'forgotten by', html: (e: Ranked) => percent(e.fractionForgotten), numeric: true },
    ...(hasText
      ? [
          {
            header: 'text',
            html: (e: Ranked) => `<span class="snippet">${escapeHtml(textSnippet(e.text ?? '', 70))}</span>`,
          },
        ]
      : []),
  ];
  return {
    id: 'examples',
    title: 'Most forgotten examples',
    html:
      `<p>The ${ranked.length} upstream examples with the highest mean forgetting over all tasks ("forgotten by" = share of tasks with Z &gt; 0).</p>` +
      table(ranked, cols),
  };
}

/** Forgetting by upstream source. */
export async function sourcesSection(data: ReportData, figure: FigureRenderer): Promise<Section | null> {
  if (!data.sources || data.sources.length === 0) return null;
  const fig = await figure(
    'sources',
    sourceForgettingSpec(data.sources),
    'Mean forgetting of each upstream source, the fraction of its (task, example) entries that were forgotten, and its share of the total forgetting (shares add up to 100 %).',
  );
  const sorted = [...data.sources].sort((a, b) => b.mean - a.mean);
  return {
    id: 'sources',
    title: 'Forgetting by source',
    html:
      fig +
      table(sorted, [
        { header: 'source', html: (s) => escapeHtml(s.source) },
        { header: 'examples', html: (s) => cell(s.examples), numeric: true },
        { header: 'mean Z', html: (s) => cell(s.mean), numeric: true },
        { header: 'forgotten (Z > 0)', html: (s) => percent(s.fractionForgotten), numeric: true },
        { header: 'share of total', html: (s) => percent(s.share), numeric: true },
      ]),
  };
}

/** Per-task table and metadata correlations. */
export function tasksSection(data: ReportData): Section | null {
  if (!data.tasks || data.tasks.length === 0) return null;
  const tasks = data.tasks;
  const metaKeys = [...new Set(tasks.flatMap((t) => Object.keys(t.meta ?? {})))];
  const sorted = [...tasks].sort((a, b) => b.mean - a.mean);
  return {
    id: 'tasks',
    title: 'Forgetting by task',
    html:
      `<p>Tasks sorted by mean forgetting. The rank-1 scalar u<sub>i</sub> is the task's strength in the multiplicative model Z ≈ u<sub>i</sub>·v<sub>j</sub>.</p>` +
      table(sorted, [
        { header: 'task', html: (t: ReportTask) => `<code>${escapeHtml(t.task)}</code>` },
        ...metaKeys.map((k) => ({
          header: k,
          html: (t: ReportTask) => metaCell(t.meta?.[k]),
          numeric: typeof tasks.find((t) => t.meta?.[k] !== undefined)?.meta?.[k] === 'number',
        })),
        { header: 'mean Z', html: (t: ReportTask) => cell(t.mean), numeric: true },
        { header: 'max Z', html: (t: ReportTask) => cell(t.max), numeric: true },
        { header: 'forgotten', html: (t: ReportTask) => percent(t.fractionForgotten), numeric: true },
        { header: 'rank-1 u', html: (t: ReportTask) => cell(t.rankOneScalar), numeric: true },
      ]) +
      (data.taskCorrelations && data.taskCorrelations.length > 0
        ? `<h3>Does task metadata predict forgetting?</h3>` +
          table(data.taskCorrelations, [
            { header: 'per-task mean Z versus', html: (c) => `<code>${escapeHtml(c.key)}</code>` },
            { header: 'tasks', html: (c) => cell(c.n), numeric: true },
            { header: 'Pearson r', html: (c) => cell(c.pearson, 3), numeric: true },
            { header: 'Spearman ρ', html: (c) => cell(c.spearman, 3), numeric: true },
          ])
        : ''),
  };
}

/** The model-comparison table: RMSE first; a best value marked only where it differs meaningfully. */
function evaluationTable(ev: ReportEvaluation): string {
  const rows = Object.entries(ev.methods);
  const lower: Record<MetricKey, boolean> = { rmse: true, f1: false, precision: false, recall: false, auc: false };
  const bests = Object.fromEntries(
    (Object.keys(lower) as MetricKey[]).map((k) => [k, meaningfulBest(ev.methods, k, lower[k])]),
  ) as Record<MetricKey, string | null>;
  const scoreCell = ([n, m]: (typeof rows)[number], key: MetricKey): string => {
    const se = m.stderr?.[key];
    const text =
      cell(m[key]) +
      (se !== undefined && se !== null && m[key] !== null
        ? `<span class="se"> ± ${se === 0 ? '0' : se.toPrecision(2)}</span>`
        : '');
    return bests[key] === n ? `<span class="best">${text}</span>` : text;
  };
  const marked = (Object.keys(bests) as MetricKey[]).filter((k) => bests[k] !== null);
  const tie = (Object.keys(bests) as MetricKey[]).filter((k) => bests[k] === null);
  return (
    `<p>Rows <code>${escapeHtml(ev.trainRows)}</code> are the known (train) tasks; each test task in <code>${escapeHtml(ev.testRows)}</code> is predicted from ${ev.known} measured examples ` +
    `(${escapeHtml(ev.select === 'paper' ? "drawn as in the paper's protocol" : `chosen by "${escapeHtml(ev.select)}" selection`)}), seeds ${escapeHtml(formatSeeds(ev.seeds))}. ` +
    `Scores are pooled over test tasks and unmeasured examples and averaged over seeds (± the standard error over seeds). ` +
    `RMSE — how far the predicted forgetting is from the truth — is the column that matters for replay weights; ` +
    `a value is in bold only where one method beats the next by more than the seeds' standard error and ${BEST_RELATIVE_TOLERANCE * 100}&nbsp;%` +
    (marked.length === 0
      ? '; here no method does on any metric.'
      : tie.length > 0
        ? `; on ${tie.map((k) => METRIC_LABEL[k]).join(', ')} the methods are level.`
        : '.') +
    `</p>` +
    table(rows, [
      { header: 'method', html: ([n]) => `<code>${escapeHtml(n)}</code>` },
      { header: 'RMSE', html: (row) => scoreCell(row, 'rmse'), numeric: true },
      { header: 'F1', html: (row) => scoreCell(row, 'f1'), numeric: true },
      { header: 'precision', html: (row) => scoreCell(row, 'precision'), numeric: true },
      { header: 'recall', html: (row) => scoreCell(row, 'recall'), numeric: true },
      { header: 'AUC', html: (row) => scoreCell(row, 'auc'), numeric: true },
      { header: 'fits', html: ([, m]) => cell(m.fits), numeric: true },
      { header: 'seconds', html: ([, m]) => cell(m.seconds, 3), numeric: true },
    ]) +
    (ev.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('')
  );
}

const METRIC_LABEL: Record<MetricKey, string> = {
  rmse: 'RMSE',
  f1: 'F1',
  precision: 'precision',
  recall: 'recall',
  auc: 'AUC',
};

/** Completion: the evaluation table, predicted vs true, RMSE versus k. */
export async function completionSection(data: ReportData, figure: FigureRenderer): Promise<Section | null> {
  if (!data.evaluation && !data.predicted && !data.rmseCurve) return null;
  let html = data.evaluation ? evaluationTable(data.evaluation) : '';
  if (data.predicted) {
    html += await figure(
      'predicted',
      predictedVsTrueSpec(data.predicted),
      'Each point is one upstream example of a held-out task: its true forgetting against the prediction from the measured examples (orange). Points on the dashed line are predicted exactly.',
    );
  }
  if (data.rmseCurve && data.rmseCurve.length > 0) {
    html += await figure(
      'rmse-k',
      rmseVersusKSpec(data.rmseCurve),
      'Completion error as a function of how many examples of the new task are measured: random probes (the paper protocol) versus actively chosen probes.',
    );
  }
  return { id: 'completion', title: 'Predicting forgetting for new tasks', html };
}

/** How the plan's weights were made: the policy, and the softmax temperature where one applies. */
function replayRule(r: ReportReplay): string {
  const softmax = Number.isFinite(r.temperature) ? `softmax(score / T) with T = ${r.temperature}` : '';
  if (r.policy === undefined) return `weights ${softmax}`;
  const what = r.policyDescription !== undefined ? ` — ${escapeHtml(r.policyDescription)}` : '';
  return `weights by the <code>${escapeHtml(r.policy)}</code> policy${what}${softmax ? ` (${softmax})` : ''}`;
}

/** The plan in plain words: how many may be drawn, where the cut is, how many are drawn. */
function replayPlainWords(r: ReportReplay): string {
  const d = scoreDistributionData(r);
  const w = weightDistributionData(r);
  const uniformPool = weightsAreUniform(r);
  const pool =
    d.cut !== null
      ? `Only the ${cell(d.pool)} examples with the highest predicted forgetting (score ≥ ${cell(d.cut)}) can be drawn` +
        (uniformPool ? `, each with the same weight 1/${cell(d.pool)}` : '')
      : uniformPool
        ? `The ${cell(d.pool)} examples with weight &gt; 0 are equally likely`
        : `All ${cell(d.pool)} examples that are not held out can be drawn, more often the higher their score (about ${cell(w.effectiveExamples, 1)} examples carry the weight)`;
  return (
    `<p>${pool}; ${r.replayN} of them are sampled for replay${d.heldOut > 0 ? `, and the ${cell(d.heldOut)} held-out example${d.heldOut === 1 ? '' : 's'} never ${d.heldOut === 1 ? 'is' : 'are'}` : ''}. ` +
    `The histogram shows the predicted score of every upstream example and where the sampled ones lie; the table lists the top-scoring examples.</p>`
  );
}

/** The replay plan: what it replays and why (score distribution with the cut, the top-scoring examples). */
export async function replaySection(data: ReportData, figure: FigureRenderer): Promise<Section | null> {
  if (!data.replay) return null;
  const r = data.replay;
  const top = topReplayedData(r, 15);
  const uniform = weightsAreUniform(r);
  const html =
    `<p>Replay plan for held-out task <code>${escapeHtml(r.task)}</code>${r.basis ? ` (${escapeHtml(r.basis)})` : ''}: ${replayRule(r)}, scores from <code>${escapeHtml(r.method)}</code>; ` +
    `${r.replayN} examples sampled without replacement${r.seed !== undefined ? ` (seed ${r.seed})` : ''}.</p>` +
    replayPlainWords(r) +
    (await figure(
      'replay-scores',
      replayScoreDistributionSpec(r),
      'Predicted forgetting score of every upstream example (measured value where it was measured), coloured by what the plan does with it; the dashed line is the replay cut, red ticks mark the sampled examples.',
    )) +
    (uniform
      ? ''
      : await figure(
          'replay-weights',
          replayWeightDistributionSpec(r),
          'How the replay weights spread over the upstream examples (log scale). Excluded (held-out) examples have weight 0 and are not drawn.',
        )) +
    (await figure(
      'replay-top',
      topReplayedSpec(r, { top: 20 }),
      'The examples predicted to be forgotten most, with a text snippet and their source; outlined bars were sampled for replay.',
    )) +
    table(top, [
      { header: '#', html: (t) => String(t.rank), numeric: true },
      { header: 'example', html: (t) => `<code>${escapeHtml(t.example)}</code>` },
      { header: 'source', html: (t) => escapeHtml(t.source) },
      { header: 'score', html: (t) => cell(t.score), numeric: true },
      { header: 'weight', html: (t) => cell(t.weight), numeric: true },
      { header: 'sampled', html: (t) => (t.selected ? 'yes' : 'no') },
      { header: 'text', html: (t) => `<span class="snippet">${escapeHtml(t.text)}</span>` },
    ]);
  return { id: 'replay', title: 'Replay plan', html };
}

/** The reader's report: rows read, kept, dropped. */
export function inputSection(data: ReportData): Section | null {
  if (!data.read) return null;
  const d = data.dataset;
  const dropped = Object.entries(data.read.dropped);
  const droppedTotal = dropped.reduce((s, [, c]) => s + c, 0);
  return {
    id: 'input',
    title: 'Input',
    html:
      `<p>Read <code>${escapeHtml(d.name)}</code>${d.format ? ` (${escapeHtml(d.format)})` : ''}: ${cell(data.read.rows)} rows read, ${cell(data.read.kept)} kept, ${cell(droppedTotal)} dropped` +
      `${data.read.merged ? `, ${cell(data.read.merged)} merged into another row's cell` : ''}.</p>` +
      (dropped.length > 0
        ? table(dropped, [
            { header: 'reason rows were dropped', html: ([k]) => escapeHtml(k) },
            { header: 'rows', html: ([, c]) => cell(c), numeric: true },
          ])
        : '<p class="note">No rows were dropped.</p>'),
  };
}

/** How the report was produced, and what it leaves out. */
export function provenanceSection(data: ReportData): Section {
  const p = data.provenance;
  const prov: [string, string][] = [
    ['forgetscope', p.version],
    ['command', p.command],
    ['created', p.createdAt],
  ];
  if (p.seeds) prov.push(['seeds', p.seeds]);
  if (p.backend) prov.push(['backend', p.backend]);
  if (p.backendKernels) prov.push(['kernels', p.backendKernels]);
  if (p.runtime) prov.push(['runtime', p.runtime]);
  return {
    id: 'provenance',
    title: 'How this report was produced',
    html:
      `<dl class="prov">${prov.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>` +
      (p.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('') +
      (data.missing && data.missing.length > 0
        ? `<h3>Not in this report</h3><ul class="missing">${data.missing.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>`
        : ''),
  };
}

/** The sections in page order. */
export const REPORT_SECTIONS: readonly SectionBuilder[] = [
  overviewSection,
  heatmapSection,
  structureSection,
  examplesSection,
  sourcesSection,
  tasksSection,
  completionSection,
  replaySection,
  inputSection,
  provenanceSection,
];

function bestMethod(methods: Record<string, ReportMethodScores>): { name: string; rmse: number } | null {
  let best: { name: string; rmse: number } | null = null;
  for (const [name, m] of Object.entries(methods)) {
    if (m.rmse !== null && Number.isFinite(m.rmse) && (best === null || m.rmse < best.rmse))
      best = { name, rmse: m.rmse };
  }
  return best;
}

function metaCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return cell(v);
  return escapeHtml(String(v));
}
