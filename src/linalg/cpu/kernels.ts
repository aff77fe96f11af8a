/**
 * The CPU inner loops, written by hand because no maintained JavaScript library offers blocked,
 * float64-accumulating products over float32 *and* float64 typed arrays without copying them.
 *
 * Every kernel here is a self-contained function (no imports, no closures over module state): the
 * Node worker pool ships their source text (`Function.prototype.toString`) to its workers, so the
 * same loops run on the main thread and in workers. They work on flat row-major arrays with an
 * explicit leading dimension and accumulate into float64 outputs (`+=`), so a caller can split the
 * work by column ranges (streaming) or by output row blocks (threads).
 * Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
 */

/** Any row-major numeric array a kernel reads. */
export type NumArray = Float64Array | Float32Array;

/**
 * Accumulates `out[i][j] += Σ_{c∈[c0,c1)} X[i][c]·Y[j][c]` for output rows `i ∈ [i0, i1)` and all
 * `j ∈ [0, ny)` (or only `j ≥ i` rounded down to the 4-block when `upper` — the caller mirrors).
 * `out` is `nx`-rows×`ny`-cols row-major with leading dimension `ldo`. `rowBlockStride`/`rowBlockOffset`
 * pick every `stride`-th 4-row block (cyclic split between threads: balanced for triangles).
 * The column range is processed in cache blocks of `kb` so the 4+4 rows being combined stay in L1/L2.
 *
 * @example dotTiles(a, n, a, n, 0, n, 0, m, m, out, m, true, 1, 0) // upper triangle of A·Aᵀ
 */
export function dotTiles(
  x: NumArray,
  ldx: number,
  y: NumArray,
  ldy: number,
  c0: number,
  c1: number,
  nx: number,
  ny: number,
  out: Float64Array,
  ldo: number,
  upper: boolean,
  rowBlockStride: number,
  rowBlockOffset: number,
): void {
  const KB = 512;
  for (let k0 = c0; k0 < c1; k0 += KB) {
    const k1 = Math.min(c1, k0 + KB);
    for (let bi = rowBlockOffset; bi * 4 < nx; bi += rowBlockStride) {
      const i = bi * 4;
      const ni = Math.min(4, nx - i);
      const jStart = upper ? i : 0;
      for (let j = jStart; j < ny; j += 4) {
        const nj = Math.min(4, ny - j);
        if (ni === 4 && nj === 4) {
          const x0 = i * ldx,
            x1 = x0 + ldx,
            x2 = x1 + ldx,
            x3 = x2 + ldx;
          const y0 = j * ldy,
            y1 = y0 + ldy,
            y2 = y1 + ldy,
            y3 = y2 + ldy;
          let s00 = 0,
            s01 = 0,
            s02 = 0,
            s03 = 0;
          let s10 = 0,
            s11 = 0,
            s12 = 0,
            s13 = 0;
          let s20 = 0,
            s21 = 0,
            s22 = 0,
            s23 = 0;
          let s30 = 0,
            s31 = 0,
            s32 = 0,
            s33 = 0;
          for (let k = k0; k < k1; k++) {
            const a0 = x[x0 + k]!,
              a1 = x[x1 + k]!,
              a2 = x[x2 + k]!,
              a3 = x[x3 + k]!;
            const b0 = y[y0 + k]!,
              b1 = y[y1 + k]!,
              b2 = y[y2 + k]!,
              b3 = y[y3 + k]!;
            s00 += a0 * b0;
            s01 += a0 * b1;
            s02 += a0 * b2;
            s03 += a0 * b3;
            s10 += a1 * b0;
            s11 += a1 * b1;
            s12 += a1 * b2;
            s13 += a1 * b3;
            s20 += a2 * b0;
            s21 += a2 * b1;
            s22 += a2 * b2;
            s23 += a2 * b3;
            s30 += a3 * b0;
            s31 += a3 * b1;
            s32 += a3 * b2;
            s33 += a3 * b3;
          }
          const o0 = i * ldo + j,
            o1 = o0 + ldo,
            o2 = o1 + ldo,
            o3 = o2 + ldo;
          out[o0]! += s00;
          out[o0 + 1]! += s01;
          out[o0 + 2]! += s02;
          out[o0 + 3]! += s03;
          out[o1]! += s10;
          out[o1 + 1]! += s11;
          out[o1 + 2]! += s12;
          out[o1 + 3]! += s13;
          out[o2]! += s20;
          out[o2 + 1]! += s21;
          out[o2 + 2]! += s22;
          out[o2 + 3]! += s23;
          out[o3]! += s30;
          out[o3 + 1]! += s31;
          out[o3 + 2]! += s32;
          out[o3 + 3]! += s33;
        } else {
          for (let ii = i; ii < i + ni; ii++) {
            for (let jj = j; jj < j + nj; jj++) {
              let s = 0;
              const xo = ii * ldx;
              const yo = jj * ldy;
              for (let k = k0; k < k1; k++) s += x[xo + k]! * y[yo + k]!;
              out[ii * ldo + jj]! += s;
            }
          }
        }
      }
    }
  }
}

/**
 * Accumulates `C[i][j] += Σ_k X[i][k]·B[k][j]` (no transposes) for output rows `i ∈ [i0, i1)`,
 * all `j ∈ [0, nc)` and `k ∈ [0, kk)`: axpy form over rows of B, 4 output rows at a time and 1024
 * output columns per block, so each row of B is loaded once per 4 rows of C and stays in cache.
 */
export function axpyTiles(
  x: NumArray,
  ldx: number,
  b: NumArray,
  ldb: number,
  kk: number,
  nc: number,
  i0: number,
  i1: number,
  out: Float64Array,
  ldo: number,
): void {
  const JB = 1024;
  for (let j0 = 0; j0 < nc; j0 += JB) {
    const j1 = Math.min(nc, j0 + JB);
    let i = i0;
    for (; i + 4 <= i1; i += 4) {
      const o0 = i * ldo,
        o1 = o0 + ldo,
        o2 = o1 + ldo,
        o3 = o2 + ldo;
      for (let k = 0; k < kk; k++) {
        const a0 = x[i * ldx + k]!,
          a1 = x[(i + 1) * ldx + k]!,
          a2 = x[(i + 2) * ldx + k]!,
          a3 = x[(i + 3) * ldx + k]!;
        if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
        const bo = k * ldb;
        for (let j = j0; j < j1; j++) {
          const bv = b[bo + j]!;
          out[o0 + j]! += a0 * bv;
          out[o1 + j]! += a1 * bv;
          out[o2 + j]! += a2 * bv;
          out[o3 + j]! += a3 * bv;
        }
      }
    }
    for (; i < i1; i++) {
      const o = i * ldo;
      for (let k = 0; k < kk; k++) {
        const a = x[i * ldx + k]!;
        if (a === 0) continue;
        const bo = k * ldb;
        for (let j = j0; j < j1; j++) out[o + j]! += a * b[bo + j]!;
      }
    }
  }
}

/** Copies the upper triangle of a square `m`×`m` matrix onto its lower triangle. */
export function mirrorUpper(out: Float64Array, m: number): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) out[i * m + j] = out[j * m + i]!;
}

/** The transpose of a row-major `rows`×`cols` array, as float64. */
export function transposeToF64(data: NumArray, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  const B = 64;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * rows + i] = data[i * cols + j]!;
    }
  }
  return out;
}
