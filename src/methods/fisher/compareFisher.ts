import { ForgetscopeError } from '../../util/errors.js';
import { checkTensorValues } from '../shared/checkValues.js';
import { ewcPenalty, fisherCosine, topImportanceOverlap } from './overlap.js';

/** A named flat tensor (e.g. one parameter's Fisher diagonal as exported by the harness). */
export interface NamedVector {
  name: string;
  data: Float32Array | Float64Array;
}

/** Per-tensor Fisher statistics and, with a second task, their overlap. */
export interface FisherTensorRow {
  name: string;
  size: number;
  /** Σ F, mean F and max F of task A (and of B when given). */
  sumA: number;
  meanA: number;
  maxA: number;
  sumB?: number;
  meanB?: number;
  maxB?: number;
  /** Top-q Jaccard and |A∩B|/|A| between the two tasks' Fisher diagonals. */
  jaccard?: number;
  overlap?: number;
  cosine?: number;
  /** EWC penalty (λ/2)ΣF_A Δ² of an update, when given. */
  ewc?: number;
}

/** The whole comparison: one row per tensor plus the same figures over all tensors concatenated. */
export interface FisherComparison {
  tensors: FisherTensorRow[];
  overall: Omit<FisherTensorRow, 'name'>;
}

function stats(x: Float32Array | Float64Array): { sum: number; mean: number; max: number } {
  let sum = 0;
  let max = -Infinity;
  for (const v of x) {
    sum += v;
    if (v > max) max = v;
  }
  return { sum, mean: x.length ? sum / x.length : NaN, max: x.length ? max : NaN };
}

function concat(parts: readonly (Float32Array | Float64Array)[]): Float64Array {
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Compares task A's Fisher diagonal with task B's (same tensor names and sizes) and prices an update
 * under A: per tensor and overall statistics, top-q Jaccard/overlap, cosine and EWC penalty.
 */
export function compareFisher(
  a: readonly NamedVector[],
  b?: readonly NamedVector[],
  options: { top?: number; update?: readonly NamedVector[]; lambda?: number } = {},
): FisherComparison {
  const q = options.top ?? 0.01;
  const lambda = options.lambda ?? 1;
  if (!(q > 0 && q <= 1)) throw new ForgetscopeError('usage', `top fraction must be in (0, 1], got ${q}`);
  if (!(lambda >= 0) || !Number.isFinite(lambda))
    throw new ForgetscopeError('usage', `lambda must be a finite number ≥ 0, got ${lambda}`);
  checkTensorValues(a, 'Fisher diagonal A', { nonNegative: true });
  if (b) checkTensorValues(b, 'Fisher diagonal B', { nonNegative: true });
  if (options.update) checkTensorValues(options.update, 'update');
  const bByName = new Map((b ?? []).map((t) => [t.name, t]));
  const uByName = new Map((options.update ?? []).map((t) => [t.name, t]));
  if (b)
    for (const t of b)
      if (!a.some((x) => x.name === t.name))
        throw new ForgetscopeError('input', `tensor "${t.name}" is in the second Fisher file but not in the first`);
  const rows: FisherTensorRow[] = [];
  let ewcTotal = 0;
  const allA: (Float32Array | Float64Array)[] = [];
  const allB: (Float32Array | Float64Array)[] = [];
  const allU: (Float32Array | Float64Array)[] = [];
  for (const ta of a) {
    const sa = stats(ta.data);
    const row: FisherTensorRow = { name: ta.name, size: ta.data.length, sumA: sa.sum, meanA: sa.mean, maxA: sa.max };
    allA.push(ta.data);
    if (b) {
      const tb = bByName.get(ta.name);
      if (!tb)
        throw new ForgetscopeError('input', `tensor "${ta.name}" is in the first Fisher file but not in the second`);
      if (tb.data.length !== ta.data.length)
        throw new ForgetscopeError(
          'shape',
          `tensor "${ta.name}": ${ta.data.length} entries in A but ${tb.data.length} in B`,
        );
      const sb = stats(tb.data);
      Object.assign(row, {
        sumB: sb.sum,
        meanB: sb.mean,
        maxB: sb.max,
        ...topImportanceOverlap(ta.data, tb.data, q),
        cosine: fisherCosine(ta.data, tb.data),
      });
      allB.push(tb.data);
    }
    if (options.update) {
      const u = uByName.get(ta.name);
      if (!u)
        throw new ForgetscopeError(
          'input',
          `tensor "${ta.name}" has a Fisher diagonal but no entry in the update file`,
        );
      if (u.data.length !== ta.data.length)
        throw new ForgetscopeError(
          'shape',
          `tensor "${ta.name}": ${ta.data.length} Fisher entries but ${u.data.length} update entries`,
        );
      row.ewc = ewcPenalty(ta.data, u.data, lambda);
      ewcTotal += row.ewc;
      allU.push(u.data);
    }
    rows.push(row);
  }
  const fa = concat(allA);
  const sa = stats(fa);
  const overall: FisherComparison['overall'] = { size: fa.length, sumA: sa.sum, meanA: sa.mean, maxA: sa.max };
  if (b) {
    const fb = concat(allB);
    const sb = stats(fb);
    Object.assign(overall, {
      sumB: sb.sum,
      meanB: sb.mean,
      maxB: sb.max,
      ...topImportanceOverlap(fa, fb, q),
      cosine: fisherCosine(fa, fb),
    });
  }
  if (options.update) overall.ewc = ewcTotal;
  return { tensors: rows, overall };
}
