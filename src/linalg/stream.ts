// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { ForgetscopeError } from '../util/errors.js';
import type { ProgressSink } from '../util/progress.js';
import { symmetricEigen } from './eigen.js';
import type { Backend, Dense } from './types.js';

/**
 * One column chunk of a streamed matrix: an M×w row-major `Dense`, optionally with `release`, which
 * the accumulators call once they are done with the chunk so that its source may reuse the memory
 * for a later chunk (as `readNpyColumnChunks` does).
 */
export type ColumnChunk = Dense & { release?: () => void };

/** A source of column chunks of one M×N matrix: each chunk is M×w row-major (w may vary). */
export type ColumnChunks = AsyncIterable<ColumnChunk> | Iterable<ColumnChunk>;

/** Options of the streaming accumulators. */
export interface StreamOptions {
  /** Called after every chunk with (columns done, total columns if known, label). */
  progress?: ProgressSink;
  /** Total number of columns, for progress (optional). */
  totalCols?: number;
}

/** The Gram matrix of a streamed matrix. */
export interface StreamGramResult {
  rows: number;
  /** Columns seen. */
  cols: number;
  /** A·Aᵀ, rows×rows, float64. */
  gram: Float64Array;
}

/**
 * A·Aᵀ accumulated over column chunks, so the M×N matrix never has to be resident. Chunk i + 1 is
 * requested from the iterator before the Gram of chunk i is computed, so an asynchronous source
 * (a file reader) reads the next chunk while this one is multiplied: at most two chunks are held
 * (memory: the M×M result plus two chunks; each chunk is released once its Gram is added). Works
 * with any backend (each chunk's Gram is added in float64). A chunk whose row count differs from the first is a `shape` error naming its 1-based
 * index; an error of the iterator is passed on as it is, and the iterator is closed on any error.
 *
 * @example
 * const { gram } = await gramStream(backend, readNpyColumnChunks('z.npy'));
 */
export async function gramStream(
  backend: Backend,
  batches: ColumnChunks,
  options: StreamOptions = {},
): Promise<StreamGramResult> {
  const it: AsyncIterator<ColumnChunk> | Iterator<ColumnChunk> =
    Symbol.asyncIterator in batches ? batches[Symbol.asyncIterator]() : batches[Symbol.iterator]();
  // the one chunk requested ahead; a rejection is handled when it is awaited (or the stream ends)
  const request = (): Promise<IteratorResult<ColumnChunk>> => {
    const p = Promise.resolve(it.next());
    p.catch(() => undefined);
    return p;
  };
  let rows = -1;
  let cols = 0;
  let gram = new Float64Array(0);
  let index = 0;
  let finished = false;
  try {
    let pending = request();
    for (;;) {
      const step = await pending;
      if (step.done) {
        finished = true;
        break;
      }
      const chunk = step.value;
      if (rows < 0) {
        rows = chunk.rows;
        gram = new Float64Array(rows * rows);
      } else if (chunk.rows !== rows) {
        throw new ForgetscopeError(
          'shape',
          `gramStream: chunk ${index + 1} has ${chunk.rows} rows, the first had ${rows}`,
        );
      }
      pending = request();
      if (chunk.cols > 0) {
        const g = await backend.gram(chunk);
        for (let t = 0; t < g.length; t++) gram[t]! += g[t]!;
      }
      chunk.release?.();
      cols += chunk.cols;
      index++;
      options.progress?.(cols, options.totalCols, 'gram');
    }
  } finally {
    // stop the source early (closes a reader's file), after the read in flight has settled
    if (!finished && it.return) await Promise.resolve(it.return()).catch(() => undefined);
  }
  if (rows < 0) throw new ForgetscopeError('empty', 'gramStream: no chunks');
  return { rows, cols, gram };
}

/** The top of the spectrum of a streamed matrix (left side only: V would be N×k). */
export interface StreamSVDResult {
  rows: number;
  cols: number;
  k: number;
  /** Singular values, descending. */
  s: Float64Array;
  /** Left singular vectors, rows×k row-major (sign: largest-magnitude entry positive). */
  u: Float64Array;
  /** The accumulated Gram matrix (rows×rows), so a caller can reuse it. */
  gram: Float64Array;
}

/**
 * Top-k singular values and left singular vectors of a streamed M×N matrix through its Gram matrix
 * (one pass; memory M² + two chunks: the next one is read while this one is multiplied). Right
 * singular vectors need a second pass (Vᵀ = Σ⁻¹·Uᵀ·A per chunk).
 *
 * @example const { s } = await topSVDStream(backend, chunks, 10);
 */
export async function topSVDStream(
  backend: Backend,
  batches: ColumnChunks,
  k: number,
  options: StreamOptions = {},
): Promise<StreamSVDResult> {
  if (!Number.isInteger(k) || k < 1)
    throw new ForgetscopeError('usage', `topSVDStream: k must be a positive integer, got ${k}`);
  const { rows, cols, gram } = await gramStream(backend, batches, options);
  const kk = Math.min(k, rows, cols);
  const eig = symmetricEigen(gram, rows);
  const s = new Float64Array(kk);
  const u = new Float64Array(rows * kk);
  for (let t = 0; t < kk; t++) {
    s[t] = Math.sqrt(Math.max(eig.values[t]!, 0));
    let big = 0;
    for (let i = 0; i < rows; i++) {
      const val = eig.vectors[i * rows + t]!;
      if (Math.abs(val) > Math.abs(big)) big = val;
    }
    const sign = big < 0 ? -1 : 1;
    for (let i = 0; i < rows; i++) u[i * kk + t] = sign * eig.vectors[i * rows + t]!;
  }
  return { rows, cols, k: kk, s, u, gram };
}

/**
 * Column chunks of an in-memory matrix (views copied per chunk), e.g. to feed `gramStream` in tests
 * or from a matrix assembled elsewhere.
 */
export function* denseColumnChunks(a: Dense, chunkCols: number): Generator<Dense> {
  if (!(chunkCols >= 1)) throw new ForgetscopeError('usage', `chunkCols must be ≥ 1, got ${chunkCols}`);
  for (let c0 = 0; c0 < a.cols; c0 += chunkCols) {
    const w = Math.min(chunkCols, a.cols - c0);
    const data = a.data instanceof Float32Array ? new Float32Array(a.rows * w) : new Float64Array(a.rows * w);
    for (let i = 0; i < a.rows; i++) data.set(a.data.subarray(i * a.cols + c0, i * a.cols + c0 + w), i * w);
    yield { rows: a.rows, cols: w, data };
  }
}
