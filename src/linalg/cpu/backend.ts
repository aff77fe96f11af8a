// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { ForgetscopeError } from '../../util/errors.js';
import { topSVDWith } from '../svd.js';
import type { Backend, BackendDescription, Dense, GemmOptions, MaskedGram } from '../types.js';
import { columnForms, columnFormsSimd } from './columnForms.js';
import { countProduct, createInlineRunner, type CpuKernelRunner } from './runner.js';

/** Options of `createCpuBackend`. */
export interface CpuBackendOptions {
  /** Where kernels run; default: the calling thread. Node's `createNodeCpuBackend` passes a worker pool. */
  runner?: CpuKernelRunner;
}

/**
 * The exact CPU backend: blocked float64-accumulating kernels over float32 or float64 row-major
 * arrays (register-blocked 4×4 dot tiles, cache blocks along the long dimension), portable to
 * Node, Deno and browsers. In Node, `createNodeCpuBackend()` (from `forgetscope/node`) adds threads.
 *
 * @example
 * const cpu = createCpuBackend();
 * const g = await cpu.gram({ rows: 2, cols: 3, data: new Float64Array([1, 2, 3, 4, 5, 6]) }); // [14,32,32,77]
 */
export function createCpuBackend(options: CpuBackendOptions = {}): Backend {
  const runner = options.runner ?? createInlineRunner();
  const tally = runner.tally;
  const backend: Backend = {
    name: 'cpu',
    get description() {
      return describeRunner(runner);
    },
    async gram(a) {
      checkDense(a, 'gram');
      return runner.dot(a.data, a.cols, a.data, a.cols, 0, a.cols, a.rows, a.rows, true);
    },
    async gemm(a, b, opts) {
      return cpuGemm(runner, a, b, opts);
    },
    async gemv(a, x, trans = false) {
      checkDense(a, 'gemv');
      const need = trans ? a.rows : a.cols;
      if (x.length < need) throw new ForgetscopeError('shape', `gemv: vector has ${x.length} entries, need ${need}`);
      if (!trans) return runner.dot(a.data, a.cols, x, 0, 0, a.cols, a.rows, 1, false);
      // Aᵀx = (xᵀA)ᵀ: one axpy row over the rows of A.
      return runner.axpy(x, a.rows, a.data, a.cols, a.rows, a.cols, 1);
    },
    async maskedGram(a, mask) {
      return cpuMaskedGram(runner, a, mask);
    },
    async topSVD(a, k, opts) {
      return topSVDWith(backend, a, k, opts);
    },
    async columnForms(input) {
      // the per-column kernel needs WebAssembly SIMD only; a runner pinned off SIMD keeps to JavaScript
      const simd = runner.simd && columnFormsSimd();
      countProduct(tally, simd ? 'wasm-simd' : 'js');
      return columnForms(input, { simd });
    },
    async dispose() {
      await runner.dispose();
    },
  };
  return backend;
}

/**
 * A cpu runner as a `BackendDescription`: the kernel of the first routing rule (where large products
 * go), the rules, the BLAS library and threads, and the products counted so far.
 */
export function describeRunner(runner: CpuKernelRunner): BackendDescription {
  const routes = runner.routes ? runner.routes.map((r) => ({ ...r })) : undefined;
  const kernel = routes?.[0]?.kernel ?? (runner.relaxed ? 'wasm-relaxed-simd' : runner.simd ? 'wasm-simd' : 'js');
  return {
    name: 'cpu',
    kernel,
    ...(routes ? { routes } : {}),
    ...(runner.blas ? { library: runner.blas } : {}),
    threads: runner.threads,
    products: { ...(runner.tally ?? {}) },
  };
}

/** Throws a `shape` error when `data` is shorter than rows×cols. */
export function checkDense(a: Dense, what: string): void {
  if (!Number.isInteger(a.rows) || !Number.isInteger(a.cols) || a.rows < 0 || a.cols < 0) {
    throw new ForgetscopeError('shape', `${what}: bad shape ${a.rows}×${a.cols}`);
  }
  if (a.data.length < a.rows * a.cols) {
    throw new ForgetscopeError('shape', `${what}: data has ${a.data.length} entries, need ${a.rows}×${a.cols}`);
  }
}

/**
 * op(A)·op(B) on a runner, always as dot tiles of op(A) and op(B)ᵀ (measured faster than axpy tiles
 * even for few-row NN products such as Uᵀ·A: 0.20 s vs 0.34 s at 10×85·85×141,871).
 */
async function cpuGemm(runner: CpuKernelRunner, a: Dense, b: Dense, opts: GemmOptions = {}): Promise<Float64Array> {
  checkDense(a, 'gemm');
  checkDense(b, 'gemm');
  const rows = opts.transA ? a.cols : a.rows;
  const inner = opts.transA ? a.rows : a.cols;
  const innerB = opts.transB ? b.cols : b.rows;
  const cols = opts.transB ? b.rows : b.cols;
  if (inner !== innerB) throw new ForgetscopeError('shape', `gemm: inner dimensions differ (${inner} vs ${innerB})`);
  // X = op(A) (rows×inner), Y = op(B)ᵀ (cols×inner): both read in place, transposes folded into packing.
  return runner.dot(a.data, a.cols, b.data, b.cols, 0, inner, rows, cols, false, !!opts.transA, !opts.transB);
}

/**
 * The masked sums as three products: count = M·Mᵀ, cross = (A∘M)(A∘M)ᵀ, sq = (A²∘M)·Mᵀ, where
 * unobserved entries (mask 0) count as 0 whatever they hold (NaN included).
 */
async function cpuMaskedGram(runner: CpuKernelRunner, a: Dense, mask: Uint8Array | null): Promise<MaskedGram> {
  checkDense(a, 'maskedGram');
  const m = a.rows;
  const n = a.cols;
  if (mask && mask.length < m * n)
    throw new ForgetscopeError('shape', `maskedGram: mask has ${mask.length} entries, need ${m}×${n}`);
  const size = m * n;
  const masked = new Float64Array(size);
  const squared = new Float64Array(size);
  const observed = new Float64Array(size);
  for (let t = 0; t < size; t++) {
    if (mask && !mask[t]) continue;
    const v = a.data[t]!;
    masked[t] = v;
    squared[t] = v * v;
    observed[t] = 1;
  }
  const count = await runner.dot(observed, n, observed, n, 0, n, m, m, true);
  const cross = await runner.dot(masked, n, masked, n, 0, n, m, m, true);
  const sq = await runner.dot(squared, n, observed, n, 0, n, m, m, false);
  return { size: m, count, cross, sq };
}
