// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { mirrorUpper, type NumArray } from './kernels.js';
import { countProduct, type CpuKernelRunner, type KernelTally } from './runner.js';

/**
 * One CBLAS library the runtime has loaded (OpenBLAS, MKL, BLIS, … — see `cpu/nodeBlas.ts` for Node):
 * the four level-3 routines the cpu backend needs, row-major, each resolving when the library has
 * written `c`. Offsets are element offsets into the typed arrays. Calls must not overlap: `withBlas`
 * issues one at a time.
 */
export interface BlasLibrary {
  /** What was loaded, for reports: e.g. `OpenBLAS 0.3.21 … SkylakeX (libopenblas.so.0)`. */
  readonly description: string;
  /** `c = op(a)·op(b)` in float32 (`beta = 0`), op transposing when asked; m×n result, depth k. */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    aOff: number,
    lda: number,
    b: Float32Array,
    bOff: number,
    ldb: number,
    c: Float32Array,
    ldc: number,
  ): Promise<void>;
  /** The same in float64, accumulating into `c` (`beta = 1`). */
  dgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float64Array,
    aOff: number,
    lda: number,
    b: Float64Array,
    bOff: number,
    ldb: number,
    c: Float64Array,
    ldc: number,
  ): Promise<void>;
  /** The upper triangle of `c = op(a)·op(a)ᵀ` in float32 (`beta = 0`); op(a) is n×k (`trans`: a is k×n). */
  ssyrk(
    trans: boolean,
    n: number,
    k: number,
    a: Float32Array,
    aOff: number,
    lda: number,
    c: Float32Array,
    ldc: number,
  ): Promise<void>;
  /** The same in float64, accumulating into the upper triangle of `c` (`beta = 1`). */
  dsyrk(
    trans: boolean,
    n: number,
    k: number,
    a: Float64Array,
    aOff: number,
    lda: number,
    c: Float64Array,
    ldc: number,
  ): Promise<void>;
}

/**
 * Depth of one float32 BLAS call. The library sums each call's products in float32; the blocks are
 * added in float64 here, so a sum over N columns carries the float32 rounding of at most 8,192 terms
 * (relative error ≲ 1e-6 on typical data, as the relaxed-SIMD kernel), never of all N.
 */
export const BLAS_F32_DEPTH = 8192;

/** Multiply–adds below which `withBlas` leaves a product to the wrapped runner (call overhead ≈ 30 µs). */
export const BLAS_MIN_WORK = 2e6;

/** Options of `withBlas`. */
export interface WithBlasOptions {
  /** Multiply–adds below which products stay on the wrapped runner (default `BLAS_MIN_WORK`). */
  minWork?: number;
  /** Depth of one float32 call (default `BLAS_F32_DEPTH`). */
  f32Depth?: number;
}

/**
 * A `CpuKernelRunner` whose large dot products of two float32 or two float64 operands run on a CBLAS
 * library (syrk for symmetric products, gemm otherwise), and everything else on `inner`. Float64
 * operands are multiplied in float64 in one call; float32 operands in depth blocks of `f32Depth`
 * whose float32 results are added in float64 — the next block computes while this thread adds the last.
 *
 * @example const runner = withBlas(createWorkerRunner(), blas); // blas from loadNodeBlas()
 */
export function withBlas(inner: CpuKernelRunner, blas: BlasLibrary, options: WithBlasOptions = {}): CpuKernelRunner {
  const minWork = options.minWork ?? BLAS_MIN_WORK;
  const depth = Math.max(1, Math.floor(options.f32Depth ?? BLAS_F32_DEPTH));
  const scratch = scratchCache();
  // one call at a time: a BLAS library runs its own threads, and overlapping calls would oversubscribe them
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task, task);
    queue = next.catch(() => undefined);
    return next;
  };
  const tally: KernelTally = inner.tally ?? {};
  return {
    threads: inner.threads,
    simd: inner.simd,
    relaxed: inner.relaxed,
    blas: blas.description,
    routes: [{ kernel: 'blas', operands: 'same', minWork }, ...(inner.routes ?? [])],
    tally,
    async dot(x, ldx, y, ldy, c0, c1, nx, ny, symmetric, transX = false, transY = false) {
      const work = nx * ny * (c1 - c0) * (symmetric ? 0.5 : 1);
      const f32 = x instanceof Float32Array && y instanceof Float32Array;
      const f64 = x instanceof Float64Array && y instanceof Float64Array;
      if (work < minWork || (!f32 && !f64) || (symmetric && (x !== y || nx !== ny || transX !== transY))) {
        return inner.dot(x, ldx, y, ldy, c0, c1, nx, ny, symmetric, transX, transY);
      }
      const product: BlasProduct = { x, ldx, y, ldy, c0, c1, nx, ny, symmetric, transX, transY };
      countProduct(tally, 'blas');
      return serial(() => (f32 ? blasDotF32(blas, product, depth, scratch) : blasDotF64(blas, product)));
    },
    axpy: (x, ldx, b, ldb, kk, nc, nx) => inner.axpy(x, ldx, b, ldb, kk, nc, nx),
    dispose: () => inner.dispose(),
  };
}

/** `out[i][j] = Σ_{c∈[c0,c1)} X[i][c]·Y[j][c]` as `CpuKernelRunner.dot` states it. */
interface BlasProduct {
  x: NumArray;
  ldx: number;
  y: NumArray;
  ldy: number;
  c0: number;
  c1: number;
  nx: number;
  ny: number;
  symmetric: boolean;
  transX: boolean;
  transY: boolean;
}

// X[i][c] is x[i·ldx + c] (stored nx×K: op = none) or x[c·ldx + i] (stored K×nx: op = transpose);
// out = X·Yᵀ, so B = Y needs the transpose when Y is stored ny×K and none when stored K×ny.
const offsetOf = (trans: boolean, ld: number, c: number): number => (trans ? c * ld : c);

async function blasDotF64(blas: BlasLibrary, p: BlasProduct): Promise<Float64Array> {
  const out = new Float64Array(p.nx * p.ny);
  const k = p.c1 - p.c0;
  if (k > 0) {
    const x = p.x as Float64Array;
    const xOff = offsetOf(p.transX, p.ldx, p.c0);
    if (p.symmetric) await blas.dsyrk(p.transX, p.nx, k, x, xOff, p.ldx, out, p.ny);
    else
      await blas.dgemm(
        p.transX,
        !p.transY,
        p.nx,
        p.ny,
        k,
        x,
        xOff,
        p.ldx,
        p.y as Float64Array,
        offsetOf(p.transY, p.ldy, p.c0),
        p.ldy,
        out,
        p.ny,
      );
  }
  if (p.symmetric) mirrorUpper(out, p.nx);
  return out;
}

/** Scratch bytes kept between calls (fresh pages cost ≈ 1 ms per 1.5 MB here); bigger ones are per call. */
const SCRATCH_KEEP_BYTES = 64 * 2 ** 20;

type ScratchCache = (size: number, count: number) => Float32Array[];

/** Float32 scratch blocks reused across the (serial) calls of one runner while they fit `SCRATCH_KEEP_BYTES`. */
function scratchCache(): ScratchCache {
  let kept: Float32Array[] = [];
  return (size, count) => {
    if (kept.length >= count && kept[0]!.length >= size) return kept.slice(0, count).map((s) => s.subarray(0, size));
    const fresh = Array.from({ length: count }, () => new Float32Array(size));
    if (size * 4 * count <= SCRATCH_KEEP_BYTES) kept = fresh;
    return fresh;
  };
}

async function blasDotF32(
  blas: BlasLibrary,
  p: BlasProduct,
  depth: number,
  scratchFor: ScratchCache,
): Promise<Float64Array> {
  const size = p.nx * p.ny;
  const out = new Float64Array(size);
  const x = p.x as Float32Array;
  const y = p.y as Float32Array;
  // float32 scratch blocks (two when there are several: the library fills one while this thread adds the
  // other into `out`); every call overwrites its block (beta = 0), syrk only the upper triangle, which
  // is then all that is added
  const scratch = scratchFor(size, p.c1 - p.c0 > depth ? 2 : 1);
  const call = (c: number, s: Float32Array): Promise<void> => {
    const k = Math.min(p.c1, c + depth) - c;
    const xOff = offsetOf(p.transX, p.ldx, c);
    return p.symmetric
      ? blas.ssyrk(p.transX, p.nx, k, x, xOff, p.ldx, s, p.ny)
      : blas.sgemm(p.transX, !p.transY, p.nx, p.ny, k, x, xOff, p.ldx, y, offsetOf(p.transY, p.ldy, c), p.ldy, s, p.ny);
  };
  let pending = p.c0 < p.c1 ? call(p.c0, scratch[0]!) : null;
  for (let c = p.c0, b = 0; pending; c += depth, b ^= 1) {
    await pending;
    const next = c + depth;
    pending = next < p.c1 ? call(next, scratch[(b ^ 1) % scratch.length]!) : null;
    addBlock(out, scratch[b % scratch.length]!, p.nx, p.ny, p.symmetric, c === p.c0);
  }
  if (p.symmetric) mirrorUpper(out, p.nx);
  return out;
}

// A plain function, not inline in the async loop above: V8 optimizes a hot loop inside an async
// function poorly (measured 26 ns per element there, 3 ns here).
function addBlock(
  out: Float64Array,
  block: Float32Array,
  nx: number,
  ny: number,
  upperOnly: boolean,
  first: boolean,
): void {
  if (first && !upperOnly) {
    out.set(block); // the engine's own conversion loop: faster than any loop here
    return;
  }
  if (!upperOnly) {
    for (let t = 0, size = nx * ny; t < size; t++) out[t]! += block[t]!;
    return;
  }
  for (let i = 0; i < nx; i++) for (let t = i * ny + i, end = (i + 1) * ny; t < end; t++) out[t]! += block[t]!;
}
