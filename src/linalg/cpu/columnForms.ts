// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { COL_FORMS_WASM_BASE64 } from './wasm/colFormsKernel.generated.js';
import type { NumArray } from './kernels.js';

/**
 * Per-column linear and quadratic forms of a row-major m×n block, in one streaming pass:
 * with x_a = (z[a][j] − off[j]) − shift[a] for the m rows a of column j,
 *   lin[j] = Σ_a g[a]·x_a,   energy[j] = Σ_a x_a²,   quad[j] = Σ_{r<p} (t0[r] + Σ_a h[r][a]·x_a)².
 * That is what a low-rank completion needs at every column without forming the N×k right singular
 * vectors: the prediction is linear in the centred column (g = U·S⁻¹·w), the interval's parameter
 * variance is the squared norm of L⁻¹·(1, v_j) = t0 + H·x, and the column's residual energy is Σ x².
 * O(n·m·(p + 2)) work, O(n) output; nothing of size n·p is allocated.
 *
 * Runs on a WebAssembly SIMD kernel (`wasm/colforms.wat`, lanes across columns) where the runtime has
 * SIMD, else on the JavaScript loop `columnFormsScalar`; both do the same float64 operations in the same
 * order, so their results are equal to the bit.
 */

/** Inputs of `columnForms` (all float64 except `z`). */
export interface ColumnFormsInput {
  /** The block: row a, column j at `z[a·ld + j]` (float32 or float64). */
  z: NumArray;
  /** Rows m and columns n of the block. */
  rows: number;
  cols: number;
  /** Row stride of `z` (default `cols`). */
  ld?: number;
  /** Subtracted from every entry of column j (length n; default none). */
  off?: Float64Array | null;
  /** Subtracted from every entry of row a (length m; default none). */
  shift?: Float64Array | null;
  /** Weights of the linear form (length m; default none: `lin` is all zeros). */
  g?: Float64Array | null;
  /** The p×m row-major matrix H of the quadratic form (p = `t0.length`). */
  h: Float64Array;
  /** The constant vector t0 of the quadratic form (length p, may be empty). */
  t0: Float64Array;
}

/** Outputs of `columnForms`, each of length n. */
export interface ColumnForms {
  lin: Float64Array;
  quad: Float64Array;
  energy: Float64Array;
}

interface Kernel {
  memory: { buffer: ArrayBufferLike; grow(pages: number): number };
  colforms(...args: number[]): void;
}

let kernel: Kernel | null | undefined;

/** The instantiated kernel, or null where WebAssembly SIMD is unavailable. */
function colFormsKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const api = (
      globalThis as {
        WebAssembly?: {
          Module: new (b: Uint8Array) => object;
          Instance: new (m: object, i: object) => { exports: unknown };
        };
      }
    ).WebAssembly;
    if (!api) throw new Error('no WebAssembly');
    const bin = atob(COL_FORMS_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    kernel = new api.Instance(new api.Module(bytes), {}).exports as Kernel;
  } catch {
    kernel = null;
  }
  return kernel;
}

/** True when `columnForms` runs on the WebAssembly SIMD kernel here. */
export function columnFormsSimd(): boolean {
  return colFormsKernel() !== null;
}

/**
 * The per-column forms (see the module comment) on the SIMD kernel when available, else
 * `columnFormsScalar`; the two agree to the bit. `simd: false` forces the JavaScript loop.
 * @example
 * // one row, two columns: x = z, lin = 2·x, energy = x², quad = (1 + 3·x)²
 * columnForms({ z: Float64Array.of(1, 2), rows: 1, cols: 2, g: Float64Array.of(2), h: Float64Array.of(3), t0: Float64Array.of(1) });
 * // → lin [2, 4], energy [1, 4], quad [16, 49]
 */
export function columnForms(input: ColumnFormsInput, options: { simd?: boolean } = {}): ColumnForms {
  checkInput(input);
  const k = options.simd === false ? null : colFormsKernel();
  return k ? columnFormsWasm(k, input) : columnFormsScalar(input);
}

function checkInput(input: ColumnFormsInput): void {
  const { rows: m, cols: n, z, h, t0 } = input;
  const ld = input.ld ?? n;
  if (m > 0 && n > 0 && z.length < (m - 1) * ld + n)
    throw new RangeError(`columnForms: block has ${z.length} entries, need ${m}×${n} (ld ${ld})`);
  if (h.length < t0.length * m) throw new RangeError(`columnForms: h has ${h.length} entries, need ${t0.length}×${m}`);
  if (input.off && input.off.length < n) throw new RangeError('columnForms: off is shorter than the columns');
  if (input.shift && input.shift.length < m) throw new RangeError('columnForms: shift is shorter than the rows');
  if (input.g && input.g.length < m) throw new RangeError('columnForms: g is shorter than the rows');
}

/** The JavaScript loop of `columnForms` (same operations and order as the SIMD kernel). */
export function columnFormsScalar(input: ColumnFormsInput): ColumnForms {
  const { rows: m, cols: n, z, h, t0 } = input;
  const ld = input.ld ?? n;
  const p = t0.length;
  const off = input.off ?? null;
  const shift = input.shift ?? null;
  const g = input.g ?? null;
  const lin = new Float64Array(n);
  const quad = new Float64Array(n);
  const energy = new Float64Array(n);
  const x = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    const o = off ? off[j]! : 0;
    let l = 0;
    let e = 0;
    for (let a = 0; a < m; a++) {
      const v = z[a * ld + j]! - o - (shift ? shift[a]! : 0);
      x[a] = v;
      l += (g ? g[a]! : 0) * v;
      e += v * v;
    }
    let q = 0;
    for (let r = 0; r < p; r++) {
      let c = t0[r]!;
      const hr = r * m;
      for (let a = 0; a < m; a++) c += h[hr + a]! * x[a]!;
      q += c * c;
    }
    lin[j] = l;
    quad[j] = q;
    energy[j] = e;
  }
  return { lin, quad, energy };
}

function columnFormsWasm(k: Kernel, input: ColumnFormsInput): ColumnForms {
  const { rows: m, cols: n, z, h, t0 } = input;
  const ld = input.ld ?? n;
  const p = t0.length;
  const lin = new Float64Array(n);
  const quad = new Float64Array(n);
  const energy = new Float64Array(n);
  if (n === 0) return { lin, quad, energy };
  const f32 = z instanceof Float32Array;
  const es = f32 ? 4 : 8;
  // columns per staged chunk: a multiple of 4, the chunk ≈ 256 KiB (L2) whatever m is
  const chunk = Math.max(4, Math.min(4096, Math.floor(262144 / (es * Math.max(m, 1)) / 4) * 4));
  // layout (bytes, 16-aligned): h | t0 | g | shift | xs | off | lin | quad | energy | z
  const align = (b: number) => Math.ceil(b / 16) * 16;
  const oH = 0;
  const oT0 = align(oH + p * m * 8);
  const oG = align(oT0 + p * 8);
  const oShift = align(oG + m * 8);
  const oXs = align(oShift + m * 8);
  const oOff = align(oXs + m * 32);
  const oLin = oOff + chunk * 8;
  const oQuad = oLin + chunk * 8;
  const oEnergy = oQuad + chunk * 8;
  const oZ = oEnergy + chunk * 8;
  const need = oZ + m * chunk * es;
  const have = k.memory.buffer.byteLength;
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
  const buf = k.memory.buffer;
  const f64 = new Float64Array(buf);
  const zView = f32 ? new Float32Array(buf) : f64;
  f64.set(h.subarray(0, p * m), oH / 8);
  f64.set(t0, oT0 / 8);
  if (input.g) f64.set(input.g.subarray(0, m), oG / 8);
  else f64.fill(0, oG / 8, oG / 8 + m);
  if (input.shift) f64.set(input.shift.subarray(0, m), oShift / 8);
  else f64.fill(0, oShift / 8, oShift / 8 + m);
  const zBase = oZ / es;
  for (let j0 = 0; j0 < n; j0 += chunk) {
    const w = Math.min(chunk, n - j0);
    const wp = Math.ceil(w / 4) * 4;
    for (let a = 0; a < m; a++) {
      const s = a * ld + j0;
      const d = zBase + a * wp;
      zView.set(z.subarray(s, s + w), d);
      if (wp > w) zView.fill(0, d + w, d + wp);
    }
    if (input.off) f64.set(input.off.subarray(j0, j0 + w), oOff / 8);
    else f64.fill(0, oOff / 8, oOff / 8 + w);
    if (wp > w) f64.fill(0, oOff / 8 + w, oOff / 8 + wp);
    k.colforms(oZ, wp * es, f32 ? 1 : 0, wp, m, p, oH, oT0, oG, oShift, oOff, oXs, oLin, oQuad, oEnergy);
    lin.set(f64.subarray(oLin / 8, oLin / 8 + w), j0);
    quad.set(f64.subarray(oQuad / 8, oQuad / 8 + w), j0);
    energy.set(f64.subarray(oEnergy / 8, oEnergy / 8 + w), j0);
  }
  return { lin, quad, energy };
}
