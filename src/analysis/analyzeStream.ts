import type { ExampleMeta, TaskMeta } from '../matrix/ForgettingMatrix.js';
import type { Backend, BackendName } from '../linalg/types.js';
import { symmetricEigen } from '../linalg/eigen.js';
import { ForgetscopeError } from '../util/errors.js';
import type { ProgressSink } from '../util/progress.js';
import { compareModels, type ModelComparison } from './analyzeStructure.js';
import type { LowRankFit } from './fitTruncatedRanks.js';
import { correlateTaskMetadata, type MetadataCorrelation } from './correlations.js';
import { defaultAnalysisBackend } from './defaultBackend.js';
import type { OneWayFit } from './fitAdditive.js';
import { alsFromSums } from './fitAdditiveAls.js';
import { fitQuality, type FitQuality } from './goodnessOfFit.js';
import { sourceSummariesFromSums, type SourceSummary } from './summarizeBySource.js';
import { topForgotten, type ExampleSummary, type ForgottenExample } from './summarizeExamples.js';
import type { TaskSummary } from './summarizeTasks.js';

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
  additiveAls?: { epochs?: number; regTask?: number; regExample?: number };
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
  additiveAls: FitQuality & {
    mu: number;
    taskBiases: Float64Array;
    exampleBiases: Float64Array;
    epochs: number;
    regTask: number;
    regExample: number;
  };
  row: OneWayFit;
  column: OneWayFit;
  comparison: ModelComparison;
  exampleSummary: ExampleSummary;
  topForgotten: ForgottenExample[];
  sources: SourceSummary[];
  taskSummary: TaskSummary;
  taskMetadataCorrelations: MetadataCorrelation[];
}

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
  const sourceKey = options.sourceKey ?? 'source';
  const capacity = options.totalExamples ?? 1024;
  const gram = new Float64Array(m * m);
  const rowSums = new Float64Array(m);
  const rowMax = new Float64Array(m).fill(-Infinity);
  const rowPositive = new Float64Array(m);
  const colSum = new Growing(capacity, 0);
  const colMax = new Growing(capacity, -Infinity);
  const colMin = new Growing(capacity, Infinity);
  const colPositive = new Growing(capacity, 0);
  const colPositiveSum = new Growing(capacity, 0);
  let ids: string[] | null = null;
  let metas: ExampleMeta[] | null = null;
  const sourceIndex = new Map<string, number>();
  const sourceNames: string[] = [];
  let sourceAcc = {
    examples: [] as number[],
    sum: [] as number[],
    positive: [] as number[],
    positiveSum: [] as number[],
  };
  let n = 0;
  let shift = NaN;
  let shiftedSum = 0;
  let shiftedSq = 0;
  let sumSq = 0;
  for await (const block of blocks as AsyncIterable<ColumnBlock>) {
    const c = block.cols;
    if (!Number.isInteger(c) || c < 0 || block.data.length < m * c) {
      throw new ForgetscopeError('shape', `column block at example ${n} has ${block.data.length} values for ${m}×${c}`);
    }
    if (c === 0) continue;
    const d = block.data;
    if (Number.isNaN(shift)) {
      let s = 0;
      for (let t = 0; t < m * c; t++) s += d[t]!;
      shift = s / (m * c);
    }
    const g = await backend.gram({ rows: m, cols: c, data: d });
    for (let t = 0; t < m * m; t++) gram[t]! += g[t]!;
    for (const arr of [colSum, colMax, colMin, colPositive, colPositiveSum]) arr.ensure(n + c);
    const cs = colSum.data;
    const cmax = colMax.data;
    const cmin = colMin.data;
    const cpos = colPositive.data;
    const cpsum = colPositiveSum.data;
    // One pass over the block for the sums the additive models and summaries need (reductions,
    // not products; the Gram work above is on the Backend).
    let blockShifted = 0;
    let blockShiftedSq = 0;
    let blockSq = 0;
    for (let i = 0; i < m; i++) {
      const base = i * c;
      let rs = 0;
      let rp = 0;
      let rmax = rowMax[i]!;
      for (let j = 0; j < c; j++) {
        const z = d[base + j]!;
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
        cs[col]! += z;
        if (z > cmax[col]!) cmax[col] = z;
        if (z < cmin[col]!) cmin[col] = z;
        if (z > rmax) rmax = z;
        if (z > 0) {
          rp++;
          cpos[col]!++;
          cpsum[col]! += z;
        }
      }
      rowSums[i]! += rs;
      rowPositive[i]! += rp;
      rowMax[i] = rmax;
    }
    shiftedSum += blockShifted;
    shiftedSq += blockShiftedSq;
    sumSq += blockSq;
    if (block.exampleIds) {
      if (!ids) ids = Array.from({ length: n }, (_, j) => String(j));
      for (let j = 0; j < c; j++) ids.push(block.exampleIds[j] ?? String(n + j));
    } else if (ids) {
      for (let j = 0; j < c; j++) ids.push(String(n + j));
    }
    if (block.exampleMeta) {
      if (!metas) metas = Array.from({ length: n }, () => ({}));
      for (let j = 0; j < c; j++) {
        const meta = block.exampleMeta[j] ?? {};
        metas.push(meta);
        const raw = meta[sourceKey];
        if (raw === undefined || raw === null || raw === '') continue;
        const name = String(raw);
        let gi = sourceIndex.get(name);
        if (gi === undefined) {
          gi = sourceNames.length;
          sourceIndex.set(name, gi);
          sourceNames.push(name);
          sourceAcc.examples.push(0);
          sourceAcc.sum.push(0);
          sourceAcc.positive.push(0);
          sourceAcc.positiveSum.push(0);
        }
        sourceAcc.examples[gi]!++;
        sourceAcc.sum[gi]! += cs[n + j]!;
        sourceAcc.positive[gi]! += cpos[n + j]!;
        sourceAcc.positiveSum[gi]! += cpsum[n + j]!;
      }
    } else if (metas) {
      for (let j = 0; j < c; j++) metas.push({});
    }
    n += c;
    progress(n, options.totalExamples, 'streaming columns');
  }
  if (n === 0) throw new ForgetscopeError('empty', 'the stream held no examples');
  const count = m * n;
  const mean = shift + shiftedSum / count;
  const sst = Math.max(0, shiftedSq - (shiftedSum * shiftedSum) / count);
  const moments = { count, totalSumOfSquares: sst };

  // Spectrum from the accumulated Gram matrix.
  const maxRank = Math.min(m, n);
  const k = options.ranks ?? Math.min(5, maxRank);
  if (!Number.isInteger(k) || k < 1 || k > maxRank) {
    throw new ForgetscopeError('usage', `ranks must be an integer in 1..${maxRank} (min(tasks, examples)), got ${k}`);
  }
  const eig = symmetricEigen(gram, m);
  const singularValues = new Float64Array(k);
  const taskFactors = new Float64Array(m * k);
  const sse = new Float64Array(k);
  const r2 = new Float64Array(k);
  const rmse = new Float64Array(k);
  const energy = new Float64Array(k);
  let captured = 0;
  for (let c = 0; c < k; c++) {
    const lambda = Math.max(0, eig.values[c]!);
    singularValues[c] = Math.sqrt(lambda);
    captured += lambda;
    const q = fitQuality(sumSq - captured, moments);
    sse[c] = q.sse;
    r2[c] = q.r2;
    rmse[c] = q.rmse;
    energy[c] = sumSq > 0 ? lambda / sumSq : NaN;
    let big = 0;
    for (let i = 0; i < m; i++) if (Math.abs(eig.vectors[i * m + c]!) > Math.abs(big)) big = eig.vectors[i * m + c]!;
    const sign = big < 0 ? -1 : 1;
    for (let i = 0; i < m; i++) taskFactors[i * k + c] = sign * eig.vectors[i * m + c]!;
  }
  const taskScalars = Float64Array.from({ length: m }, (_, i) => singularValues[0]! * taskFactors[i * k]!);

  // Additive, row-only and column-only least squares from the sums (complete-data identities).
  const cs = colSum.data.subarray(0, n);
  const taskEffects = Float64Array.from(rowSums, (s) => s / n - mean);
  const exampleEffects = Float64Array.from(cs, (s) => s / m - mean);
  let sumA2 = 0;
  let sumB2 = 0;
  for (const a of taskEffects) sumA2 += a * a;
  for (const b of exampleEffects) sumB2 += b * b;
  const row = { means: Float64Array.from(rowSums, (s) => s / n), ...fitQuality(sst - n * sumA2, moments) };
  const column = { means: Float64Array.from(cs, (s) => s / m), ...fitQuality(sst - m * sumB2, moments) };
  const additive = { mu: mean, taskEffects, exampleEffects, ...fitQuality(sst - n * sumA2 - m * sumB2, moments) };

  // The paper code's regularised additive baseline, also from the sums.
  const epochs = options.additiveAls?.epochs ?? 100;
  const regTask = options.additiveAls?.regTask ?? 15;
  const regExample = options.additiveAls?.regExample ?? 10;
  const taskBiases = new Float64Array(m);
  const exampleBiases = new Float64Array(n);
  alsFromSums(rowSums, cs, mean, regTask, regExample, epochs, taskBiases, exampleBiases);
  let cross = 0;
  let sumBu = 0;
  let sumBu2 = 0;
  let sumBi = 0;
  let sumBi2 = 0;
  for (let i = 0; i < m; i++) {
    cross += taskBiases[i]! * (rowSums[i]! - n * mean);
    sumBu += taskBiases[i]!;
    sumBu2 += taskBiases[i]! ** 2;
  }
  for (let j = 0; j < n; j++) {
    cross += exampleBiases[j]! * (cs[j]! - m * mean);
    sumBi += exampleBiases[j]!;
    sumBi2 += exampleBiases[j]! ** 2;
  }
  const alsSse = sst - 2 * cross + n * sumBu2 + m * sumBi2 + 2 * sumBu * sumBi;
  const additiveAls = {
    mu: mean,
    taskBiases,
    exampleBiases,
    epochs,
    regTask,
    regExample,
    ...fitQuality(alsSse, moments),
  };

  // Audit summaries.
  const exampleSummary: ExampleSummary = {
    mean: Float64Array.from(cs, (s) => s / m),
    max: colMax.data.slice(0, n),
    min: colMin.data.slice(0, n),
    fractionForgotten: Float64Array.from(colPositive.data.subarray(0, n), (p) => p / m),
    observed: new Int32Array(n).fill(m),
  };
  const top = topForgotten({ exampleIds: ids ?? [], exampleMeta: metas ?? [] }, exampleSummary, {
    count: options.top ?? 10,
  }).map((t) => ({
    ...t,
    example: ids ? t.example : String(t.index),
  }));
  const taskIds = options.taskIds ?? Array.from({ length: m }, (_, i) => String(i));
  const taskSummary: TaskSummary = {
    ids: taskIds,
    mean: Float64Array.from(rowSums, (s) => s / n),
    max: rowMax,
    fractionForgotten: Float64Array.from(rowPositive, (p) => p / n),
    observed: new Int32Array(m).fill(n),
    rankOneScalar: taskScalars,
  };
  const sources =
    sourceNames.length === 0
      ? []
      : sourceSummariesFromSums({
          names: sourceNames,
          examples: Float64Array.from(sourceAcc.examples),
          observed: Float64Array.from(sourceAcc.examples, (e) => e * m),
          sum: Float64Array.from(sourceAcc.sum),
          positive: Float64Array.from(sourceAcc.positive),
          positiveSum: Float64Array.from(sourceAcc.positiveSum),
        });
  sourceAcc = { examples: [], sum: [], positive: [], positiveSum: [] };
  const multiplicative = { r2: r2[0]!, rmse: rmse[0]!, sse: sse[0]!, taskScalars };
  return {
    tasks: m,
    examples: n,
    observed: count,
    backend: backend.name,
    mean,
    lowRank: { k, r2, rmse, sse, singularValues, energy, taskFactors },
    multiplicative,
    additive,
    additiveAls,
    row,
    column,
    comparison: compareModels(multiplicative.r2, additive.r2, additiveAls.r2),
    exampleSummary,
    topForgotten: top,
    sources,
    taskSummary,
    taskMetadataCorrelations: options.taskMeta ? correlateTaskMetadata(taskSummary.mean, options.taskMeta) : [],
  };
}
