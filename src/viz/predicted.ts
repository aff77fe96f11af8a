import type { VegaLiteSpec } from './spec.js';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, formatNumber } from './spec.js';
import { thinIndices } from './binning.js';
import { pearson } from '../analysis/correlations.js';

/** A completed row next to the truth. */
export interface PredictedVsTrueInput {
  /** True forgetting of the task's examples (length N). */
  truth: ArrayLike<number>;
  /** Predicted forgetting (length N). */
  prediction: ArrayLike<number>;
  /** Columns that were measured (the probes); drawn in a separate colour and left out of the RMSE. */
  known?: ArrayLike<number>;
  /** The evaluated task, for the title. */
  task?: string;
  /** The completion method, for the title. */
  method?: string;
}

/** One drawn point. */
export interface PredictedPoint {
  example: number;
  truth: number;
  prediction: number;
  kind: 'measured' | 'predicted';
}

/** The points and the scores the scatter plot shows. */
export interface PredictedVsTrueData {
  points: PredictedPoint[];
  /** RMSE over the unmeasured columns with finite truth and prediction. */
  rmse: number;
  /** Pearson correlation over the same columns. */
  pearson: number;
  /** Unmeasured columns scored. */
  scored: number;
  /** Columns drawn / total (the scatter is thinned beyond `maxPoints`). */
  drawn: number;
  total: number;
  /** Lower and upper end of the identity line. */
  range: [number, number];
}

/**
 * Scores a predicted row against the truth on the unmeasured columns and picks the points to draw
 * (every measured column, plus evenly spread unmeasured ones up to `maxPoints`).
 */
export function predictedVsTrueData(input: PredictedVsTrueInput, maxPoints = 4000): PredictedVsTrueData {
  const n = input.truth.length;
  const isKnown = new Uint8Array(n);
  for (const j of Array.from(input.known ?? [])) isKnown[j] = 1;
  // The unmeasured examples with a finite truth and prediction are scored; the range spans every drawn one.
  const scoredTruth: number[] = [];
  const scoredPrediction: number[] = [];
  let se = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < n; j++) {
    const t = input.truth[j];
    const p = input.prediction[j];
    if (t === undefined || p === undefined || !Number.isFinite(t) || !Number.isFinite(p)) continue;
    lo = Math.min(lo, t, p);
    hi = Math.max(hi, t, p);
    if (isKnown[j]) continue;
    scoredTruth.push(t);
    scoredPrediction.push(p);
    se += (t - p) ** 2;
  }
  const count = scoredTruth.length;
  const points: PredictedPoint[] = [];
  const pick = new Uint8Array(n);
  for (const j of thinIndices(n, maxPoints)) pick[j] = 1;
  // Unmeasured points first, measured ones last so they are drawn on top.
  for (const measured of [0, 1]) {
    for (let j = 0; j < n; j++) {
      if (isKnown[j] !== measured || !(pick[j] || measured)) continue;
      const t = input.truth[j];
      const p = input.prediction[j];
      if (t === undefined || p === undefined || !Number.isFinite(t) || !Number.isFinite(p)) continue;
      points.push({ example: j, truth: t, prediction: p, kind: measured ? 'measured' : 'predicted' });
    }
  }
  return {
    points,
    rmse: count > 0 ? Math.sqrt(se / count) : NaN,
    pearson: pearson(scoredTruth, scoredPrediction),
    scored: count,
    drawn: points.length,
    total: n,
    range: Number.isFinite(lo) ? [lo, hi] : [0, 1],
  };
}

/**
 * Predicted versus true forgetting of one evaluated task: one point per example, measured probes in a
 * second colour, and the identity line y = x (perfect prediction). The subtitle gives the RMSE and
 * Pearson r over the unmeasured examples, and says when points were thinned.
 * @example
 * const spec = predictedVsTrueSpec({ truth: z.row(i), prediction, known: probes, task: z.taskIds[i], method: 'lowrank' });
 */
export function predictedVsTrueSpec(
  input: PredictedVsTrueInput,
  options: { maxPoints?: number; title?: string; size?: number } = {},
): VegaLiteSpec {
  const d = predictedVsTrueData(input, options.maxPoints ?? 4000);
  const size = options.size ?? 320;
  const subtitle = [
    `RMSE ${formatNumber(d.rmse)}, Pearson r ${formatNumber(d.pearson)} over ${d.scored} unmeasured examples`,
  ];
  if (d.drawn < d.total) subtitle.push(`${d.drawn} of ${d.total} examples drawn (evenly thinned)`);
  const title =
    options.title ??
    `Predicted vs true forgetting${input.task ? `: task ${input.task}` : ''}${input.method ? ` (${input.method})` : ''}`;
  const [lo, hi] = d.range;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: title, subtitle },
    width: size,
    height: size,
    layer: [
      {
        data: { values: [{ v: lo }, { v: hi }] },
        mark: { type: 'line', color: '#888', strokeDash: [4, 4] },
        encoding: {
          x: { field: 'v', type: 'quantitative' },
          y: { field: 'v', type: 'quantitative' },
        },
      },
      {
        data: { values: d.points },
        mark: { type: 'point', filled: true, opacity: 0.55, size: 14, aria: false },
        encoding: {
          x: { field: 'truth', type: 'quantitative', title: 'true Z (nats)', scale: { domain: [lo, hi] } },
          y: { field: 'prediction', type: 'quantitative', title: 'predicted Z (nats)', scale: { domain: [lo, hi] } },
          color: {
            field: 'kind',
            type: 'nominal',
            scale: { domain: ['predicted', 'measured'], range: ['#4c78a8', '#f58518'] },
            legend: { title: null, orient: 'bottom-right' },
          },
          size: { condition: { test: "datum.kind === 'measured'", value: 40 }, value: 14 },
          tooltip: [
            { field: 'example', type: 'quantitative', title: 'column' },
            { field: 'truth', type: 'quantitative', format: '.4f' },
            { field: 'prediction', type: 'quantitative', format: '.4f' },
            { field: 'kind', type: 'nominal' },
          ],
        },
      },
    ],
    config: CHART_CONFIG,
  } as VegaLiteSpec;
}
