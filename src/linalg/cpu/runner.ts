// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import type { BackendKernel, BackendRoute } from '../types.js';
import { axpyTiles, dotTiles, type NumArray } from './kernels.js';
import {
  inlineRelaxedExecutor,
  relaxedArenaCache,
  relaxedDot,
  relaxedSimdAvailable,
  type RelaxedArena,
  type RelaxedExecutor,
} from './relaxedDot.js';
import {
  createArena,
  growingCache,
  inlineDotExecutor,
  wasmDot,
  wasmDotAvailable,
  type DotArena,
  type DotExecutor,
} from './wasmDot.js';

/**
 * Where the CPU kernels run. The portable default runs them on the calling thread; the Node-only
 * worker pool (`cpu/nodeWorkers.ts`) implements the same interface over worker_threads and
 * SharedArrayBuffer. Both compute float64 sums of products; results are fresh arrays.
 */
export interface CpuKernelRunner {
  /** Number of threads the runner uses (1 for the portable runner). */
  readonly threads: number;
  /** True when the WebAssembly SIMD kernel is used for dot products. */
  readonly simd: boolean;
  /** True when float32 × float32 dot products use the relaxed-SIMD float32 kernel (`relaxedDot.ts`). */
  readonly relaxed: boolean;
  /** Set when large products run on a CBLAS library (`withBlas`): what was loaded. */
  readonly blas?: string;
  /** How `dot` picks its kernel per product, first match wins (what `Backend.description` reports). */
  readonly routes?: readonly BackendRoute[];
  /** Products run so far per kernel, counted as `dot` and `axpy` route them. */
  readonly tally?: KernelTally;
  /**
   * `out[i][j] = Σ_{c∈[c0,c1)} X[i][c]·Y[j][c]`, nx×ny, where X[i][c] = x[i·ldx + c] (or x[c·ldx + i]
   * when `transX`), likewise Y. With `symmetric` (X = Y, nx = ny) only the upper triangle is computed
   * and then mirrored.
   */
  dot(
    x: NumArray,
    ldx: number,
    y: NumArray,
    ldy: number,
    c0: number,
    c1: number,
    nx: number,
    ny: number,
    symmetric: boolean,
    transX?: boolean,
    transY?: boolean,
  ): Promise<Float64Array>;
  /** `C = X·B`, X nx×kk (leading dim ldx), B kk×nc (leading dim ldb), C nx×nc. */
  axpy(x: NumArray, ldx: number, b: NumArray, ldb: number, kk: number, nc: number, nx: number): Promise<Float64Array>;
  /** Stops workers. */
  dispose(): Promise<void>;
}

/** How the dot products are computed: the SIMD kernel when available (`auto`), always, or never. */
export type SimdMode = 'auto' | 'always' | 'never';

/**
 * Whether float32 × float32 products may use the relaxed-SIMD float32 kernel where the runtime has
 * it (`auto`, the default; `FORGETSCOPE_RELAXED_SIMD=0` turns it off process-wide) or never (always
 * float64 products, as on runtimes without relaxed SIMD).
 */
export type RelaxedMode = 'auto' | 'never';

/** Where the relaxed kernel runs: its arena cache and executor (calling thread or workers). */
export interface RelaxedPath {
  arena: (bytes: number) => RelaxedArena;
  exec: RelaxedExecutor;
}

/** Multiply–adds below which `auto` keeps to the scalar kernel (no packing overhead). */
export const SIMD_MIN_WORK = 2e5;

/** Products run per kernel (a mutable counter a runner shares with the runners it wraps). */
export type KernelTally = Partial<Record<BackendKernel, number>>;

/** Adds one product on `kernel` to `tally` (when there is one). */
export function countProduct(tally: KernelTally | undefined, kernel: BackendKernel): void {
  if (tally) tally[kernel] = (tally[kernel] ?? 0) + 1;
}

/**
 * The routing rules of `makeDot`: float32 × float32 products on the relaxed-SIMD kernel and the others
 * on the float64 SIMD kernel from `SIMD_MIN_WORK` multiply–adds (from 0 with `simd: 'always'`), when
 * the runtime has them; everything else in JavaScript.
 */
export function cpuRoutes(simd: SimdMode, relaxedMode: RelaxedMode = 'auto'): BackendRoute[] {
  const routes: BackendRoute[] = [];
  const minWork = simd === 'always' ? 0 : SIMD_MIN_WORK;
  if (simd !== 'never' && wasmDotAvailable()) {
    if (relaxedEnabled(simd, relaxedMode)) routes.push({ kernel: 'wasm-relaxed-simd', operands: 'float32', minWork });
    routes.push({ kernel: 'wasm-simd', operands: 'any', minWork });
  }
  routes.push({ kernel: 'js', operands: 'any', minWork: 0 });
  return routes;
}

/** True when `mode` and the runtime let float32 products use the relaxed kernel. */
export function relaxedEnabled(simd: SimdMode, mode: RelaxedMode): boolean {
  return simd !== 'never' && mode !== 'never' && relaxedSimdAvailable();
}

/**
 * A dot product on a `DotExecutor` (calling thread or workers) with the SIMD kernel, or the scalar
 * kernel when SIMD is off or unavailable; float32 × float32 products take the relaxed-SIMD float32
 * kernel when `relaxed` is given and enabled. Shared by the inline and worker runners.
 */
export function makeDot(
  simd: SimdMode,
  arenaFor: (doubles: number) => DotArena,
  exec: DotExecutor,
  relaxed: RelaxedPath | null = null,
  relaxedMode: RelaxedMode = 'auto',
  tally?: KernelTally,
): CpuKernelRunner['dot'] {
  const useSimd = simd !== 'never' && wasmDotAvailable();
  const useRelaxed = relaxed !== null && relaxedEnabled(simd, relaxedMode);
  return async (x, ldx, y, ldy, c0, c1, nx, ny, symmetric, transX = false, transY = false) => {
    const work = nx * ny * (c1 - c0);
    if (useSimd && (simd === 'always' || work >= SIMD_MIN_WORK)) {
      const problem = {
        x: { data: x, ld: ldx, transposed: transX },
        y: { data: y, ld: ldy, transposed: transY },
        c0,
        c1,
        nx,
        ny,
        symmetric,
      };
      if (useRelaxed && relaxed && x instanceof Float32Array && y instanceof Float32Array) {
        countProduct(tally, 'wasm-relaxed-simd');
        return relaxedDot(relaxed.arena, relaxed.exec, problem);
      }
      countProduct(tally, 'wasm-simd');
      return wasmDot(arenaFor, exec, problem);
    }
    countProduct(tally, 'js');
    const out = new Float64Array(nx * ny);
    if (transX || transY) {
      const w = c1 - c0;
      const xs = transX ? transposeSlice(x, ldx, nx, c0, c1) : rowSlice(x, ldx, nx, c0, c1);
      const ys = transY ? transposeSlice(y, ldy, ny, c0, c1) : rowSlice(y, ldy, ny, c0, c1);
      dotTiles(xs, w, ys, w, 0, w, nx, ny, out, ny, false, 1, 0);
      return out;
    }
    dotTiles(x, ldx, y, ldy, c0, c1, nx, ny, out, ny, symmetric, 1, 0);
    if (symmetric) for (let i = 0; i < nx; i++) for (let j = 0; j < i; j++) out[i * nx + j] = out[j * nx + i]!;
    return out;
  };
}

/** An arena cache that grows when a bigger one is needed. */
export function arenaCache(): { get(doubles: number): DotArena; clear(): void } {
  return growingCache(createArena, (arena) => arena.doubles);
}

/**
 * `makeDot` over arenas cached for this runner (one float64, one float32), with `exec` and
 * `relaxedExec` running the blocks; `clear` drops the arenas.
 */
export function cachedDot(
  simd: SimdMode,
  exec: DotExecutor,
  relaxedExec: RelaxedExecutor,
  relaxedMode: RelaxedMode,
  tally: KernelTally,
): { dot: CpuKernelRunner['dot']; clear(): void } {
  const arenas = arenaCache();
  const relaxedArenas = relaxedArenaCache();
  const dot = makeDot(
    simd,
    (d) => arenas.get(d),
    exec,
    { arena: (b) => relaxedArenas.get(b), exec: relaxedExec },
    relaxedMode,
    tally,
  );
  return {
    dot,
    clear() {
      arenas.clear();
      relaxedArenas.clear();
    },
  };
}

/** Options of the portable runner. */
export interface InlineRunnerOptions {
  simd?: SimdMode;
  /** Relaxed-SIMD float32 kernel use for float32 operands (default auto). */
  relaxed?: RelaxedMode;
  /** Where products are counted (default: a fresh counter of this runner). */
  tally?: KernelTally;
}

/** The portable single-thread runner (browsers, Deno, small problems in Node). */
export function createInlineRunner(options: InlineRunnerOptions = {}): CpuKernelRunner {
  const simd = options.simd ?? 'auto';
  const relaxedMode = options.relaxed ?? 'auto';
  const tally = options.tally ?? {};
  const { dot, clear } = cachedDot(simd, inlineDotExecutor, inlineRelaxedExecutor, relaxedMode, tally);
  return {
    threads: 1,
    simd: simd !== 'never' && wasmDotAvailable(),
    relaxed: relaxedEnabled(simd, relaxedMode),
    routes: cpuRoutes(simd, relaxedMode),
    tally,
    dot,
    async axpy(x, ldx, b, ldb, kk, nc, nx) {
      countProduct(tally, 'js');
      const out = new Float64Array(nx * nc);
      axpyTiles(x, ldx, b, ldb, kk, nc, 0, nx, out, nc);
      return out;
    },
    async dispose() {
      clear();
    },
  };
}

/** Rows [0, n) × depth [c0, c1) of a transposed operand, as a plain row-major copy. */
function transposeSlice(a: NumArray, ld: number, n: number, c0: number, c1: number): Float64Array {
  const w = c1 - c0;
  const out = new Float64Array(n * w);
  for (let rb = 0; rb < n; rb += 64) {
    const re = Math.min(n, rb + 64);
    for (let c = c0; c < c1; c++) for (let r = rb; r < re; r++) out[r * w + (c - c0)] = a[c * ld + r]!;
  }
  return out;
}

/** Rows [0, n) × depth [c0, c1) of a row-major operand, as a contiguous copy. */
function rowSlice(a: NumArray, ld: number, n: number, c0: number, c1: number): NumArray {
  const w = c1 - c0;
  const out = new Float64Array(n * w);
  for (let r = 0; r < n; r++) out.set(a.subarray(r * ld + c0, r * ld + c1), r * w);
  return out;
}
