import type { VegaLiteSpec } from './spec.js';
import { CHART_CONFIG, VEGA_LITE_SCHEMA } from './spec.js';

/** One point of an RMSE-versus-k curve. */
export interface RmseCurvePoint {
  /** Number of measured examples per new task. */
  k: number;
  /** Pooled RMSE, averaged over seeds. */
  rmse: number;
  /** How the probes were chosen: `random` (the paper's protocol) or `active`. */
  select: string;
  /** The completion method (one line per method × select). */
  method?: string;
  /** Optional band (e.g. min and max over seeds). */
  lower?: number;
  upper?: number;
}

/**
 * RMSE of completed rows versus the number of measured examples k, one line per probe selection
 * (random vs active) and, when given, per method (dash pattern). Optional bands show the spread over
 * seeds. Log-scaled k axis.
 * @example
 * const spec = rmseVersusKSpec([{ k: 10, rmse: 0.21, select: 'random' }, { k: 10, rmse: 0.15, select: 'active' }]);
 */
export function rmseVersusKSpec(points: readonly RmseCurvePoint[], options: { title?: string } = {}): VegaLiteSpec {
  const rows = points.map((p) => ({
    k: p.k,
    rmse: p.rmse,
    select: p.select,
    method: p.method ?? '',
    series: p.method ? `${p.method} · ${p.select}` : p.select,
    lower: p.lower ?? null,
    upper: p.upper ?? null,
  }));
  const methods = new Set(rows.map((r) => r.method));
  const hasBand = rows.some((r) => r.lower !== null && r.upper !== null);
  const ks = rows.map((r) => r.k);
  const x = {
    field: 'k',
    type: 'quantitative',
    title: 'measured examples per new task (k)',
    scale: { type: 'log', domain: [Math.min(...ks), Math.max(...ks)], nice: false },
    axis: { values: [...new Set(ks)].sort((a, b) => a - b) },
  };
  const color = {
    field: 'select',
    type: 'nominal',
    title: 'probes',
    scale: { domain: ['random', 'active'], range: ['#4c78a8', '#e45756'] },
  };
  const layers: unknown[] = [];
  if (hasBand) {
    layers.push({
      transform: [{ filter: 'datum.lower !== null && datum.upper !== null' }],
      mark: { type: 'area', opacity: 0.15 },
      encoding: {
        x,
        y: { field: 'lower', type: 'quantitative' },
        y2: { field: 'upper' },
        color: { ...color, legend: null },
        detail: { field: 'series' },
      },
    });
  }
  layers.push({
    mark: { type: 'line', point: { filled: true, size: 36 } },
    encoding: {
      x,
      y: { field: 'rmse', type: 'quantitative', title: 'RMSE (nats)', scale: { zero: false } },
      color,
      detail: { field: 'series' },
      ...(methods.size > 1 ? { strokeDash: { field: 'method', type: 'nominal', title: 'method' } } : {}),
      tooltip: [
        { field: 'series', type: 'nominal', title: 'series' },
        { field: 'k', type: 'quantitative' },
        { field: 'rmse', type: 'quantitative', format: '.4f' },
      ],
    },
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: options.title ?? 'Completion error versus number of measured examples',
      subtitle: ['random (paper protocol) vs active probe selection'],
    },
    width: 420,
    height: 240,
    data: { values: rows },
    layer: layers,
    config: CHART_CONFIG,
  } as VegaLiteSpec;
}
