/**
 * The contract between the numerical layer and everything above it. Analysis, completion and replay
 * only ever call a `Backend`; the `cpu` and `webgpu` implementations (and the naive float64
 * `reference` used by tests) all satisfy it. Matrices are row-major typed arrays.
 */

/** A dense row-major matrix view. `data.length` must be at least `rows * cols`. */
export interface Dense {
  rows: number;
  cols: number;
  data: Float64Array | Float32Array;
}

/** Options of `gemm`: C = op(A)·op(B) where op transposes when asked. */
export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
}

/**
 * The sums over commonly observed columns of every pair of rows (i, j), each M×M row-major:
 * `count[i][j] = Σ_c m_ic m_jc`, `cross[i][j] = Σ_c m_ic m_jc a_ic a_jc`,
 * `sq[i][j] = Σ_c m_ic m_jc a_ic²` (note: not symmetric). Then the mean squared difference between
 * rows is `(sq[i][j] + sq[j][i] − 2 cross[i][j]) / count[i][j]` and masked cosines follow too.
 */
export interface MaskedGram {
  size: number;
  count: Float64Array;
  cross: Float64Array;
  sq: Float64Array;
}

/** A thin SVD A ≈ U·diag(s)·Vᵀ with the top k triplets. */
export interface SVDResult {
  /** Singular values, descending, length k. */
  s: Float64Array;
  /** Left singular vectors, rows×k, row-major. */
  u: Float64Array;
  /** Right singular vectors, cols×k, row-major. */
  v: Float64Array;
  k: number;
  rows: number;
  cols: number;
}

/** Options of `topSVD`. */
export interface TopSVDOptions {
  /** Force a method; default picks Gram+eigensolver when min(M, N) is small, randomized otherwise. */
  method?: 'gram' | 'randomized';
  /** Randomized SVD oversampling (default 10). */
  oversample?: number;
  /** Randomized SVD power iterations (default 4). */
  powerIterations?: number;
  /** Seed of the random test matrix (default 0). */
  seed?: number;
}

/** Names of the implementations. */
export type BackendName = 'cpu' | 'webgpu' | 'reference';

/** The numerical backend interface. All methods are async so GPU and worker backends fit. */
export interface Backend {
  readonly name: BackendName;
  /** A·Aᵀ (rows×rows), float64 result. */
  gram(a: Dense): Promise<Float64Array>;
  /** op(A)·op(B), float64 result (rows of op(A) × cols of op(B), row-major). */
  gemm(a: Dense, b: Dense, options?: GemmOptions): Promise<Float64Array>;
  /** A·x, or Aᵀ·x when `trans`. */
  gemv(a: Dense, x: Float64Array | Float32Array, trans?: boolean): Promise<Float64Array>;
  /** Masked pairwise sums of rows (see `MaskedGram`); a null mask means fully observed. */
  maskedGram(a: Dense, mask: Uint8Array | null): Promise<MaskedGram>;
  /** The top-k singular triplets of A. */
  topSVD(a: Dense, k: number, options?: TopSVDOptions): Promise<SVDResult>;
  /** Releases GPU buffers, workers. Safe to call twice. */
  dispose(): Promise<void>;
}
