// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { DOT_KERNEL_WASM_BASE64 } from './wasm/dotKernel.generated.js';
import type { NumArray } from './kernels.js';

/**
 * The fast path of the cpu backend's dot products: panels of both operands are packed as float64
 * into a shared WebAssembly memory (the "arena") and the hand-written SIMD kernel (`wasm/dot.wat`,
 * 4×2 register blocks of f64x2 accumulators) combines them; threads split the 4-row blocks.
 * Measured on the 2-core development VM: ~2.5× the scalar JavaScript kernel per core (see
 * docs/linalg.md). Needs WebAssembly SIMD and shared memory (Node ≥ 20, Deno, cross-origin-isolated
 * browsers); `wasmDotAvailable()` says whether it can run, else the scalar kernels are used.
 */

/** The few WebAssembly JS-API shapes used here (the TS lib of this project has no DOM/wasm types). */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}
/** A compiled module (opaque; structured-cloneable to workers). */
export type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (m: WasmModule, imports: object) => { exports: unknown };
}
const wasm = (): WasmApi | undefined => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** The kernel's exported functions. */
export interface DotKernelExports {
  dot4x2(x: number, y: number, ld: number, n: number, out: number, ldo: number): void;
  dot1x1(x: number, y: number, ld: number, n: number, out: number, ldo: number): void;
}

/** A shared wasm memory plus the kernel instantiated on it. */
export interface DotArena {
  id: number;
  memory: WasmMemory;
  module: WasmModule;
  kernel: DotKernelExports;
  /** Capacity in float64 entries. */
  doubles: number;
}

/** One unit of block work: all 4-row blocks `b ≡ offset (mod stride)` of one packed panel. */
export interface DotBlockJob {
  /** Double offsets in the arena. */
  x: number;
  y: number;
  out: number;
  /** Panel width in doubles (even; also the packed leading dimension). */
  ld: number;
  nx: number;
  ny: number;
  /** Output leading dimension in doubles. */
  ldo: number;
  symmetric: boolean;
  stride: number;
  offset: number;
}

/** Runs the block jobs of one panel on every thread (the portable version: the calling thread). */
export type DotExecutor = (arena: DotArena, job: Omit<DotBlockJob, 'stride' | 'offset'>) => Promise<void>;

let compiled: WasmModule | null | undefined;

/** The compiled kernel module, or null where WebAssembly SIMD or shared memory is unavailable. */
export function dotKernelModule(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  try {
    const api = wasm();
    if (!api) throw new Error('no WebAssembly');
    const bytes = base64Bytes(DOT_KERNEL_WASM_BASE64);
    compiled = new api.Module(bytes);
    // probe shared memory (browsers need cross-origin isolation)
    const memory = new api.Memory({ initial: 1, maximum: 1, shared: true });
    new api.Instance(compiled, { env: { memory } });
  } catch {
    compiled = null;
  }
  return compiled;
}

/** True when the SIMD kernel can run here. */
export function wasmDotAvailable(): boolean {
  return dotKernelModule() !== null;
}

let arenaIds = 0;

/** A fresh arena of at least `doubles` float64 entries. */
export function createArena(doubles: number): DotArena {
  const module = dotKernelModule();
  if (!module) throw new Error('wasm SIMD kernel unavailable');
  const pages = Math.ceil((doubles * 8) / 65536) + 1;
  const api = wasm()!;
  const memory = new api.Memory({ initial: pages, maximum: pages, shared: true });
  const instance = new api.Instance(module, { env: { memory } });
  return {
    id: ++arenaIds,
    memory,
    module,
    kernel: instance.exports as unknown as DotKernelExports,
    doubles: pages * 8192,
  };
}

/**
 * Computes the block rows of one packed panel assigned to (`stride`, `offset`):
 * `out[i][j] += Σ_{k<ld} X[i][k]·Y[j][k]` (j ≥ i's block start when symmetric). Self-contained (the
 * worker pool ships its source text).
 */
export function runDotBlocks(kernel: DotKernelExports, job: DotBlockJob): void {
  const { x, y, out, ld, nx, ny, ldo, symmetric, stride, offset } = job;
  const ldB = ld * 8;
  const ldoB = ldo * 8;
  for (let b = offset; b * 4 < nx; b += stride) {
    const i = b * 4;
    const jStart = symmetric ? i : 0;
    if (i + 4 <= nx) {
      let j = jStart;
      for (; j + 2 <= ny; j += 2)
        kernel.dot4x2((x + i * ld) * 8, (y + j * ld) * 8, ldB, ld, (out + i * ldo + j) * 8, ldoB);
      for (; j < ny; j++) {
        for (let r = i; r < i + 4; r++)
          kernel.dot1x1((x + r * ld) * 8, (y + j * ld) * 8, ldB, ld, (out + r * ldo + j) * 8, ldoB);
      }
    } else {
      for (let r = i; r < nx; r++) {
        for (let j = symmetric ? r : 0; j < ny; j++)
          kernel.dot1x1((x + r * ld) * 8, (y + j * ld) * 8, ldB, ld, (out + r * ldo + j) * 8, ldoB);
      }
    }
  }
}

/** The portable executor: everything on the calling thread. */
export const inlineDotExecutor: DotExecutor = async (arena, job) => {
  runDotBlocks(arena.kernel, { ...job, stride: 1, offset: 0 });
};

/** A logical operand: row r, depth k is `data[r*ld + k]`, or `data[k*ld + r]` when transposed. */
export interface DotOperand {
  data: NumArray;
  ld: number;
  transposed: boolean;
}

/** The product X·Yᵀ over depths [c0, c1) of nx logical rows of X and ny of Y; `symmetric` when X = Y. */
export interface DotProblem {
  x: DotOperand;
  y: DotOperand;
  c0: number;
  c1: number;
  nx: number;
  ny: number;
  symmetric: boolean;
}

/** Logical rows [r0, r1) × depths [k0, k1) of an operand: what one packing step copies. */
export interface OperandBlock {
  r0: number;
  r1: number;
  k0: number;
  k1: number;
}

/**
 * Runs `dot` on the problem with X and Y exchanged (never symmetric) and transposes its ny×nx result
 * back to nx×ny: how the kernels put the operand that fills whole register blocks on their long side.
 */
export async function swappedDot(
  problem: DotProblem,
  dot: (swapped: DotProblem) => Promise<Float64Array>,
): Promise<Float64Array> {
  const { nx, ny } = problem;
  const swapped = await dot({ ...problem, x: problem.y, y: problem.x, nx: ny, ny: nx, symmetric: false });
  const back = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) back[i * ny + j] = swapped[j * nx + i]!;
  return back;
}

/** Copies the upper triangle of the n×n row-major `m` onto its lower triangle. */
export function mirrorUpper(m: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) m[i * n + j] = m[j * n + i]!;
}

/** Default arena budget in doubles (192 MiB); the `budget` argument lowers it (tests). */
const BUDGET = 24 * 1024 * 1024;

/**
 * `X·Yᵀ` (float64, nx×ny) over depth [c0, c1), blocked into arena-sized pieces: x-row blocks,
 * y-row blocks and depth panels (wide panels when the output is small, so per-panel overhead stays
 * low). `symmetric` (X = Y) computes only the upper half when the whole output fits one block.
 */
export async function wasmDot(
  getArena: (doubles: number) => DotArena,
  exec: DotExecutor,
  problem: DotProblem,
  budget: number = BUDGET,
): Promise<Float64Array> {
  const { x: xo, y: yo, c0, c1, nx, ny, symmetric } = problem;
  if (!symmetric && nx < ny && nx % 4 !== 0) {
    // 4-row blocks run over X: put the side whose rows fill whole blocks there (e.g. Vᵀ = Uᵀ·A with
    // k = 10 rows against 10⁵ columns) and transpose the small result back.
    return swappedDot(problem, (swapped) => wasmDot(getArena, exec, swapped, budget));
  }
  const result = new Float64Array(nx * ny);
  const depth = c1 - c0;
  if (nx === 0 || ny === 0 || depth <= 0) return result;
  const even = (v: number) => Math.max(2, Math.ceil(v / 2) * 2);
  let kc = Math.min(even(depth), Math.max(256, Math.min(8192, even(4e7 / Math.max(1, nx * ny)))));
  let xb = nx;
  let yb = ny;
  const need = () => xb * kc + (symmetric && xb === nx && yb === ny ? 0 : yb * kc) + xb * yb;
  while (need() > budget) {
    if (kc > 256) kc = even(kc / 2);
    else if (xb >= yb && xb > 4) xb = Math.ceil(xb / 2 / 4) * 4;
    else if (yb > 2) yb = Math.ceil(yb / 2 / 2) * 2;
    else break;
  }
  const sym = symmetric && xb === nx && yb === ny;
  const arena = getArena(need());
  const f64 = new Float64Array(arena.memory.buffer);
  for (let i0 = 0; i0 < nx; i0 += xb) {
    const r = Math.min(xb, nx - i0);
    for (let j0 = 0; j0 < ny; j0 += yb) {
      const c = Math.min(yb, ny - j0);
      const xOff = 0;
      const yOff = sym ? 0 : r * kc;
      const outOff = sym ? r * kc : r * kc + c * kc;
      f64.fill(0, outOff, outOff + r * c);
      for (let k0 = c0; k0 < c1; k0 += kc) {
        const k1 = Math.min(c1, k0 + kc);
        const ld = even(k1 - k0);
        packPanel(xo, { r0: i0, r1: i0 + r, k0, k1 }, f64, xOff, ld);
        if (!sym) packPanel(yo, { r0: j0, r1: j0 + c, k0, k1 }, f64, yOff, ld);
        await exec(arena, { x: xOff, y: yOff, out: outOff, ld, nx: r, ny: c, ldo: c, symmetric: sym });
      }
      if (c === ny) result.set(f64.subarray(outOff, outOff + r * c), i0 * ny);
      else
        for (let i = 0; i < r; i++)
          for (let j = 0; j < c; j++) result[(i0 + i) * ny + j0 + j] = f64[outOff + i * c + j]!;
    }
  }
  if (sym) mirrorUpper(result, nx);
  return result;
}

/** Packs logical rows [r0, r1) × depth [k0, k1) as float64 rows of length `ld` (zero padded). */
function packPanel(o: DotOperand, block: OperandBlock, dst: Float64Array, off: number, ld: number): void {
  const { r0, r1, k0, k1 } = block;
  const w = k1 - k0;
  const src = o.data;
  if (!o.transposed) {
    for (let r = r0; r < r1; r++) {
      const d = off + (r - r0) * ld;
      const s = r * o.ld + k0;
      dst.set(src.subarray(s, s + w), d);
      if (ld > w) dst.fill(0, d + w, d + ld);
    }
  } else {
    // blocked over r so the written rows stay in cache (a plain k-then-r loop misses on every write)
    for (let rb = r0; rb < r1; rb += 64) {
      const re = Math.min(r1, rb + 64);
      for (let k = k0; k < k1; k++) {
        const s = k * o.ld;
        let d = off + (rb - r0) * ld + (k - k0);
        for (let r = rb; r < re; r++, d += ld) dst[d] = src[s + r]!;
      }
    }
    if (ld > w) for (let r = r0; r < r1; r++) dst.fill(0, off + (r - r0) * ld + w, off + (r - r0) * ld + ld);
  }
}

function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * A cache of one object that is rebuilt (by `make`) only when a bigger one than the cached one is asked
 * for; `sizeOf` tells the size an object holds. The kernels' arenas are kept this way.
 */
export function growingCache<T>(
  make: (size: number) => T,
  sizeOf: (cached: T) => number,
): { get(size: number): T; clear(): void } {
  let cached: T | null = null;
  return {
    get(size) {
      if (cached === null || sizeOf(cached) < size) cached = make(size);
      return cached;
    },
    clear() {
      cached = null;
    },
  };
}
