import type { VegaLiteSpec } from './spec.js';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, formatNumber } from './spec.js';
import { binEdges, blockMeans, orderByDescending, quantile } from './binning.js';
import { itemAt } from '../util/checked.js';

/** What the heat map needs: the matrix (a `ForgettingMatrix` fits) and optionally its rank-1 factors. */
export interface HeatmapInput {
  /** Row-major rows × cols values. */
  values: ArrayLike<number>;
  rows: number;
  cols: number;
  /** Row-major observed mask (1 = observed); null or omitted = complete. */
  mask?: Uint8Array | null;
  taskIds: readonly string[];
  /** Rank-1 task factor u (length rows); rows are drawn by u descending. Omitted: row means. */
  taskFactor?: ArrayLike<number>;
  /** Rank-1 example factor v (length cols); columns are drawn by v descending. Omitted: column means. */
  exampleFactor?: ArrayLike<number>;
}

/** Options of `forgettingHeatmapSpec`. */
export interface HeatmapOptions {
  /** Rank-1 task factor (overrides `input.taskFactor`), so a `ForgettingMatrix` can be passed as is. */
  taskFactor?: ArrayLike<number>;
  /** Rank-1 example factor (overrides `input.exampleFactor`). */
  exampleFactor?: ArrayLike<number>;
  /** At most this many drawn rows; more tasks are averaged in contiguous bins (default 60). */
  maxRows?: number;
  /** At most this many drawn columns; more examples are averaged in contiguous bins (default 150). */
  maxCols?: number;
  /**
   * The colour scale runs from −c to +c, c = this quantile of |cell| (default 0.99), so a few extreme
   * cells do not wash out the rest; cells beyond ±c get the end colours and the legend says so.
   */
  clampQuantile?: number;
  /** Overrides the generated title. */
  title?: string;
  width?: number;
  height?: number;
}

/** One drawn cell of the heat map. */
export interface HeatmapCell {
  /** Drawn row position (0 = largest task factor). */
  row: number;
  /** Drawn column position (0 = largest example factor). */
  col: number;
  /** Row label: the task id, or `"a … b (n tasks)"` for a bin. */
  task: string;
  /** Mean of the observed values in the cell; null when none observed. */
  z: number | null;
  /** Observed entries averaged into the cell. */
  n: number;
}

/** The reduced matrix behind the heat map (exposed so callers and tests can inspect what is drawn). */
export interface HeatmapData {
  cells: HeatmapCell[];
  rowLabels: string[];
  rowOrder: Int32Array;
  colOrder: Int32Array;
  rowEdges: Int32Array;
  colEdges: Int32Array;
  /** Half-width of the colour scale. */
  colourLimit: number;
  /** True when some cell lies outside ±colourLimit. */
  clamped: boolean;
  /** The generated title and subtitle. */
  title: string;
  subtitle: string[];
}

function meansOf(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  mask: Uint8Array | null | undefined,
  byRow: boolean,
): Float64Array {
  const [outer, inner] = byRow ? [rows, cols] : [cols, rows];
  // One running sum per output, over the other index in increasing order.
  return Float64Array.from({ length: outer }, (_, a) => {
    let sum = 0;
    let count = 0;
    for (let b = 0; b < inner; b++) {
      const k = byRow ? a * cols + b : b * cols + a;
      const x = values[k];
      if (x === undefined || (mask && mask[k] === 0) || !Number.isFinite(x)) continue;
      sum += x;
      count++;
    }
    return count > 0 ? sum / count : NaN;
  });
}

function sizeRange(edges: Int32Array): string {
  let lo = Infinity;
  let hi = 0;
  for (let b = 1; b < edges.length; b++) {
    const s = itemAt(edges, b) - itemAt(edges, b - 1);
    lo = Math.min(lo, s);
    hi = Math.max(hi, s);
  }
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

/**
 * Computes what the heat map draws: rows and columns sorted by the rank-1 factors (descending, so the
 * most forgetting-prone tasks and examples are top-left), then averaged in contiguous bins when there
 * are more than `maxRows` / `maxCols` of them.
 */
export function heatmapData(input: HeatmapInput, options: HeatmapOptions = {}): HeatmapData {
  const { values, rows, cols, mask, taskIds } = input;
  const taskFactor = options.taskFactor ?? input.taskFactor;
  const exampleFactor = options.exampleFactor ?? input.exampleFactor;
  const taskKey = taskFactor ?? meansOf(values, rows, cols, mask, true);
  const exampleKey = exampleFactor ?? meansOf(values, rows, cols, mask, false);
  const rowOrder = orderByDescending(taskKey);
  const colOrder = orderByDescending(exampleKey);
  const rowEdges = binEdges(rows, options.maxRows ?? 60);
  const colEdges = binEdges(cols, options.maxCols ?? 150);
  const block = blockMeans(values, cols, rowOrder, colOrder, rowEdges, colEdges, mask);
  const rb = rowEdges.length - 1;
  const cb = colEdges.length - 1;
  const rowLabels: string[] = [];
  for (let r = 0; r < rb; r++) {
    const a = itemAt(rowEdges, r);
    const b = itemAt(rowEdges, r + 1);
    const task = (p: number): string => itemAt(taskIds, itemAt(rowOrder, p), 'task');
    rowLabels.push(b - a === 1 ? task(a) : `${task(a)} … ${task(b - 1)} (${b - a} tasks)`);
  }
  const cells: HeatmapCell[] = [];
  const absValues: number[] = [];
  for (let r = 0; r < rb; r++) {
    for (let c = 0; c < cb; c++) {
      const m = itemAt(block.means, r * cb + c);
      const z = Number.isFinite(m) ? m : null;
      if (z !== null) absValues.push(Math.abs(z));
      cells.push({ row: r, col: c, task: itemAt(rowLabels, r), z, n: itemAt(block.counts, r * cb + c) });
    }
  }
  const maxAbs = absValues.reduce((a, b) => Math.max(a, b), 0);
  let colourLimit = quantile(absValues, options.clampQuantile ?? 0.99);
  if (!Number.isFinite(colourLimit) || colourLimit <= 0) colourLimit = maxAbs > 0 ? maxAbs : 1;
  const clamped = maxAbs > colourLimit;
  const sortedBy = taskFactor && exampleFactor ? 'rank-1 factors' : 'row and column means';
  const title = `Forgetting matrix Z: ${rows} tasks × ${cols} examples`;
  const subtitle = [`rows and columns sorted by the ${sortedBy} (largest first)`];
  const binned: string[] = [];
  if (rb < rows) binned.push(`tasks averaged in ${rb} bins of ${sizeRange(rowEdges)}`);
  if (cb < cols) binned.push(`examples averaged in ${cb} bins of ${sizeRange(colEdges)}`);
  if (binned.length > 0) subtitle.push(`binned: ${binned.join('; ')}`);
  const shownTitle = binned.length > 0 ? `${title} (binned to ${rb} × ${cb} cells)` : title;
  return {
    cells,
    rowLabels,
    rowOrder,
    colOrder,
    rowEdges,
    colEdges,
    colourLimit,
    clamped,
    title: shownTitle,
    subtitle,
  };
}

/**
 * Heat map of Z with rows and columns sorted by the rank-1 factors, binned for large matrices (the
 * title says so), on a diverging red–blue scale centred at 0 (red = forgotten, blue = improved, grey =
 * not observed).
 * @example
 * const a = await analyzeStructure(matrix);
 * const spec = forgettingHeatmapSpec(matrix, { taskFactor: a.multiplicative.taskScalars, exampleFactor: a.multiplicative.exampleScalars });
 * const svg = await renderSvg(spec);
 */
export function forgettingHeatmapSpec(input: HeatmapInput, options: HeatmapOptions = {}): VegaLiteSpec {
  const d = heatmapData(input, options);
  const lim = d.colourLimit;
  const legendTitle = d.clamped ? [`Z (nats), colour`, `clamped at ±${formatNumber(lim)}`] : 'Z (nats)';
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: options.title ?? d.title, subtitle: d.subtitle },
    width: options.width ?? 640,
    height: options.height ?? Math.min(640, Math.max(160, d.rowLabels.length * 12)),
    data: { values: d.cells },
    // aria: false keeps the SVG small: no per-cell description (thousands of cells).
    mark: { type: 'rect', aria: false, invalid: 'show' },
    encoding: {
      x: {
        field: 'col',
        type: 'ordinal',
        scale: { paddingInner: 0, paddingOuter: 0 },
        axis: {
          labels: false,
          ticks: false,
          title: `examples (${d.colOrder.length}), sorted by forgetting factor →`,
          domain: false,
        },
      },
      y: {
        field: 'task',
        type: 'nominal',
        // order by the row index field: ids stay data, never text inside a Vega expression
        sort: { field: 'row', op: 'min' },
        scale: { paddingInner: 0, paddingOuter: 0 },
        axis: { title: 'task', labelLimit: 180, labelFontSize: d.rowLabels.length > 40 ? 7 : 9 },
      },
      color: {
        condition: { test: 'datum.z === null', value: '#d9d9d9' },
        field: 'z',
        type: 'quantitative',
        scale: { scheme: 'redblue', reverse: true, domain: [-lim, lim], domainMid: 0, clamp: true },
        legend: { title: legendTitle, gradientLength: 160 },
      },
      tooltip: [
        { field: 'task', type: 'nominal' },
        { field: 'col', type: 'ordinal', title: 'column bin' },
        { field: 'z', type: 'quantitative', format: '.3f' },
        { field: 'n', type: 'quantitative', title: 'entries' },
      ],
    },
    config: CHART_CONFIG,
  } as VegaLiteSpec;
}
