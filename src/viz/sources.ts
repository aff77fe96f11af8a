import type { VegaLiteSpec } from './spec.js';
import { CHART_CONFIG, FORGOTTEN_COLOUR, NEUTRAL_COLOUR, VEGA_LITE_SCHEMA } from './spec.js';
import { itemAt } from '../util/checked.js';

/** One upstream source (domain) as the audit summaries report it. */
export interface SourceRow {
  source: string;
  /** Mean forgetting over the source's observed entries. */
  mean: number;
  /** Fraction of the source's observed entries with Z > 0. */
  fractionForgotten: number;
  /** The source's share of the total forgetting. */
  share: number;
  /** Number of examples from this source, when known. */
  examples?: number;
}

/**
 * Per-source forgetting for data teams: three bar charts side by side — mean forgetting, fraction of
 * entries forgotten (Z > 0) and share of the total forgetting — sources sorted by mean, largest first.
 * @example
 * const spec = sourceForgettingSpec(summarizeBySource(matrix).sources);
 */
export function sourceForgettingSpec(sources: readonly SourceRow[], options: { title?: string } = {}): VegaLiteSpec {
  // `order` (largest mean first) is a data field the axis sorts by: source names stay data values,
  // never text inside a Vega expression (an explicit sort list would be compiled into one)
  const ranked = sources
    .map((s, i) => ({ s, i }))
    .sort((a, b) => b.s.mean - a.s.mean || a.s.source.localeCompare(b.s.source));
  const orderOf = new Int32Array(sources.length);
  ranked.forEach(({ i }, k) => {
    orderOf[i] = k;
  });
  const rows = sources.map((s, i) => ({
    source: s.source,
    mean: s.mean,
    fractionForgotten: s.fractionForgotten,
    share: s.share,
    examples: s.examples ?? null,
    order: itemAt(orderOf, i),
  }));
  const height = Math.max(80, 20 * rows.length);
  const panel = (field: string, title: string, format: string, colour: string, domain?: [number, number]): unknown => ({
    title,
    width: 180,
    height,
    mark: { type: 'bar', color: colour },
    encoding: {
      y: { field: 'source', type: 'nominal', sort: { field: 'order', op: 'min' }, title: null },
      x: { field, type: 'quantitative', title: null, axis: { format }, ...(domain ? { scale: { domain } } : {}) },
      tooltip: [
        { field: 'source', type: 'nominal' },
        { field: 'mean', type: 'quantitative', format: '.4f', title: 'mean Z' },
        { field: 'fractionForgotten', type: 'quantitative', format: '.1%', title: 'forgotten (Z > 0)' },
        { field: 'share', type: 'quantitative', format: '.1%', title: 'share of total' },
        { field: 'examples', type: 'quantitative', title: 'examples' },
      ],
    },
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: options.title ?? 'Forgetting by upstream source',
      subtitle: [`${rows.length} sources, sorted by mean forgetting`],
    },
    data: { values: rows },
    hconcat: [
      panel('mean', 'mean Z (nats)', '.2f', FORGOTTEN_COLOUR),
      panel('fractionForgotten', 'fraction forgotten (Z > 0)', '.0%', NEUTRAL_COLOUR, [0, 1]),
      panel('share', 'share of total forgetting', '.0%', '#72b7b2'),
    ],
    config: CHART_CONFIG,
  } as VegaLiteSpec;
}
