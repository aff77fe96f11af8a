// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { RELAXED_KERNEL_WASM_BASE64 } from './wasm/relaxedKernel.generated.js';
import { growingCache, mirrorUpper, swappedDot } from './wasmDot.js';
import type { DotOperand, DotProblem, OperandBlock, WasmMemory, WasmModule } from './wasmDot.js';

/**
 * The float32 fast path of the cpu backend's dot products, used when both operands are Float32Array
 * and the runtime has WebAssembly relaxed SIMD (V8 in Node ≥ 22, Deno, Chromium): operands are
 * packed into k-major micro-panels (2 rows of X, 16 rows of Y) in a shared WebAssembly memory and the
 * hand-written kernel `wasm/relaxed.wat` multiplies them with fused multiply–adds on 2×16 register
 * blocks. Products and sums are float32 for at most 128 terms, then added into float64 outputs, so
 * every entry is within 128·2⁻²⁴ ≈ 7.6e-6 of Σ|x||y| of the float64 result (the webgpu backend's
 * 1e-5 contract). Elsewhere, and for float64 operands, `wasmDot.ts` (float64 products) runs.
 */

/** Rows of X per micro-panel (the broadcast side of the 2×16 kernel). */
export const RELAXED_MR = 2;
/** Rows of Y per micro-panel (the vector side: four f32x4 per depth step). */
export const RELAXED_NR = 16;

/** A 44-byte module using `f32x4.relaxed_madd`: `WebAssembly.validate` says whether relaxed SIMD exists. */
const PROBE = 'AGFzbQEAAAABCAFgA3t7ewF7AwIBAAcFAQFmAAAKDQELACAAIAEgAv2FAgs=';

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (m: WasmModule, imports: object) => { exports: unknown };
}
const wasm = (): WasmApi | undefined => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** The relaxed kernel's exported functions (byte offsets; see relaxed.wat). */
export interface RelaxedKernelExports {
  mm2x16(a: number, b: number, kc: number, c: number, ldc: number): void;
  pack16(src: number, ld: number, kc: number, dst: number, panels: number): void;
  pack2(src: number, ld: number, kc: number, dst: number, panels: number): void;
  packT16(src: number, ld: number, kc: number, dst: number, panels: number): void;
  packT2(src: number, ld: number, kc: number, dst: number, panels: number): void;
}

/** A shared wasm memory plus the relaxed kernel instantiated on it. */
export interface RelaxedArena {
  id: number;
  memory: WasmMemory;
  module: WasmModule;
  kernel: RelaxedKernelExports;
  /** The work-ticket counters at the start of the arena (bytes [0, 64)). */
  tickets: Int32Array;
  /** Capacity in bytes. */
  bytes: number;
}

/**
 * One packed depth block. Its work items (an L2-sized chunk of X panels × one Y panel) are handed
 * out by an atomic ticket counter, so threads that get less CPU (a shared machine) take fewer.
 */
export interface RelaxedBlockJob {
  /** Byte offsets in the arena of the packed X panels, packed Y panels and float64 output. */
  a: number;
  b: number;
  c: number;
  /** Packed depth (even). */
  kc: number;
  /** Number of X micro-panels (2 rows) and Y micro-panels (16 rows). */
  px: number;
  py: number;
  /** Output row stride in bytes. */
  ldc: number;
  /** Only blocks touching the upper triangle (X = Y). */
  symmetric: boolean;
  /** Index of the job's ticket counter in the arena's `tickets` (reset to 0 before the job). */
  counter: number;
}

/**
 * Runs one depth block on every thread (portable version: the calling thread). `overlap` is called
 * on the calling thread once the other threads have started (it packs the next block), before the
 * calling thread takes its own tickets.
 */
export type RelaxedExecutor = (arena: RelaxedArena, job: RelaxedBlockJob, overlap: () => void) => Promise<void>;

/** Whether `FORGETSCOPE_RELAXED_SIMD=0` asks for the float64 kernels (read where `process` exists). */
function disabledByEnv(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.FORGETSCOPE_RELAXED_SIMD === '0';
}

let compiled: WasmModule | null | undefined;

/**
 * The compiled relaxed kernel, or null where relaxed SIMD (checked with `WebAssembly.validate` of a
 * tiny probe module) or shared memory is missing.
 */
export function relaxedKernelModule(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    const api = wasm();
    if (api?.validate(base64Bytes(PROBE))) {
      const module = new api.Module(base64Bytes(RELAXED_KERNEL_WASM_BASE64));
      const memory = new api.Memory({ initial: 1, maximum: 1, shared: true });
      new api.Instance(module, { env: { memory } });
      compiled = module;
    }
  } catch {
    compiled = null;
  }
  return compiled;
}

/**
 * True when the relaxed-SIMD float32 kernel can run here and `FORGETSCOPE_RELAXED_SIMD=0` is not set
 * (runners read this when they are created).
 */
export function relaxedSimdAvailable(): boolean {
  return !disabledByEnv() && relaxedKernelModule() !== null;
}

let arenaIds = 0;

/** A fresh arena of at least `bytes` bytes. */
export function createRelaxedArena(bytes: number): RelaxedArena {
  const module = relaxedKernelModule();
  if (!module) throw new Error('relaxed SIMD kernel unavailable');
  const pages = Math.ceil(bytes / 65536) + 1;
  const api = wasm()!;
  const memory = new api.Memory({ initial: pages, maximum: pages, shared: true });
  const instance = new api.Instance(module, { env: { memory } });
  const tickets = new Int32Array(memory.buffer as SharedArrayBuffer, 0, 16);
  return {
    id: ++arenaIds,
    memory,
    module,
    kernel: instance.exports as unknown as RelaxedKernelExports,
    tickets,
    bytes: pages * 65536,
  };
}

/** An arena cache that grows when a bigger one is needed. */
export function relaxedArenaCache(): { get(bytes: number): RelaxedArena; clear(): void } {
  return growingCache(createRelaxedArena, (arena) => arena.bytes);
}

/**
 * Takes tickets of one packed depth block until none are left: ticket t is X-panel chunk ⌊t / py⌋
 * (≤ 256 KiB of X panels, L2, reused across Y panels) × Y panel (≤ 32 KiB, L1), the largest Y
 * panels of a triangle first; each runs every X micro-panel of the chunk (only those reaching the
 * upper triangle when symmetric). Self-contained (the worker pool ships its source text).
 */
export function runRelaxedBlocks(kernel: RelaxedKernelExports, tickets: Int32Array, job: RelaxedBlockJob): void {
  const { a, b, c, kc, px, py, ldc, symmetric, counter } = job;
  const aStep = kc * 8;
  const bStep = kc * 64;
  const chunk = Math.max(1, Math.floor(262144 / aStep));
  const total = Math.ceil(px / chunk) * py;
  for (;;) {
    const t = Atomics.add(tickets, counter, 1);
    if (t >= total) break;
    const p0 = Math.floor(t / py) * chunk;
    const q = py - 1 - (t % py);
    const p1 = Math.min(px, p0 + chunk);
    const bq = b + q * bStep;
    const cq = c + q * 128;
    // X rows 2p, 2p+1 reach column block [16q, 16q+16) of the upper triangle when 2p ≤ 16q + 15
    const pEnd = symmetric ? Math.min(p1, 8 * q + 8) : p1;
    for (let p = p0; p < pEnd; p++) kernel.mm2x16(a + p * aStep, bq, kc, cq + p * 2 * ldc, ldc);
  }
}

/** The portable executor: everything on the calling thread, then `overlap`. */
export const inlineRelaxedExecutor: RelaxedExecutor = async (arena, job, overlap) => {
  runRelaxedBlocks(arena.kernel, arena.tickets, job);
  overlap();
};

/** Default arena budget in bytes (192 MiB); the `budget` argument lowers it (tests). */
const BUDGET = 192 * 2 ** 20;
/** Packed depth per block: a 16-row Y micro-panel of 512 float32 depths is 32 KiB (L1). */
const KC = 512;

/**
 * `X·Yᵀ` (float64 result, nx×ny) over depth [c0, c1) of float32 operands, blocked into arena-sized
 * pieces (x-row blocks, y-row blocks, depth blocks of ≤ 512). `symmetric` (X = Y) computes only the
 * blocks touching the upper triangle when the whole output fits one block, then mirrors.
 */
export async function relaxedDot(
  getArena: (bytes: number) => RelaxedArena,
  exec: RelaxedExecutor,
  problem: DotProblem,
  budget: number = BUDGET,
): Promise<Float64Array> {
  const { x: xo, y: yo, c0, c1, nx, ny, symmetric } = problem;
  if (!symmetric && ny < RELAXED_NR && nx > ny) {
    // Y is the 16-row side: put the longer operand there (e.g. A·x for a few vectors x)
    return swappedDot(problem, (swapped) => relaxedDot(getArena, exec, swapped, budget));
  }
  const result = new Float64Array(nx * ny);
  const depth = c1 - c0;
  if (nx === 0 || ny === 0 || depth <= 0) return result;
  const up = (v: number, m: number) => Math.ceil(v / m) * m;
  let kc = Math.min(up(depth, 4), KC);
  let xb = up(nx, RELAXED_MR);
  let yb = up(ny, RELAXED_NR);
  const fits = () => xb >= nx && yb >= ny;
  // bytes, each region 64-byte aligned: ticket counters, two sets of packed X and Y (the next depth
  // block is packed while the current one runs), staged X and Y rows (float32; one staging for
  // X = Y), output (float64)
  const layout = () => {
    const ax = up(xb * kc * 4, 64);
    const by = up(yb * kc * 4, 64);
    const one = symmetric && fits() && !xo.transposed;
    const sx = one ? by : ax;
    const sy = one ? 0 : by;
    const o = 64;
    const st = o + 2 * (ax + by);
    return {
      a: [o, o + ax + by],
      b: [o + ax, o + 2 * ax + by],
      sx: st,
      sy: st + sx,
      c: st + sx + sy,
      end: st + sx + sy + xb * yb * 8,
    };
  };
  while (layout().end > budget) {
    if (kc > 128) kc = up(kc / 2, 4);
    else if (xb >= yb && xb > RELAXED_MR) xb = up(xb / 2, RELAXED_MR);
    else if (yb > RELAXED_NR) yb = up(yb / 2, RELAXED_NR);
    else break;
  }
  const sym = symmetric && fits();
  const L = layout();
  const arena = getArena(L.end);
  const f32 = new Float32Array(arena.memory.buffer);
  const f64 = new Float64Array(arena.memory.buffer);
  const k = arena.kernel;
  for (let i0 = 0; i0 < nx; i0 += xb) {
    const r = Math.min(xb, nx - i0);
    const px = Math.ceil(r / RELAXED_MR);
    for (let j0 = 0; j0 < ny; j0 += yb) {
      const c = Math.min(yb, ny - j0);
      const py = Math.ceil(c / RELAXED_NR);
      const ldc = py * RELAXED_NR; // in doubles
      f64.fill(0, L.c / 8, L.c / 8 + px * RELAXED_MR * ldc);
      const pack = (k0: number, buf: number): number => {
        const k1 = Math.min(c1, k0 + kc);
        const kp = up(k1 - k0, 4);
        const a = L.a[buf]!;
        const b = L.b[buf]!;
        if (sym && !xo.transposed) {
          // X = Y: stage the rows once, pack both layouts from them
          stageRows(xo, { r0: i0, r1: i0 + r, k0, k1 }, kp, py * RELAXED_NR, f32, L.sx / 4);
          k.pack2(L.sx, kp * 4, kp, a, px);
          k.pack16(L.sx, kp * 4, kp, b, py);
        } else {
          packOperand(k, xo, { r0: i0, r1: i0 + r, k0, k1 }, kp, RELAXED_MR, f32, a, L.sx);
          packOperand(k, yo, { r0: j0, r1: j0 + c, k0, k1 }, kp, RELAXED_NR, f32, b, L.sy);
        }
        return kp;
      };
      let kp = pack(c0, 0);
      for (let k0 = c0, buf = 0; k0 < c1; k0 += kc, buf ^= 1) {
        const next = k0 + kc;
        let nextKp = 0;
        Atomics.store(arena.tickets, 0, 0);
        const job = { a: L.a[buf]!, b: L.b[buf]!, c: L.c, kc: kp, px, py, ldc: ldc * 8, symmetric: sym, counter: 0 };
        await exec(arena, job, () => {
          if (next < c1) nextKp = pack(next, buf ^ 1);
        });
        kp = nextKp;
      }
      for (let i = 0; i < r; i++) {
        const s = L.c / 8 + i * ldc;
        result.set(f64.subarray(s, s + c), (i0 + i) * ny + j0);
      }
    }
  }
  if (sym) mirrorUpper(result, nx);
  return result;
}

/**
 * Copies rows [r0, r1) × depth [k0, k1) of an untransposed float32 operand to `dst[off + r·kp + k]`,
 * zero padded to depth `kp` and to `rows` rows in all.
 */
function stageRows(o: DotOperand, block: OperandBlock, kp: number, rows: number, dst: Float32Array, off: number): void {
  const { r0, r1, k0, k1 } = block;
  const kw = k1 - k0;
  const src = o.data;
  for (let r = r0; r < r1; r++) {
    const d = off + (r - r0) * kp;
    const s = r * o.ld + k0;
    dst.set(src.subarray(s, s + kw), d);
    if (kp > kw) dst.fill(0, d + kw, d + kp);
  }
  if (rows > r1 - r0) dst.fill(0, off + (r1 - r0) * kp, off + rows * kp);
}

/**
 * Packs logical rows [r0, r1) × depth [k0, k1) of a float32 operand into k-major micro-panels of
 * `w` (2 or 16) rows at byte offset `dstB`: panel p holds row r0 + p·w + t, depth k0 + k at float
 * `p·kp·w + k·w + t`, zero padded to whole panels and to the depth `kp` (a multiple of 4). The rows
 * are staged at `stageB` (plain copies: rows of the operand, or for a transposed operand its depth runs,
 * which already hold the logical rows side by side) and laid out by the kernel's pack functions.
 */
function packOperand(
  kernel: RelaxedKernelExports,
  o: DotOperand,
  block: OperandBlock,
  kp: number,
  w: number,
  dst: Float32Array,
  dstB: number,
  stageB: number,
): void {
  const { r0, r1, k0, k1 } = block;
  const n = r1 - r0;
  const panels = Math.ceil(n / w);
  if (!o.transposed) {
    stageRows(o, block, kp, panels * w, dst, stageB / 4);
    if (w === 16) kernel.pack16(stageB, kp * 4, kp, dstB, panels);
    else kernel.pack2(stageB, kp * 4, kp, dstB, panels);
    return;
  }
  // transposed: depth k of the logical rows [r0, r1) is one contiguous run of the operand, i.e. the
  // stored rows are depths: stage stored rows [k0, k1) × [r0, r1), padded to whole panels and to
  // depth kp, then copy w floats per depth and panel
  const width = panels * w;
  stageRows(o, { r0: k0, r1: k1, k0: r0, k1: r1 }, width, kp, dst, stageB / 4);
  if (w === 16) kernel.packT16(stageB, width * 4, kp, dstB, panels);
  else kernel.packT2(stageB, width * 4, kp, dstB, panels);
}

function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
