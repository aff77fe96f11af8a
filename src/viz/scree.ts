import type { VegaLiteSpec } from './spec.js';
import { CHART_CONFIG, NEUTRAL_COLOUR, VEGA_LITE_SCHEMA, formatNumber } from './spec.js';

/** Inputs of the scree plot: the results of a structure analysis. */
export interface ScreeInput {
  /** Singular values s1 ≥ s2 ≥ … of the uncentered Z. */
  singularValues: ArrayLike<number>;
  /** R²_k for k = 1..K (uncentred truncated SVD). */
  r2: ArrayLike<number>;
  /** R² of the additive model μ + a_i + b_j, drawn as a reference line. */
  additiveR2?: number;
}

/** One row of the scree plot's data. */
export interface ScreeRow {
  rank: number;
  singularValue: number | null;
  /** Share of Σ s² over the given singular values. */
  energyShare: number | null;
  r2: number | null;
}

/** The table behind the scree plot: one row per rank (the longer of the two inputs). */
export function screeData(input: ScreeInput): ScreeRow[] {
  const k = Math.max(input.singularValues.length, input.r2.length);
  let total = 0;
  for (const s of Array.from(input.singularValues)) total += s ** 2;
  const rows: ScreeRow[] = [];
  for (let i = 0; i < k; i++) {
    const s = input.singularValues[i] ?? null;
    rows.push({
      rank: i + 1,
      singularValue: s,
      energyShare: s !== null && total > 0 ? (s * s) / total : null,
      r2: input.r2[i] ?? null,
    });
  }
  return rows;
}

/**
 * Scree plot: singular values by rank (left) and R² of the rank-k fit by rank (right), with the
 * additive model's R² as a dashed reference line — if the rank-1 point is above it, the
 * multiplicative model beats the additive one, as the paper claims.
 * @example
 * const spec = screeSpec({ singularValues: a.singularValues, r2: a.r2, additiveR2: a.additive.r2 });
 */
export function screeSpec(input: ScreeInput, options: { title?: string } = {}): VegaLiteSpec {
  const rows = screeData(input);
  const rankOneR2 = rows[0]?.r2 ?? null;
  const r2Layers: unknown[] = [
    {
      transform: [{ filter: 'datum.r2 !== null' }],
      mark: { type: 'line', point: { filled: true, size: 50 }, color: NEUTRAL_COLOUR },
      encoding: {
        x: { field: 'rank', type: 'ordinal', title: 'rank k', axis: { labelAngle: 0 } },
        y: { field: 'r2', type: 'quantitative', title: 'R² of rank-k fit', scale: { domain: [0, 1] } },
        tooltip: [
          { field: 'rank', type: 'ordinal' },
          { field: 'r2', type: 'quantitative', format: '.4f', title: 'R²' },
        ],
      },
    },
  ];
  if (input.additiveR2 !== undefined && Number.isFinite(input.additiveR2)) {
    const ref = { additiveR2: input.additiveR2, label: `additive model R² = ${formatNumber(input.additiveR2)}` };
    r2Layers.push(
      {
        data: { values: [ref] },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#e45756' },
        encoding: { y: { field: 'additiveR2', type: 'quantitative' } },
      },
      {
        data: { values: [ref] },
        mark: { type: 'text', align: 'left', dx: 4, dy: 10, x: 0, color: '#e45756', fontSize: 10 },
        encoding: { y: { field: 'additiveR2', type: 'quantitative' }, text: { field: 'label' } },
      },
    );
  }
  const k = rows.length;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: options.title ?? 'Low-rank structure of Z',
      subtitle: [
        rankOneR2 !== null
          ? `rank-1 (multiplicative) R² = ${formatNumber(rankOneR2)}` +
            (input.additiveR2 !== undefined ? `, additive R² = ${formatNumber(input.additiveR2)}` : '')
          : 'R² by rank',
      ],
    },
    data: { values: rows },
    hconcat: [
      {
        title: 'Singular values',
        width: Math.max(160, 28 * k),
        height: 200,
        mark: { type: 'bar', color: NEUTRAL_COLOUR },
        encoding: {
          x: { field: 'rank', type: 'ordinal', title: 'component', axis: { labelAngle: 0 } },
          y: { field: 'singularValue', type: 'quantitative', title: 'singular value' },
          tooltip: [
            { field: 'rank', type: 'ordinal' },
            { field: 'singularValue', type: 'quantitative', format: '.4f', title: 'singular value' },
            { field: 'energyShare', type: 'quantitative', format: '.1%', title: 'share of Σs²' },
          ],
        },
      },
      { title: 'R² by rank', width: Math.max(200, 32 * k), height: 200, layer: r2Layers },
    ],
    config: CHART_CONFIG,
  } as VegaLiteSpec;
}
