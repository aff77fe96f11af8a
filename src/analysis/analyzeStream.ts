import type { ExampleMeta, TaskMeta } from '../matrix/ForgettingMatrix.js';
import type { Backend, BackendName } from '../linalg/types.js';
import { symmetricEigen } from '../linalg/eigen.js';
import { ForgetscopeError } from '../util/errors.js';
import type { ProgressSink } from '../util/progress.js';
import { compareModels, type ModelComparison } from './analyzeStructure.js';
import { DEFAULT_STRUCTURE_RANKS, type LowRankFit } from './fitTruncatedRanks.js';
import { correlateTaskMetadata, type MetadataCorrelation } from './correlations.js';
import { defaultAnalysisBackend } from './defaultBackend.js';
import type { OneWayFit } from './fitAdditive.js';
import { alsFromSums, alsSettings, type AdditiveAlsFit, type AlsSettings } from './fitAdditiveAls.js';
import { fitQuality, type FitQuality, type ObservedMoments } from './goodnessOfFit.js';
import { sourceSummariesFromSums, type SourceSummary } from './summarizeBySource.js';
import { forgottenExample, mostForgotten, type ExampleSummary, type ForgottenExample } from './summarizeExamples.js';
import type { TaskSummary } from './summarizeTasks.js';
import { itemAt } from '../util/checked.js';

/** The next `cols` examples of a complete M×N matrix: an M×cols row-major block. */
export interface ColumnBlock {
  data: Float32Array | Float64Array;
  cols: number;
  /** Ids of the block's examples (default: their global column index). */
  exampleIds?: readonly string[];
  /** Metadata of the block's examples (e.g. `source`). */
  exampleMeta?: readonly ExampleMeta[];
}

/** Options of `analyzeStream`. */
export interface AnalyzeStreamOptions {
  /** M, the number of tasks (rows of every block). */
  tasks: number;
  taskIds?: readonly string[];
  taskMeta?: readonly TaskMeta[];
  /** Fit ranks 1..K (default min(5, M, N)). */
  ranks?: number;
  /** Backend that computes each block's Gram matrix (default: cpu). */
  backend?: Backend;
  /** Progress in examples; `totalExamples` gives the total. */
  progress?: ProgressSink;
  /** Expected N, for progress and to size the per-example arrays once. */
  totalExamples?: number;
  /** Most-forgotten examples to list (default 10). */
  top?: number;
  /** Example metadata key naming the source (default `source`). */
  sourceKey?: string;
  /** Regularised additive fit settings (default 100 epochs, reg 15 / 10). */
  additiveAls?: Partial<AlsSettings>;
}

/** What `analyzeStream` computes in one pass (a complete matrix; no per-example factors). */
export interface StreamAnalysis {
  tasks: number;
  examples: number;
  observed: number;
  backend: BackendName;
  mean: number;
  /** The rank-k fits without example factors (they would need a second pass over the columns); each task-factor column has its largest-magnitude entry positive. */
  lowRank: Pick<LowRankFit, 'k' | 'r2' | 'rmse' | 'sse' | 'singularValues' | 'energy' | 'taskFactors'>;
  multiplicative: FitQuality & { taskScalars: Float64Array };
  additive: FitQuality & { mu: number; taskEffects: Float64Array; exampleEffects: Float64Array };
  additiveAls: AdditiveAlsFit;
  row: OneWayFit;
  column: OneWayFit;
  comparison: ModelComparison;
  exampleSummary: ExampleSummary;
  topForgotten: ForgottenExample[];
  sources: SourceSummary[];
  taskSummary: TaskSummary;
  taskMetadataCorrelations: MetadataCorrelation[];
}

/** The moments `fitQuality` scores a fit against. */
type FitMoments = Pick<ObservedMoments, 'count' | 'totalSumOfSquares'>;

/** A Float64Array that grows by doubling. */
class Growing {
  data: Float64Array;
  constructor(
    capacity: number,
    readonly fill: number,
  ) {
    this.data = new Float64Array(Math.max(16, capacity)).fill(fill);
  }
  ensure(size: number): void {
    if (size <= this.data.length) return;
    const next = new Float64Array(Math.max(size, this.data.length * 2)).fill(this.fill);
    next.set(this.data);
    this.data = next;
  }
}

/** Per-source running sums of the examples' column statistics (by first appearance of the source). */
interface SourceSums {
  index: Map<string, number>;
  names: string[];
  examples: number[];
  sum: number[];
  positive: number[];
  positiveSum: number[];
}

/** What one pass over the column blocks accumulates: O(M² + N) numbers. */
interface StreamSums {
  m: number;
  /** Examples seen so far. */
  n: number;
  gram: Float64Array;
  rowSums: Float64Array;
  rowMax: Float64Array;
  rowPositive: Float64Array;
  colSum: Growing;
  colMax: Growing;
  colMin: Growing;
  colPositive: Growing;
  colPositiveSum: Growing;
  ids: string[] | null;
  metas: ExampleMeta[] | null;
  sources: SourceSums;
  /** The first block's mean, subtracted for a stable variance. */
  shift: number;
  shiftedSum: number;
  shiftedSq: number;
  sumSq: number;
}

function emptySums(m: number, capacity: number): StreamSums {
  return {
    m,
    n: 0,
    gram: new Float64Array(m * m),
    rowSums: new Float64Array(m),
    rowMax: new Float64Array(m).fill(-Infinity),
    rowPositive: new Float64Array(m),
    colSum: new Growing(capacity, 0),
    colMax: new Growing(capacity, -Infinity),
    colMin: new Growing(capacity, Infinity),
    colPositive: new Growing(capacity, 0),
    colPositiveSum: new Growing(capacity, 0),
    ids: null,
    metas: null,
    sources: { index: new Map(), names: [], examples: [], sum: [], positive: [], positiveSum: [] },
    shift: NaN,
    shiftedSum: 0,
    shiftedSq: 0,
    sumSq: 0,
  };
}

/**
 * Structure analysis and audit summaries of a complete M×N matrix that arrives as column blocks
 * (Arrow record batches, Parquet row groups, .npy chunks …), so the matrix is never resident:
 * memory is O(M² + N) (the Gram matrix plus a few numbers per example). One pass accumulates
 * `G = Σ_blocks B·Bᵀ` on the Backend plus row/column sums, extrema and counts; afterwards
 * `eig(G)` gives singular values and task factors, `SSE_k = Σz² − Σ_{c≤k} σ_c²` the R²_k, and the
 * additive / row / column / regularised-additive fits follow exactly from the sums (complete-data
 * identities, e.g. `SSE_additive = SST − N·Σa² − M·Σb²`). Per-example factors would need a second
 * pass and are not produced; signs of task factors are normalised on the task factor itself.
 * @example
 * async function* blocks() { for (const b of chunks) yield { data: b, cols: b.length / 37 }; }
 * const a = await analyzeStream(blocks(), { tasks: 37 });
 * a.lowRank.r2; // same as analyzeStructure on the whole matrix
 */
export async function analyzeStream(
  blocks: AsyncIterable<ColumnBlock> | Iterable<ColumnBlock>,
  options: AnalyzeStreamOptions,
): Promise<StreamAnalysis> {
  const m = options.tasks;
  if (!Number.isInteger(m) || m < 1) throw new ForgetscopeError('usage', `tasks must be a positive integer, got ${m}`);
  const backend = options.backend ?? defaultAnalysisBackend();
  const progress = options.progress ?? (() => {});
  const sums = emptySums(m, options.totalExamples ?? 1024);
  for await (const block of blocks as AsyncIterable<ColumnBlock>) {
    await addBlock(sums, block, backend, options.sourceKey ?? 'source');
    progress(sums.n, options.totalExamples, 'streaming columns');
  }
  const n = sums.n;
  if (n === 0) throw new ForgetscopeError('empty', 'the stream held no examples');
  const count = m * n;
  const mean = sums.shift + sums.shiftedSum / count;
  const moments = {
    count,
    totalSumOfSquares: Math.max(0, sums.shiftedSq - (sums.shiftedSum * sums.shiftedSum) / count),
  };
  const maxRank = Math.min(m, n);
  const k = options.ranks ?? Math.min(DEFAULT_STRUCTURE_RANKS, maxRank);
  if (!Number.isInteger(k) || k < 1 || k > maxRank) {
    throw new ForgetscopeError('usage', `ranks must be an integer in 1..${maxRank} (min(tasks, examples)), got ${k}`);
  }
  const lowRank = spectrumFromGram(sums, k, moments);
  const taskScalars = Float64Array.from(
    { length: m },
    (_, i) => itemAt(lowRank.singularValues, 0) * itemAt(lowRank.taskFactors, i * k),
  );
  const { row, column, additive } = additiveFromSums(sums, mean, moments);
  const additiveAls = additiveAlsFromSums(sums, mean, moments, options.additiveAls);
  const summaries = streamSummaries(sums, taskScalars, options);
  const multiplicative = {
    r2: itemAt(lowRank.r2, 0),
    rmse: itemAt(lowRank.rmse, 0),
    sse: itemAt(lowRank.sse, 0),
    taskScalars,
  };
  const fits = { lowRank, multiplicative, additive, additiveAls, row, column };
  return {
    tasks: m,
    examples: n,
    observed: count,
    backend: backend.name,
    mean,
    ...fits,
    comparison: compareModels(multiplicative.r2, additive.r2, additiveAls.r2),
    ...summaries,
    taskMetadataCorrelations: options.taskMeta
      ? correlateTaskMetadata(summaries.taskSummary.mean, options.taskMeta)
      : [],
  };
}

/** Adds one column block to the sums: its Gram on the backend, then one pass for sums, extrema and counts. */
async function addBlock(sums: StreamSums, block: ColumnBlock, backend: Backend, sourceKey: string): Promise<void> {
  const { m, n } = sums;
  const c = block.cols;
  if (!Number.isInteger(c) || c < 0 || block.data.length < m * c) {
    throw new ForgetscopeError('shape', `column block at example ${n} has ${block.data.length} values for ${m}×${c}`);
  }
  if (c === 0) return;
  const d = block.data;
  if (Number.isNaN(sums.shift)) {
    let s = 0;
    for (let t = 0; t < m * c; t++) s += itemAt(d, t);
    sums.shift = s / (m * c);
  }
  const g = await backend.gram({ rows: m, cols: c, data: d });
  for (let t = 0; t < m * m; t++) sums.gram[t] = itemAt(sums.gram, t) + itemAt(g, t);
  for (const arr of [sums.colSum, sums.colMax, sums.colMin, sums.colPositive, sums.colPositiveSum]) arr.ensure(n + c);
  addBlockSums(sums, d, c);
  addBlockExamples(sums, block, sourceKey);
  sums.n += c;
}

/**
 * One pass over a block for the sums the additive models and summaries need (reductions, not
 * products; the Gram work is on the Backend).
 */
function addBlockSums(sums: StreamSums, d: Float32Array | Float64Array, c: number): void {
  const { m, n, shift, rowSums, rowMax, rowPositive } = sums;
  const cs = sums.colSum.data;
  const cmax = sums.colMax.data;
  const cmin = sums.colMin.data;
  const cpos = sums.colPositive.data;
  const cpsum = sums.colPositiveSum.data;
  let blockShifted = 0;
  let blockShiftedSq = 0;
  let blockSq = 0;
  for (let i = 0; i < m; i++) {
    const base = i * c;
    let rs = 0;
    let rp = 0;
    let rmax = itemAt(rowMax, i);
    for (let j = 0; j < c; j++) {
      const z = itemAt(d, base + j);
      if (!Number.isFinite(z)) {
        throw new ForgetscopeError(
          'input',
          `entry (task ${i + 1}, example ${n + j + 1}) is not finite; streamed analysis needs a complete matrix`,
        );
      }
      rs += z;
      const y = z - shift;
      blockShifted += y;
      blockShiftedSq += y * y;
      blockSq += z * z;
      const col = n + j;
      cs[col] = itemAt(cs, col) + z;
      if (z > itemAt(cmax, col)) cmax[col] = z;
      if (z < itemAt(cmin, col)) cmin[col] = z;
      if (z > rmax) rmax = z;
      if (z > 0) {
        rp++;
        cpos[col] = itemAt(cpos, col) + 1;
        cpsum[col] = itemAt(cpsum, col) + z;
      }
    }
    rowSums[i] = itemAt(rowSums, i) + rs;
    rowPositive[i] = itemAt(rowPositive, i) + rp;
    rowMax[i] = rmax;
  }
  sums.shiftedSum += blockShifted;
  sums.shiftedSq += blockShiftedSq;
  sums.sumSq += blockSq;
}

/** Records a block's example ids and metadata, and adds its examples' column sums to their source's. */
function addBlockExamples(sums: StreamSums, block: ColumnBlock, sourceKey: string): void {
  const { n } = sums;
  const c = block.cols;
  if (block.exampleIds) {
    if (!sums.ids) sums.ids = Array.from({ length: n }, (_, j) => String(j));
    for (let j = 0; j < c; j++) sums.ids.push(block.exampleIds[j] ?? String(n + j));
  } else if (sums.ids) {
    for (let j = 0; j < c; j++) sums.ids.push(String(n + j));
  }
  if (!block.exampleMeta) {
    if (sums.metas) for (let j = 0; j < c; j++) sums.metas.push({});
    return;
  }
  if (!sums.metas) sums.metas = Array.from({ length: n }, () => ({}));
  const src = sums.sources;
  for (let j = 0; j < c; j++) {
    const meta = block.exampleMeta[j] ?? {};
    sums.metas.push(meta);
    const raw = meta[sourceKey];
    if (raw === undefined || raw === null || raw === '') continue;
    const name = String(raw);
    let gi = src.index.get(name);
    if (gi === undefined) {
      gi = src.names.length;
      src.index.set(name, gi);
      src.names.push(name);
      src.examples.push(0);
      src.sum.push(0);
      src.positive.push(0);
      src.positiveSum.push(0);
    }
    src.examples[gi] = itemAt(src.examples, gi) + 1;
    src.sum[gi] = itemAt(src.sum, gi) + itemAt(sums.colSum.data, n + j);
    src.positive[gi] = itemAt(src.positive, gi) + itemAt(sums.colPositive.data, n + j);
    src.positiveSum[gi] = itemAt(src.positiveSum, gi) + itemAt(sums.colPositiveSum.data, n + j);
  }
}

/** The rank-1…k fits from the accumulated Gram matrix: eig(G) gives σ² and the task factors. */
function spectrumFromGram(sums: StreamSums, k: number, moments: FitMoments): StreamAnalysis['lowRank'] {
  const { m, sumSq } = sums;
  const eig = symmetricEigen(sums.gram, m);
  const singularValues = new Float64Array(k);
  const taskFactors = new Float64Array(m * k);
  const sse = new Float64Array(k);
  const r2 = new Float64Array(k);
  const rmse = new Float64Array(k);
  const energy = new Float64Array(k);
  let captured = 0;
  for (let c = 0; c < k; c++) {
    const lambda = Math.max(0, itemAt(eig.values, c));
    singularValues[c] = Math.sqrt(lambda);
    captured += lambda;
    const q = fitQuality(sumSq - captured, moments);
    sse[c] = q.sse;
    r2[c] = q.r2;
    rmse[c] = q.rmse;
    energy[c] = sumSq > 0 ? lambda / sumSq : NaN;
    let big = 0;
    for (let i = 0; i < m; i++) {
      const x = itemAt(eig.vectors, i * m + c);
      if (Math.abs(x) > Math.abs(big)) big = x;
    }
    const sign = big < 0 ? -1 : 1;
    for (let i = 0; i < m; i++) taskFactors[i * k + c] = sign * itemAt(eig.vectors, i * m + c);
  }
  return { k, r2, rmse, sse, singularValues, energy, taskFactors };
}

/** Additive, row-only and column-only least squares from the sums (complete-data identities). */
function additiveFromSums(
  sums: StreamSums,
  mean: number,
  moments: FitMoments,
): Pick<StreamAnalysis, 'row' | 'column' | 'additive'> {
  const { m, n, rowSums } = sums;
  const sst = moments.totalSumOfSquares;
  const cs = sums.colSum.data.subarray(0, n);
  const taskEffects = Float64Array.from(rowSums, (s) => s / n - mean);
  const exampleEffects = Float64Array.from(cs, (s) => s / m - mean);
  let sumA2 = 0;
  let sumB2 = 0;
  for (const a of taskEffects) sumA2 += a * a;
  for (const b of exampleEffects) sumB2 += b * b;
  return {
    row: { means: Float64Array.from(rowSums, (s) => s / n), ...fitQuality(sst - n * sumA2, moments) },
    column: { means: Float64Array.from(cs, (s) => s / m), ...fitQuality(sst - m * sumB2, moments) },
    additive: { mu: mean, taskEffects, exampleEffects, ...fitQuality(sst - n * sumA2 - m * sumB2, moments) },
  };
}

/** The paper code's regularised additive baseline, also from the sums. */
function additiveAlsFromSums(
  sums: StreamSums,
  mean: number,
  moments: FitMoments,
  settings: AnalyzeStreamOptions['additiveAls'] = {},
): StreamAnalysis['additiveAls'] {
  const { m, n, rowSums } = sums;
  const cs = sums.colSum.data.subarray(0, n);
  const resolved = alsSettings(settings);
  const { taskBiases, exampleBiases } = alsFromSums({ rowSums, colSums: cs, mu: mean, ...resolved });
  let cross = 0;
  let sumBu = 0;
  let sumBu2 = 0;
  let sumBi = 0;
  let sumBi2 = 0;
  for (let i = 0; i < m; i++) {
    const b = itemAt(taskBiases, i);
    cross += b * (itemAt(rowSums, i) - n * mean);
    sumBu += b;
    sumBu2 += b ** 2;
  }
  for (let j = 0; j < n; j++) {
    const b = itemAt(exampleBiases, j);
    cross += b * (itemAt(cs, j) - m * mean);
    sumBi += b;
    sumBi2 += b ** 2;
  }
  const sse = moments.totalSumOfSquares - 2 * cross + n * sumBu2 + m * sumBi2 + 2 * sumBu * sumBi;
  return { mu: mean, taskBiases, exampleBiases, ...resolved, ...fitQuality(sse, moments) };
}

/** The audit summaries: per example, the most forgotten, per source and per task. */
function streamSummaries(
  sums: StreamSums,
  taskScalars: Float64Array,
  options: AnalyzeStreamOptions,
): Pick<StreamAnalysis, 'exampleSummary' | 'topForgotten' | 'sources' | 'taskSummary'> {
  const { m, n, ids, metas, rowSums } = sums;
  const cs = sums.colSum.data.subarray(0, n);
  const exampleSummary: ExampleSummary = {
    mean: Float64Array.from(cs, (s) => s / m),
    max: sums.colMax.data.slice(0, n),
    min: sums.colMin.data.slice(0, n),
    fractionForgotten: Float64Array.from(sums.colPositive.data.subarray(0, n), (p) => p / m),
    observed: new Int32Array(n).fill(m),
  };
  // without ids, an example's id is its global column index
  const top = mostForgotten(exampleSummary, options.top === undefined ? {} : { count: options.top }).map((j) =>
    forgottenExample(exampleSummary, j, ids ? itemAt(ids, j, 'example') : String(j), metas?.[j]),
  );
  const taskSummary: TaskSummary = {
    ids: options.taskIds ?? Array.from({ length: m }, (_, i) => String(i)),
    mean: Float64Array.from(rowSums, (s) => s / n),
    max: sums.rowMax,
    fractionForgotten: Float64Array.from(sums.rowPositive, (p) => p / n),
    observed: new Int32Array(m).fill(n),
    rankOneScalar: taskScalars,
  };
  const src = sums.sources;
  const sources =
    src.names.length === 0
      ? []
      : sourceSummariesFromSums({
          names: src.names,
          examples: Float64Array.from(src.examples),
          observed: Float64Array.from(src.examples, (e) => e * m),
          sum: Float64Array.from(src.sum),
          positive: Float64Array.from(src.positive),
          positiveSum: Float64Array.from(src.positiveSum),
        });
  return { exampleSummary, topForgotten: top, sources, taskSummary };
}
