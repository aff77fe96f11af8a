import type { VegaLiteSpec } from './spec.js';
import { CHART_CONFIG, NEUTRAL_COLOUR, VEGA_LITE_SCHEMA, formatNumber, textSnippet } from './spec.js';
import { histogram, orderByDescending } from './binning.js';

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
  const isSel = new Uint8Array(n);
  if (input.selected) for (let k = 0; k < input.selected.length; k++) isSel[input.selected[k]!] = 1;
  const logs = new Float64Array(n).fill(NaN);
  let zero = 0;
  let positive = 0;
  let s1 = 0;
  let s2 = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < n; j++) {
    const w = input.weights[j]!;
    if (!(w > 0)) {
      zero++;
      continue;
    }
    positive++;
    s1 += w;
    s2 += w * w;
    logs[j] = Math.log10(w);
    lo = Math.min(lo, logs[j]!);
    hi = Math.max(hi, logs[j]!);
  }
  const out: WeightBin[] = [];
  if (positive > 0) {
    const sel = logs.map((x, j) => (isSel[j] ? x : NaN));
    const rest = logs.map((x, j) => (isSel[j] ? NaN : x));
    const hs = histogram(sel, { bins, min: lo, max: hi });
    const hr = histogram(rest, { bins, min: lo, max: hi });
    for (let b = 0; b < hr.counts.length; b++) {
      const edgeLo = hr.edges[b]!;
      const edgeHi = hr.edges[b + 1]!;
      if (hr.counts[b]! > 0) out.push({ lo: edgeLo, hi: edgeHi, status: 'not sampled', count: hr.counts[b]! });
      if (hs.counts[b]! > 0) out.push({ lo: edgeLo, hi: edgeHi, status: 'sampled', count: hs.counts[b]! });
    }
  }
  return {
    bins: out,
    zero,
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
export function replayWeightDistributionSpec(input: ReplayWeightsInput, options: { bins?: number; title?: string } = {}): VegaLiteSpec {
  const d = weightDistributionData(input, options.bins ?? 40);
  const selectedCount = input.selected ? input.selected.length : 0;
  const subtitle = [
    `${d.positive} examples with weight > 0` + (d.zero > 0 ? `, ${d.zero} excluded (weight 0, not drawn)` : '') +
      (selectedCount > 0 ? `, ${selectedCount} sampled for replay` : ''),
    `effective number of examples (Σw)²/Σw² = ${formatNumber(d.effectiveExamples)}` +
      (input.temperature !== undefined && Number.isFinite(input.temperature) ? `, temperature ${input.temperature}` : '') +
      (input.method ? `, scores from ${input.method}` : ''),
  ];
  const ref = { x: d.uniformLog10, label: 'uniform 1/N' };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: options.title ?? 'Replay weight distribution', subtitle },
    width: 420,
    height: 200,
    layer: [
      {
        data: { values: d.bins },
        mark: { type: 'bar', binSpacing: 0 },
        encoding: {
          x: { field: 'lo', type: 'quantitative', bin: { binned: true }, title: 'log10(weight)' },
          x2: { field: 'hi' },
          y: { field: 'count', type: 'quantitative', stack: 'zero', title: 'examples' },
          color: {
            field: 'status',
            type: 'nominal',
            scale: { domain: ['not sampled', 'sampled'], range: ['#9ecae9', '#e45756'] },
            legend: { title: 'replay sample' },
          },
          tooltip: [
            { field: 'lo', type: 'quantitative', format: '.2f', title: 'from log10 w' },
            { field: 'hi', type: 'quantitative', format: '.2f', title: 'to log10 w' },
            { field: 'count', type: 'quantitative' },
            { field: 'status', type: 'nominal' },
          ],
        },
      },
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
  /** Predicted/measured forgetting score per example, shown in the tooltip. */
  scores?: ArrayLike<number>;
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

/** The `top` examples by weight (ties by index), with their labels. */
export function topReplayedData(input: TopReplayedInput, top = 20): TopReplayedRow[] {
  const order = orderByDescending(input.weights);
  const isSel = new Set<number>();
  if (input.selected) for (let k = 0; k < input.selected.length; k++) isSel.add(input.selected[k]!);
  const rows: TopReplayedRow[] = [];
  for (let r = 0; r < Math.min(top, order.length); r++) {
    const j = order[r]!;
    const meta = input.exampleMeta?.[j] ?? {};
    const text = typeof meta['text'] === 'string' ? textSnippet(meta['text'] as string, 40) : '';
    const id = input.exampleIds[j]!;
    rows.push({
      rank: r + 1,
      example: id,
      label: text ? `${id}  ${text}` : id,
      weight: input.weights[j]!,
      score: input.scores ? input.scores[j]! : null,
      source: meta['source'] !== undefined && meta['source'] !== null ? String(meta['source']) : 'unknown',
      selected: isSel.has(j),
      text,
    });
  }
  return rows;
}

/**
 * The top replayed examples: horizontal bars of their weights, labelled with the example id and a
 * text snippet, coloured by source.
 * @example
 * const spec = topReplayedSpec({ ...plan, exampleIds: z.exampleIds, exampleMeta: z.exampleMeta }, { top: 20 });
 */
export function topReplayedSpec(input: TopReplayedInput, options: { top?: number; title?: string } = {}): VegaLiteSpec {
  const rows = topReplayedData(input, options.top ?? 20);
  const hasSource = rows.some((r) => r.source !== 'unknown');
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: options.title ?? `Top ${rows.length} examples by replay weight`,
      subtitle: [`of ${input.weights.length} upstream examples`],
    },
    width: 300,
    height: Math.max(100, 16 * rows.length),
    data: { values: rows },
    mark: { type: 'bar', ...(hasSource ? {} : { color: NEUTRAL_COLOUR }) },
    encoding: {
      // sorted by the rank field (ids stay data values, never text inside a Vega expression)
      y: { field: 'label', type: 'nominal', sort: { field: 'rank', op: 'min' }, title: null, axis: { labelLimit: 360, labelFont: 'DejaVu Sans Mono, monospace', labelFontSize: 9 } },
      x: { field: 'weight', type: 'quantitative', title: 'replay weight' },
      ...(hasSource ? { color: { field: 'source', type: 'nominal', title: 'source' } } : {}),
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
