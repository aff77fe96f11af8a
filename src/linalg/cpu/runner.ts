import { axpyTiles, dotTiles, type NumArray } from './kernels.js';

/**
 * Where the CPU kernels run. The portable default runs them on the calling thread; the Node-only
 * worker pool (`cpu/nodeWorkers.ts`) implements the same interface over worker_threads and
 * SharedArrayBuffer. Both compute float64 sums of products; results are fresh arrays.
 */
export interface CpuKernelRunner {
  /** Number of threads the runner uses (1 for the portable runner). */
  readonly threads: number;
  /**
   * `out[i][j] = Σ_{c∈[c0,c1)} X[i][c]·Y[j][c]`, nx×ny; with `symmetric` (X = Y, nx = ny) only the
   * upper triangle is computed and then mirrored.
   */
  dot(x: NumArray, ldx: number, y: NumArray, ldy: number, c0: number, c1: number, nx: number, ny: number, symmetric: boolean): Promise<Float64Array>;
  /** `C = X·B`, X nx×kk (leading dim ldx), B kk×nc (leading dim ldb), C nx×nc. */
  axpy(x: NumArray, ldx: number, b: NumArray, ldb: number, kk: number, nc: number, nx: number): Promise<Float64Array>;
  /** Stops workers. */
  dispose(): Promise<void>;
}

/** The portable single-thread runner (browsers, Deno, small problems in Node). */
export function createInlineRunner(): CpuKernelRunner {
  return {
    threads: 1,
    async dot(x, ldx, y, ldy, c0, c1, nx, ny, symmetric) {
      const out = new Float64Array(nx * ny);
      dotTiles(x, ldx, y, ldy, c0, c1, nx, ny, out, ny, symmetric, 1, 0);
      if (symmetric) mirror(out, nx);
      return out;
    },
    async axpy(x, ldx, b, ldb, kk, nc, nx) {
      const out = new Float64Array(nx * nc);
      axpyTiles(x, ldx, b, ldb, kk, nc, 0, nx, out, nc);
      return out;
    },
    async dispose() {},
  };
}

function mirror(out: Float64Array, m: number): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) out[i * m + j] = out[j * m + i]!;
}
