/**
 * The contract between the numerical layer and everything above it. Analysis, completion and replay
 * only ever call a `Backend`; the `cpu` and `webgpu` implementations (and the naive float64
 * `reference` used by tests) all satisfy it. Matrices are row-major typed arrays.
 */
import type { ColumnForms, ColumnFormsInput } from './cpu/columnForms.js';

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

/**
 * The kernels a product can run on: the system's CBLAS library (Node), the WebAssembly float32
 * relaxed-SIMD kernel, the WebAssembly float64 SIMD kernel, plain JavaScript loops, WGSL on a GPU.
 */
export type BackendKernel = 'blas' | 'wasm-relaxed-simd' | 'wasm-simd' | 'js' | 'webgpu';

/**
 * One routing rule of a backend: products whose operands match `operands` and whose multiply–adds
 * reach `minWork` run on `kernel`. A backend's rules are tried in order; the first that matches runs.
 */
export interface BackendRoute {
  kernel: BackendKernel;
  /** `float32`: both operands float32; `same`: both float32 or both float64; `any`: every product. */
  operands: 'float32' | 'same' | 'any';
  /** Multiply–adds from which the rule applies. */
  minWork: number;
}

/**
 * What a backend runs, as plain JSON: which backend and kernel, the library or adapter behind it,
 * threads, the routing rules when products of different sizes take different kernels, and how many
 * products each kernel has run so far (read it after the work to see which kernel really ran).
 */
export interface BackendDescription {
  name: BackendName;
  /** The kernel of large products (float32 operands where that matters). */
  kernel: BackendKernel;
  /** The rules deciding the kernel per product, first match wins (absent: every product on `kernel`). */
  routes?: BackendRoute[];
  /** The BLAS library that was loaded (`blas` kernel): its own description and file. */
  library?: string;
  /** The WebGPU adapter (vendor, architecture, device, description as reported). */
  adapter?: string;
  /** Threads running the CPU kernels. */
  threads?: number;
  /** Products (and per-column form passes) run so far, per kernel (empty for a custom runner that does not count). */
  products: Partial<Record<BackendKernel, number>>;
  /** What was asked for (`--backend`) when the backend came from `resolveBackend`. */
  requested?: 'auto' | 'cpu' | 'webgpu';
  /** Why resolution chose this backend (e.g. the problem was below the WebGPU crossover). */
  reason?: string;
}

/** The numerical backend interface. All methods are async so GPU and worker backends fit. */
export interface Backend {
  readonly name: BackendName;
  /** What runs, as plain JSON (see `BackendDescription`); a fresh object on every read. */
  readonly description: BackendDescription;
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
  /**
   * Per-column linear and quadratic forms of a block (see `columnForms` in `cpu/columnForms.ts`), on the
   * backend's CPU kernels. Optional: `columnFormsOn(backend, input)` calls it or the portable kernel.
   */
  columnForms?(input: ColumnFormsInput): Promise<ColumnForms>;
  /** Releases GPU buffers, workers. Safe to call twice. */
  dispose(): Promise<void>;
}
