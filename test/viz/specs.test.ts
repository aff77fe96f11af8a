import {
  compileVegaLite,
  forgettingHeatmapSpec,
  heatmapData,
  predictedVsTrueData,
  predictedVsTrueSpec,
  renderSvg,
  replayWeightDistributionSpec,
  rmseVersusKSpec,
  screeData,
  screeSpec,
  sourceForgettingSpec,
  textSnippet,
  topReplayedData,
  topReplayedSpec,
  weightDistributionData,
} from '../../src/viz/index.js';
import type { VegaLiteSpec } from '../../src/viz/index.js';

/** Compiles without a single Vega-Lite warning and renders to an SVG with marks. */
async function renderClean(spec: VegaLiteSpec): Promise<string> {
  const { warnings } = await compileVegaLite(spec);
  expect(warnings).toEqual([]);
  const svg = await renderSvg(spec);
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('role-mark');
  return svg;
}

/** Number of drawn items of a mark type in a Vega SVG (`<g class="mark-rect role-mark" …>` groups). */
function markItems(svg: string, mark: string): number {
  let count = 0;
  const re = new RegExp(`<g class="mark-${mark} role-mark[^"]*"[^>]*>(.*?)</g>`, 'gs');
  for (const m of svg.matchAll(re)) count += (m[1]!.match(/<(path|line|text)\b/g) ?? []).length;
  return count;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const dataOf = (spec: VegaLiteSpec): any[] => (spec as any).data.values;

describe('heat map', () => {
  // Z = [[1, 2, 3, 10], [5, 6, 7, 20]]; example factor order [1, 2, 3, 0]; task factor order [1, 0].
  const input = {
    values: Float64Array.of(1, 2, 3, 10, 5, 6, 7, 20),
    rows: 2,
    cols: 4,
    taskIds: ['ta', 'tb'],
    taskFactor: [1, 2],
    exampleFactor: [0.1, 0.4, 0.3, 0.2],
  };

  it('sorts by the factors and averages columns in bins (hand-computed)', () => {
    const d = heatmapData(input, { maxCols: 2 });
    expect(d.rowLabels).toEqual(['tb', 'ta']);
    expect(d.cells.map((c) => [c.task, c.col, c.z, c.n])).toEqual([
      ['tb', 0, 6.5, 2],
      ['tb', 1, 12.5, 2],
      ['ta', 0, 2.5, 2],
      ['ta', 1, 5.5, 2],
    ]);
    // numpy.quantile(|cells| = [2.5, 5.5, 6.5, 12.5], 0.99) = 6.5 + 0.97·6 = 12.32 < 12.5 → clamped
    expect(d.colourLimit).toBeCloseTo(12.32, 12);
    expect(d.clamped).toBe(true);
    expect(d.subtitle.join(' ')).toContain('examples averaged in 2 bins of 2');
    expect(d.title).toBe('Forgetting matrix Z: 2 tasks × 4 examples (binned to 2 × 2 cells)');
    expect(heatmapData(input, { maxCols: 4 }).title).toBe('Forgetting matrix Z: 2 tasks × 4 examples');
  });

  it('labels binned rows with their range and falls back to means without factors', () => {
    const d = heatmapData(
      { values: input.values, rows: 2, cols: 4, taskIds: ['ta', 'tb'] },
      { maxRows: 1, maxCols: 4, clampQuantile: 1 },
    );
    expect(d.rowLabels).toEqual(['tb … ta (2 tasks)']);
    // column means [3, 4, 5, 15] → order [3, 2, 1, 0]
    expect(Array.from(d.colOrder)).toEqual([3, 2, 1, 0]);
    expect(d.cells.map((c) => c.z)).toEqual([15, 5, 4, 3]);
    expect(d.colourLimit).toBe(15);
    expect(d.clamped).toBe(false);
    expect(d.subtitle[0]).toContain('row and column means');
  });

  it('takes the factors from the options too (a ForgettingMatrix passes as the input)', () => {
    const { taskFactor, exampleFactor, ...plain } = input;
    const d = heatmapData(plain, { maxCols: 2, taskFactor, exampleFactor });
    expect(d.cells).toEqual(heatmapData(input, { maxCols: 2 }).cells);
    expect(d.subtitle[0]).toContain('rank-1 factors');
  });

  it('draws missing blocks as null (grey) cells', async () => {
    const masked = { ...input, mask: Uint8Array.of(1, 1, 1, 1, 0, 0, 0, 0) };
    const d = heatmapData(masked, { maxCols: 4 });
    expect(d.cells.filter((c) => c.task === 'tb').every((c) => c.z === null && c.n === 0)).toBe(true);
    const svg = await renderClean(forgettingHeatmapSpec(masked, { maxCols: 4 }));
    expect(markItems(svg, 'rect')).toBe(8);
    expect((svg.match(/fill="#d9d9d9"/g) ?? []).length).toBe(4);
  });

  it('compiles cleanly, renders one rect per cell, states the binning in the title and centres the scale at 0', async () => {
    const spec = forgettingHeatmapSpec(input, { maxCols: 2 });
    expect(dataOf(spec)).toEqual(heatmapData(input, { maxCols: 2 }).cells);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const scale = (spec as any).encoding.color.scale;
    expect(scale.domainMid).toBe(0);
    expect(scale.domain[0]).toBe(-scale.domain[1]);
    const svg = await renderClean(spec);
    expect(markItems(svg, 'rect')).toBe(4);
    expect(svg).toContain('Forgetting matrix Z: 2 tasks × 4 examples (binned to 2 × 2 cells)');
    expect(svg).toContain('examples averaged in 2 bins of 2');
  });
});

describe('scree plot', () => {
  const input = { singularValues: [3, 2, 1], r2: [0.5, 0.9], additiveR2: 0.4 };
  it('tabulates singular values, energy shares and R² by rank', () => {
    const rows = screeData(input);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({ rank: 1, singularValue: 3, energyShare: 9 / 14, r2: 0.5 });
    expect(rows[2]).toEqual({ rank: 3, singularValue: 1, energyShare: 1 / 14, r2: null });
  });
  it('renders bars, the R² line and the additive reference line', async () => {
    const spec = screeSpec(input);
    expect(dataOf(spec)).toEqual(screeData(input));
    const svg = await renderClean(spec);
    expect(markItems(svg, 'rect')).toBe(3);
    expect(markItems(svg, 'rule')).toBe(1);
    expect(markItems(svg, 'symbol')).toBe(2); // one point per R² value, none for the missing rank 3
    expect(svg).toContain('additive model R² = 0.4');
    expect(svg).toContain('Singular values');
  });
});

describe('per-source bars', () => {
  const sources = [
    { source: 'python', mean: 0.2, fractionForgotten: 0.9, share: 0.25, examples: 10 },
    { source: 'man', mean: 0.4, fractionForgotten: 0.95, share: 0.75, examples: 20 },
  ];
  it('renders three panels of one bar per source, sorted by mean', async () => {
    const spec = sourceForgettingSpec(sources);
    expect(dataOf(spec).map((r) => [r.source, r.mean, r.fractionForgotten, r.share])).toEqual([
      ['python', 0.2, 0.9, 0.25],
      ['man', 0.4, 0.95, 0.75],
    ]);
    // sorted by a numeric data field (largest mean first), not by a list compiled into an expression
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect((spec as any).hconcat[0].encoding.y.sort).toEqual({ field: 'order', op: 'min' });
    expect(dataOf(spec).map((r) => r.order)).toEqual([1, 0]);
    const svg = await renderClean(spec);
    expect(markItems(svg, 'rect')).toBe(6);
    expect(svg).toContain('fraction forgotten (Z &gt; 0)');
    expect(svg).toContain('share of total forgetting');
  });
});

describe('predicted vs true', () => {
  const truth = Float64Array.of(0.1, 0.2, 0.3, 0.4, 0.5);
  const prediction = Float64Array.of(0.1, 0.3, 0.2, 0.4, 0.9);
  it('scores the unmeasured columns only (hand-computed RMSE)', () => {
    const d = predictedVsTrueData({ truth, prediction, known: [0, 3] });
    // unmeasured: columns 1, 2, 4 → errors 0.1, −0.1, 0.4 → RMSE = sqrt(0.18 / 3)
    expect(d.rmse).toBeCloseTo(Math.sqrt(0.18 / 3), 12);
    expect(d.scored).toBe(3);
    expect(d.points.filter((p) => p.kind === 'measured').map((p) => p.example)).toEqual([0, 3]);
    expect(d.range).toEqual([0.1, 0.9]);
  });
  it('thins unmeasured points but keeps every measured one', () => {
    const d = predictedVsTrueData({ truth, prediction, known: [3] }, 2);
    // thinIndices(5, 2) = [0, 3]; plus the measured column 3 → points 0 (predicted), 3 (measured)
    expect(d.points.map((p) => [p.example, p.kind])).toEqual([
      [0, 'predicted'],
      [3, 'measured'],
    ]);
    expect(d.drawn).toBe(2);
  });
  it('renders the points and the identity line', async () => {
    const spec = predictedVsTrueSpec({ truth, prediction, known: [0, 3], task: 't9', method: 'lowrank' });
    const svg = await renderClean(spec);
    expect(markItems(svg, 'symbol')).toBe(5);
    expect(markItems(svg, 'line')).toBe(1);
    expect(svg).toContain('task t9 (lowrank)');
    expect(svg).toContain('RMSE 0.245'); // sqrt(0.06) = 0.2449…
  });
});

describe('RMSE versus k', () => {
  it('draws one line per selection with a band where given', async () => {
    const points = [
      { k: 5, rmse: 0.3, select: 'random', lower: 0.25, upper: 0.35 },
      { k: 30, rmse: 0.2, select: 'random', lower: 0.18, upper: 0.22 },
      { k: 5, rmse: 0.2, select: 'active' },
      { k: 30, rmse: 0.1, select: 'active' },
    ];
    const spec = rmseVersusKSpec(points);
    expect(dataOf(spec).map((r) => [r.k, r.rmse, r.select])).toEqual(points.map((p) => [p.k, p.rmse, p.select]));
    const svg = await renderClean(spec);
    expect(markItems(svg, 'line')).toBe(2);
    expect(markItems(svg, 'area')).toBe(1);
    expect(svg).toContain('Completion error versus number of measured examples');
  });
});

describe('replay weights', () => {
  // weights: two excluded (0), others 10^-1, 10^-1, 10^-2, 10^-3 (not normalised; only logs matter here)
  const weights = Float64Array.of(0.1, 0, 0.1, 0.01, 0, 0.001);
  it('bins log10 weights of the positive weights, split by sampled', () => {
    const d = weightDistributionData({ weights, selected: [0] }, 2);
    expect(d.zero).toBe(2);
    expect(d.positive).toBe(4);
    // log10 range [−3, −1], two bins [−3, −2) and [−2, −1]
    expect(d.bins).toEqual([
      { lo: -3, hi: -2, status: 'not sampled', count: 1 },
      { lo: -2, hi: -1, status: 'not sampled', count: 2 },
      { lo: -2, hi: -1, status: 'sampled', count: 1 },
    ]);
    expect(d.uniformLog10).toBeCloseTo(-Math.log10(4), 14);
    // (Σw)²/Σw² = 0.211² / 0.020101
    expect(d.effectiveExamples).toBeCloseTo(0.211 ** 2 / 0.020101, 12);
  });
  it('renders the histogram with the uniform reference', async () => {
    const spec = replayWeightDistributionSpec({ weights, selected: [0], temperature: 0.1 }, { bins: 2 });
    const svg = await renderClean(spec);
    expect(markItems(svg, 'rect')).toBe(3);
    expect(markItems(svg, 'rule')).toBe(1);
    expect(svg).toContain('2 excluded');
    expect(svg).toContain('uniform 1/N');
  });
  it('lists the top examples with snippets and sources', async () => {
    const input = {
      weights,
      selected: [2],
      exampleIds: ['a', 'b', 'c', 'd', 'e', 'f'],
      exampleMeta: [{ source: 'man', text: 'line one\nline\ttwo' }, {}, { source: 'python', text: 'x' }, {}, {}, {}],
    };
    const rows = topReplayedData(input, 3);
    expect(rows.map((r) => [r.example, r.weight, r.source, r.selected])).toEqual([
      ['a', 0.1, 'man', false],
      ['c', 0.1, 'python', true],
      ['d', 0.01, 'unknown', false],
    ]);
    expect(rows[0]!.label).toBe('a  line one⏎line⇥two');
    const svg = await renderClean(topReplayedSpec(input, { top: 3 }));
    expect(markItems(svg, 'rect')).toBe(3);
    expect(svg).toContain('Top 3 examples by replay weight');
  });
});

describe('textSnippet', () => {
  it('makes control characters visible and truncates with an ellipsis', () => {
    expect(textSnippet('a\r\nb\tc\u0001  d')).toBe('a⏎b⇥c· d');
    expect(textSnippet('abcdef', 4)).toBe('abc…');
  });
});

describe('ids are data, never Vega expression text', () => {
  // U+2028 ends a line in a JavaScript string literal; quotes and backslashes would end or escape one
  const hostile = ['t\u2028a', 't"b', "t'c", 't\\d', 'e\u2029f'];
  /** Every expression string of the compiled Vega spec (expr, calculate, filter, test, signal, update). */
  const expressions = async (spec: VegaLiteSpec): Promise<string[]> => {
    const out: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (typeof x === 'string' && ['expr', 'calculate', 'filter', 'test', 'signal', 'update'].includes(k))
            out.push(x);
          else if (k !== 'values') walk(x);
        }
      }
    };
    walk((await compileVegaLite(spec)).vega);
    return out;
  };
  const mentionsAnId = (exprs: string[]): boolean =>
    exprs.some((e) => hostile.some((id) => e.includes(id) || e.includes(JSON.stringify(id).slice(1, -1))));

  it('heat map: task ids with line separators, quotes and backslashes render and label the rows', async () => {
    const rows = hostile.length;
    const values = Float64Array.from({ length: rows * 3 }, (_, k) => (k % 7) / 7 - 0.3);
    const spec = forgettingHeatmapSpec({ values, rows, cols: 3, taskIds: hostile });
    expect(mentionsAnId(await expressions(spec))).toBe(false);
    const svg = await renderClean(spec);
    expect(svg).toContain('t&quot;b');
    expect(svg).toContain('t\u2028a');
  });

  it('sources and top-replayed bars: hostile source names and example ids', async () => {
    const sources = hostile.map((source, i) => ({
      source,
      mean: 0.1 * (i + 1),
      fractionForgotten: 0.5,
      share: 0.2,
      examples: 3,
    }));
    expect(mentionsAnId(await expressions(sourceForgettingSpec(sources)))).toBe(false);
    await renderClean(sourceForgettingSpec(sources));
    const weights = Float64Array.of(0.1, 0.4, 0.2, 0.2, 0.1);
    const spec = topReplayedSpec(
      { weights, exampleIds: hostile, exampleMeta: hostile.map((source) => ({ source })) },
      { top: 5 },
    );
    expect(mentionsAnId(await expressions(spec))).toBe(false);
    const svg = await renderClean(spec);
    expect(svg).toContain('t&quot;b');
  });
});
