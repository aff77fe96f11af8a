import type { VegaLiteSpec } from './spec.js';
import { CHART_CONFIG, NEUTRAL_COLOUR, VEGA_LITE_SCHEMA, formatNumber, textSnippet } from './spec.js';
import { histogram, histogramBins, orderByDescending } from './binning.js';
import { itemAt } from '../util/checked.js';

/** Replay weights (a `ReplayPlan` fits) with the example ids and optional metadata. */
export interface ReplayWeightsInput {
  /** One weight per upstream example; 0 for excluded examples; sums to 1 over the rest. */
  weights: ArrayLike<number>;
  /** Indices of the examples sampled for replay, when a sample was drawn. */
  selected?: ArrayLike<number>;
  /** Softmax temperature, for the title. */
  temperature?: number;
  /** Completion method behind the scores, for the title. */
  method?: string;
}

/** One bar of the weight histogram (log10 weight bins, split by sampled / not sampled). */
export interface WeightBin {
  lo: number;
  hi: number;
  /** `"sampled"` or `"not sampled"` for replay. */
  status: 'sampled' | 'not sampled';
  count: number;
}

/** The histogram behind `replayWeightDistributionSpec`. */
export interface WeightDistributionData {
  bins: WeightBin[];
  /** Examples with weight 0 (excluded), not drawn. */
  zero: number;
  /** Examples with a positive weight. */
  positive: number;
  /** log10 of the uniform weight 1 / positive (the reference line). */
  uniformLog10: number;
  /** Effective number of examples (Σw)² / Σw², how concentrated the weights are. */
  effectiveExamples: number;
}

/** Bins log10(weight) of the positive weights, separately for selected and unselected examples. */
export function weightDistributionData(input: ReplayWeightsInput, bins = 40): WeightDistributionData {
  const n = input.weights.length;
  const isSel = selectionMask(n, input.selected);
  const logs = new Float64Array(n).fill(NaN);
  let positive = 0;
  let s1 = 0;
  let s2 = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < n; j++) {
    const w = input.weights[j] ?? Number.NaN;
    if (!(w > 0)) continue;
    positive++;
    s1 += w;
    s2 += w * w;
    const lw = Math.log10(w);
    logs[j] = lw;
    lo = Math.min(lo, lw);
    hi = Math.max(hi, lw);
  }
  const out: WeightBin[] = [];
  if (positive > 0) {
    const sel = logs.map((x, j) => (isSel[j] ? x : NaN));
    const rest = logs.map((x, j) => (isSel[j] ? NaN : x));
    const hs = histogram(sel, { bins, min: lo, max: hi });
    const hr = histogram(rest, { bins, min: lo, max: hi });
    // Both histograms share the bins; per bin, the unsampled count first.
    for (let b = 0; b < hr.counts.length; b++) {
      const edgeLo = itemAt(hr.edges, b);
      const edgeHi = itemAt(hr.edges, b + 1);
      const rest = itemAt(hr.counts, b);
      if (rest > 0) out.push({ lo: edgeLo, hi: edgeHi, status: 'not sampled', count: rest });
      const sel = itemAt(hs.counts, b);
      if (sel > 0) out.push({ lo: edgeLo, hi: edgeHi, status: 'sampled', count: sel });
    }
  }
  return {
    bins: out,
    zero: n - positive,
    positive,
    uniformLog10: positive > 0 ? -Math.log10(positive) : NaN,
    effectiveExamples: s2 > 0 ? (s1 * s1) / s2 : 0,
  };
}

/**
 * Distribution of replay weights: a histogram of log10(weight) (stacked: sampled for replay or not)
 * with the uniform weight 1/N as a reference line. The subtitle gives the effective number of
 * examples (Σw)²/Σw² — how many examples the weights really spread over.
 * @example
 * const spec = replayWeightDistributionSpec(plan);
 */
export function replayWeightDistributionSpec(
  input: ReplayWeightsInput,
  options: { bins?: number; title?: string } = {},
): VegaLiteSpec {
  const d = weightDistributionData(input, options.bins ?? 40);
  const selectedCount = input.selected ? input.selected.length : 0;
  const subtitle = [
    `${d.positive} examples with weight > 0` +
      (d.zero > 0 ? `, ${d.zero} excluded (weight 0, not drawn)` : '') +
      (selectedCount > 0 ? `, ${selectedCount} sampled for replay` : ''),
    `effective number of examples (Σw)²/Σw² = ${formatNumber(d.effectiveExamples)}` +
      (input.temperature !== undefined && Number.isFinite(input.temperature)
        ? `, temperature ${input.temperature}`
        : '') +
      (input.method ? `, scores from ${input.method}` : ''),
  ];
  const ref = { x: d.uniformLog10, label: 'uniform 1/N' };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: options.title ?? 'Replay weight distribution', subtitle },
    width: 420,
    height: 200,
    layer: [
      statusHistogramLayer(
        d.bins,
        { title: 'log10(weight)', format: '.2f', from: 'from log10 w', to: 'to log10 w' },
        { domain: ['not sampled', 'sampled'], range: ['#9ecae9', '#e45756'], legend: { title: 'replay sample' } },
      ),
      {
        data: { values: [ref] },
        mark: { type: 'rule', strokeDash: [5, 3], color: '#333' },
        encoding: { x: { field: 'x', type: 'quantitative' } },
      },
      {
        data: { values: [ref] },
        mark: { type: 'text', align: 'left', dx: 3, y: 0, baseline: 'top', fontSize: 10, color: '#333' },
        encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
    config: CHART_CONFIG,
  } as VegaLiteSpec;
}

/** Inputs of the top-replayed chart: weights plus example ids and metadata (source, text). */
export interface TopReplayedInput extends ReplayWeightsInput {
  exampleIds: readonly string[];
  /** Per-example metadata; `source` colours the bars and `text` becomes the label's snippet. */
  exampleMeta?: readonly Record<string, unknown>[];
  /** Predicted/measured forgetting score per example: the top examples are ranked by it. */
  scores?: ArrayLike<number>;
  /** 1 = held out, never replayed: left out of the top examples. */
  excluded?: ArrayLike<number>;
}

/** One bar of the top-replayed chart. */
export interface TopReplayedRow {
  rank: number;
  example: string;
  label: string;
  weight: number;
  score: number | null;
  source: string;
  selected: boolean;
  text: string;
}

/**
 * The `top` examples by score (ties by weight, then index) when the input has scores — what the plan
 * ranks by — else by weight (ties by index), with their labels; held-out examples are left out.
 */
export function topReplayedData(input: TopReplayedInput, top = 20): TopReplayedRow[] {
  const order = input.scores ? orderByScoreThenWeight(input.scores, input.weights) : orderByDescending(input.weights);
  const isSel = new Set(Array.from(input.selected ?? []));
  const rows: TopReplayedRow[] = [];
  for (const j of order) {
    if (rows.length >= top) break;
    if (input.excluded?.[j]) continue;
    const r = rows.length + 1;
    const meta = input.exampleMeta?.[j] ?? {};
    const text = typeof meta['text'] === 'string' ? textSnippet(meta['text'] as string, 40) : '';
    const id = itemAt(input.exampleIds, j, 'example');
    rows.push({
      rank: r,
      example: id,
      label: text ? `${id}  ${text}` : id,
      weight: itemAt(input.weights, j, 'example'),
      score: input.scores ? itemAt(input.scores, j, 'example') : null,
      source: meta['source'] !== undefined && meta['source'] !== null ? String(meta['source']) : 'unknown',
      selected: isSel.has(j),
      text,
    });
  }
  return rows;
}

/** Indices by descending score, ties by descending weight, then index; non-finite scores last. */
function orderByScoreThenWeight(scores: ArrayLike<number>, weights: ArrayLike<number>): Int32Array {
  const idx = Array.from({ length: scores.length }, (_, j) => j);
  const key = (j: number): number => {
    const s = scores[j] ?? Number.NaN;
    return Number.isFinite(s) ? s : -Infinity;
  };
  const weight = (j: number): number => weights[j] ?? Number.NaN;
  idx.sort((a, b) => key(b) - key(a) || weight(b) - weight(a) || a - b);
  return Int32Array.from(idx);
}

/**
 * The top examples: horizontal bars of their scores (or weights, without scores), labelled with the
 * example id and a text snippet, coloured by source; sampled examples are outlined.
 * @example
 * const spec = topReplayedSpec({ ...plan, exampleIds: z.exampleIds, exampleMeta: z.exampleMeta }, { top: 20 });
 */
export function topReplayedSpec(input: TopReplayedInput, options: { top?: number; title?: string } = {}): VegaLiteSpec {
  const rows = topReplayedData(input, options.top ?? 20);
  const hasSource = rows.some((r) => r.source !== 'unknown');
  const byScore = input.scores !== undefined;
  const sampled = rows.filter((r) => r.selected).length;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text:
        options.title ?? `Top ${rows.length} examples by ${byScore ? 'predicted forgetting score' : 'replay weight'}`,
      subtitle: [
        `of ${input.weights.length} upstream examples` +
          (input.selected ? `; ${sampled} of these ${rows.length} sampled for replay (outlined)` : ''),
      ],
    },
    width: 300,
    height: Math.max(100, 16 * rows.length),
    data: { values: rows },
    mark: { type: 'bar', ...(hasSource ? {} : { color: NEUTRAL_COLOUR }) },
    encoding: {
      // sorted by the rank field (ids stay data values, never text inside a Vega expression)
      y: {
        field: 'label',
        type: 'nominal',
        sort: { field: 'rank', op: 'min' },
        title: null,
        axis: { labelLimit: 360, labelFont: 'DejaVu Sans Mono, monospace', labelFontSize: 9 },
      },
      x: byScore
        ? { field: 'score', type: 'quantitative', title: 'predicted forgetting score (measured where measured)' }
        : { field: 'weight', type: 'quantitative', title: 'replay weight' },
      ...(hasSource ? { color: { field: 'source', type: 'nominal', title: 'source' } } : {}),
      ...(input.selected
        ? {
            stroke: { condition: { test: 'datum.selected', value: '#222' }, value: null },
            strokeWidth: { condition: { test: 'datum.selected', value: 1.5 }, value: 0 },
          }
        : {}),
      tooltip: [
        { field: 'rank', type: 'quantitative' },
        { field: 'example', type: 'nominal' },
        { field: 'weight', type: 'quantitative', format: '.3e' },
        { field: 'score', type: 'quantitative', format: '.4f' },
        { field: 'source', type: 'nominal' },
        { field: 'selected', type: 'nominal', title: 'sampled' },
        { field: 'text', type: 'nominal' },
      ],
    },
    config: CHART_CONFIG,
  } as VegaLiteSpec;
}

/** How one example stands in a replay plan. */
export type ReplayStatus = 'sampled' | 'weight > 0, not sampled' | 'weight 0' | 'held out';

/** One bar of the score histogram. */
export interface ScoreBin {
  lo: number;
  hi: number;
  status: ReplayStatus;
  count: number;
  /** Stacking position: sampled at the bottom, then the rest of the pool, weight 0, held out. */
  stack: number;
}

/** The histogram behind `replayScoreDistributionSpec`. */
export interface ScoreDistributionData {
  bins: ScoreBin[];
  /** Scores of the sampled examples (for the rug). */
  sampledScores: number[];
  /**
   * The replay cut: the lowest score that may be drawn, when the examples with weight > 0 are exactly
   * the highest-scoring ones (a hard cut, as `topk`'s); null when the weights have no such cut.
   */
  cut: number | null;
  /** Examples with weight > 0 (the pool the draw samples from). */
  pool: number;
  /** Examples that may be replayed (not held out). */
  live: number;
  heldOut: number;
}

/** The score histogram of a plan, split by status, and its replay cut. */
export function scoreDistributionData(input: TopReplayedInput, bins = 40): ScoreDistributionData {
  const scores = input.scores;
  const n = input.weights.length;
  const status: ReplayStatus[] = new Array(n);
  const isSel = selectionMask(n, input.selected);
  let pool = 0;
  let live = 0;
  let poolMin = Infinity;
  let restMax = -Infinity;
  const sampledScores: number[] = [];
  for (let j = 0; j < n; j++) {
    const s = scores?.[j] ?? Number.NaN;
    if (input.excluded?.[j]) {
      status[j] = 'held out';
      continue;
    }
    live++;
    if ((input.weights[j] ?? Number.NaN) > 0) {
      pool++;
      status[j] = isSel[j] ? 'sampled' : 'weight > 0, not sampled';
      if (Number.isFinite(s)) poolMin = Math.min(poolMin, s);
    } else {
      status[j] = 'weight 0';
      if (Number.isFinite(s)) restMax = Math.max(restMax, s);
    }
    if (isSel[j] && Number.isFinite(s)) sampledScores.push(s);
  }
  const out: ScoreBin[] = [];
  if (scores) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = 0; j < n; j++) {
      const s = scores[j] ?? Number.NaN;
      if (Number.isFinite(s)) {
        lo = Math.min(lo, s);
        hi = Math.max(hi, s);
      }
    }
    const order: ReplayStatus[] = ['sampled', 'weight > 0, not sampled', 'weight 0', 'held out'];
    order.forEach((st, stack) => {
      const h = histogram(
        Array.from({ length: n }, (_, j) => (status[j] === st ? (scores[j] ?? Number.NaN) : Number.NaN)),
        { bins, min: lo, max: hi },
      );
      for (const { lo: binLo, hi: binHi, count } of histogramBins(h))
        out.push({ lo: binLo, hi: binHi, status: st, count, stack });
    });
  }
  const cut = pool > 0 && pool < live && poolMin >= restMax ? poolMin : null;
  return { bins: out, sampledScores, cut, pool, live, heldOut: n - live };
}

/**
 * The plan over all N examples: a histogram of their predicted forgetting scores (measured where
 * measured), stacked by what the plan does with them (sampled, in the pool, weight 0, held out), the
 * replay cut as a dashed line where the pool is the top of the scores, and a tick per sampled example.
 * @example
 * const spec = replayScoreDistributionSpec({ ...plan, exampleIds: plan.exampleIds });
 */
export function replayScoreDistributionSpec(
  input: TopReplayedInput,
  options: { bins?: number; title?: string } = {},
): VegaLiteSpec {
  const d = scoreDistributionData(input, options.bins ?? 40);
  const sampled = d.sampledScores.length;
  const subtitle = [
    `${input.weights.length} upstream examples` +
      (d.heldOut > 0 ? ` (${d.heldOut} held out, never replayed)` : '') +
      `; ${d.pool} with weight > 0` +
      (sampled > 0 ? `, ${sampled} sampled for replay` : ''),
    d.cut !== null
      ? `replay cut: only examples scoring ≥ ${formatNumber(d.cut)} can be drawn`
      : 'every example with weight > 0 can be drawn (no hard cut)',
  ];
  const layers: unknown[] = [
    statusHistogramLayer(
      d.bins,
      { title: 'predicted forgetting score (nats)', format: '.3f', from: 'from score', to: 'to score' },
      {
        domain: ['sampled', 'weight > 0, not sampled', 'weight 0', 'held out'],
        range: ['#e45756', '#9ecae9', '#c7c7c7', '#f2cf5b'],
        legend: { title: 'in the plan', labelLimit: 220 },
        stacked: true,
      },
    ),
    {
      data: { values: d.sampledScores.map((score) => ({ score })) },
      mark: { type: 'tick', color: '#e45756', thickness: 1.5, size: 10, yOffset: 6 },
      encoding: { x: { field: 'score', type: 'quantitative' }, y: { value: 'height' } },
    },
  ];
  if (d.cut !== null) {
    const ref = { x: d.cut, label: `replay cut ${formatNumber(d.cut)}` };
    layers.push(
      {
        data: { values: [ref] },
        mark: { type: 'rule', strokeDash: [5, 3], color: '#333' },
        encoding: { x: { field: 'x', type: 'quantitative' } },
      },
      {
        data: { values: [ref] },
        mark: { type: 'text', align: 'right', dx: -3, y: 0, baseline: 'top', fontSize: 10, color: '#333' },
        encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'label' } },
      },
    );
  }
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: options.title ?? 'Predicted forgetting of every upstream example, and what the plan replays',
      subtitle,
    },
    width: 460,
    height: 200,
    layer: layers,
    config: CHART_CONFIG,
  } as VegaLiteSpec;
}

/** 1 at each selected index (indices outside 0..n-1 are ignored), 0 elsewhere. */
function selectionMask(n: number, selected: ArrayLike<number> | undefined): Uint8Array {
  const out = new Uint8Array(n);
  for (const j of Array.from(selected ?? [])) out[j] = 1;
  return out;
}

/**
 * The bar layer of a pre-binned histogram (`lo`, `hi`, `count`, `status` rows) whose bars are split by
 * status: `axis` names the binned quantity and its tooltip, `status` the colours (in stacking order
 * when `stacked`).
 */
function statusHistogramLayer(
  bins: unknown[],
  axis: { title: string; format: string; from: string; to: string },
  status: { domain: string[]; range: string[]; legend: Record<string, unknown>; stacked?: boolean },
): unknown {
  return {
    data: { values: bins },
    mark: { type: 'bar', binSpacing: 0 },
    encoding: {
      x: { field: 'lo', type: 'quantitative', bin: { binned: true }, title: axis.title },
      x2: { field: 'hi' },
      y: { field: 'count', type: 'quantitative', stack: 'zero', title: 'examples' },
      color: {
        field: 'status',
        type: 'nominal',
        scale: { domain: status.domain, range: status.range },
        legend: status.legend,
      },
      ...(status.stacked ? { order: { field: 'stack', type: 'quantitative', sort: 'ascending' } } : {}),
      tooltip: [
        { field: 'lo', type: 'quantitative', format: axis.format, title: axis.from },
        { field: 'hi', type: 'quantitative', format: axis.format, title: axis.to },
        { field: 'count', type: 'quantitative' },
        { field: 'status', type: 'nominal' },
      ],
    },
  };
}
