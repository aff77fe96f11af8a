// Node-only: a CBLAS library of the system (OpenBLAS by default) called through koffi, a maintained FFI
// package with prebuilt binaries (an optional dependency: without it, or without a library, the cpu
// backend keeps to its WebAssembly kernels). Why at all: 128-bit WebAssembly SIMD reaches at most a
// quarter of an AVX-512 core's float32 peak, a tuned BLAS most of it (bench/RESULTS.md).
import { createRequire } from 'node:module';
import { ForgetscopeError } from '../../util/errors.js';
import type { BlasLibrary } from './blas.js';

/** Options of `loadNodeBlas`. */
export interface LoadNodeBlasOptions {
  /**
   * A library file or soname to load instead of the default search; `false` loads none. Default: the
   * `FORGETSCOPE_BLAS` environment variable (`0`/`off`/`none`: none; anything else: that library),
   * else the first of `NODE_BLAS_CANDIDATES` that loads.
   */
  library?: string | false;
}

/** The libraries tried, in order, when none is named: OpenBLAS's usual sonames (Debian, Fedora, Homebrew). */
export const NODE_BLAS_CANDIDATES: readonly string[] = [
  'libopenblas.so.0',
  'libopenblas.so',
  'libopenblas.dylib',
  '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
  '/usr/local/opt/openblas/lib/libopenblas.dylib',
];

// Symbol spellings: plain LP64 CBLAS (OpenBLAS, MKL, BLIS, Accelerate), OpenBLAS's 64-bit-integer
// builds (suffix 64_) and the copy that numpy's wheels bundle (prefix scipy_, suffix 64_).
const NAMINGS = [
  { prefix: '', suffix: '', int: 'int' },
  { prefix: 'scipy_', suffix: '64_', int: 'int64_t' },
  { prefix: '', suffix: '64_', int: 'int64_t' },
] as const;

const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;
const UPPER = 121;

interface KoffiFunction {
  (...args: unknown[]): unknown;
  async(...args: unknown[]): void;
}
interface KoffiLibrary {
  func(definition: string): KoffiFunction;
  unload(): void;
}
interface Koffi {
  load(path: string): KoffiLibrary;
}

let cached: { key: string; blas: BlasLibrary | null } | undefined;

/**
 * The system's CBLAS library for the cpu backend (see `withBlas`), or null when koffi or every
 * candidate library is missing, or when it is turned off. Loaded once per process and setting.
 * A library named explicitly (option or `FORGETSCOPE_BLAS`) that fails to load is an error.
 *
 * @example const blas = loadNodeBlas(); console.log(blas?.description ?? 'WebAssembly kernels');
 */
export function loadNodeBlas(options: LoadNodeBlasOptions = {}): BlasLibrary | null {
  const env = process.env.FORGETSCOPE_BLAS;
  const named =
    options.library !== undefined
      ? options.library
      : env === undefined || env === ''
        ? undefined
        : /^(0|off|none|false)$/i.test(env)
          ? false
          : env;
  const key = named === undefined ? '<search>' : named === false ? '<off>' : named;
  if (cached && cached.key === key) return cached.blas;
  const blas =
    named === false ? null : loadFirst(named === undefined ? NODE_BLAS_CANDIDATES : [named], named !== undefined);
  cached = { key, blas };
  return blas;
}

function loadFirst(candidates: readonly string[], explicit: boolean): BlasLibrary | null {
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch (e) {
    if (explicit)
      throw new ForgetscopeError(
        'backend',
        `a BLAS library was named (${candidates.join(', ')}), but the koffi package (the FFI that calls it) does not load: ${(e as Error).message}`,
      );
    return null;
  }
  // OpenBLAS's threads spin for 2^28 cycles (≈ 0.1 s) after each call before they sleep; on a machine
  // with few cores that spinning slowed this thread's work right after a call 4× (bench/RESULTS.md).
  // 2^20 cycles (< 1 ms) still covers the gap between the back-to-back calls of one product. The
  // library reads the variable when it loads; a value the user set is kept.
  process.env.OPENBLAS_THREAD_TIMEOUT ??= '20';
  const problems: string[] = [];
  for (const path of candidates) {
    let lib: KoffiLibrary;
    try {
      lib = koffi.load(path);
    } catch (e) {
      problems.push(`${path}: ${(e as Error).message}`);
      continue;
    }
    const blas = bind(lib, path);
    if (blas) return blas;
    problems.push(`${path}: no cblas_sgemm, cblas_dgemm, cblas_ssyrk and cblas_dsyrk symbols`);
    lib.unload();
  }
  if (explicit) throw new ForgetscopeError('backend', `the BLAS library does not load (${problems.join('; ')})`);
  return null;
}

/** A row-major cblas ?gemm with α = 1 and the given β, as `BlasLibrary`'s sgemm (T float32) / dgemm. */
function gemmCall<T extends Float32Array | Float64Array>(fn: KoffiFunction, beta: number) {
  type Operand = [data: T, offset: number, ld: number];
  return (ta: boolean, tb: boolean, m: number, n: number, k: number, ...rest: [...Operand, ...Operand, T, number]) => {
    const [a, aOff, lda, b, bOff, ldb, c, ldc] = rest;
    const op = (t: boolean) => (t ? TRANS : NO_TRANS);
    return call(fn, ROW_MAJOR, op(ta), op(tb), m, n, k, 1, a.subarray(aOff), lda, b.subarray(bOff), ldb, beta, c, ldc);
  };
}

function bind(lib: KoffiLibrary, path: string): BlasLibrary | null {
  for (const { prefix, suffix, int } of NAMINGS) {
    const name = (base: string) => `${prefix}${base}${suffix}`;
    let fns: Record<'sgemm' | 'dgemm' | 'ssyrk' | 'dsyrk', KoffiFunction>;
    try {
      // pointers as void*: koffi passes a typed array's memory itself (no copy in or out)
      fns = {
        sgemm: lib.func(
          `void ${name('cblas_sgemm')}(int, int, int, ${int}, ${int}, ${int}, float, void *, ${int}, void *, ${int}, float, void *, ${int})`,
        ),
        dgemm: lib.func(
          `void ${name('cblas_dgemm')}(int, int, int, ${int}, ${int}, ${int}, double, void *, ${int}, void *, ${int}, double, void *, ${int})`,
        ),
        ssyrk: lib.func(
          `void ${name('cblas_ssyrk')}(int, int, int, ${int}, ${int}, float, void *, ${int}, float, void *, ${int})`,
        ),
        dsyrk: lib.func(
          `void ${name('cblas_dsyrk')}(int, int, int, ${int}, ${int}, double, void *, ${int}, double, void *, ${int})`,
        ),
      };
    } catch {
      continue;
    }
    return {
      description: describe(lib, name, path),
      // sgemm overwrites C (β = 0); dgemm accumulates into it (β = 1), as BlasLibrary states
      sgemm: gemmCall<Float32Array>(fns.sgemm, 0),
      dgemm: gemmCall<Float64Array>(fns.dgemm, 1),
      ssyrk: (trans, n, k, a, aOff, lda, c, ldc) =>
        call(fns.ssyrk, ROW_MAJOR, UPPER, trans ? TRANS : NO_TRANS, n, k, 1, a.subarray(aOff), lda, 0, c, ldc),
      dsyrk: (trans, n, k, a, aOff, lda, c, ldc) =>
        call(fns.dsyrk, ROW_MAJOR, UPPER, trans ? TRANS : NO_TRANS, n, k, 1, a.subarray(aOff), lda, 1, c, ldc),
    };
  }
  return null;
}

/** OpenBLAS's own configuration line and thread count where the library has them, and the file. */
function describe(lib: KoffiLibrary, name: (base: string) => string, path: string): string {
  const parts: string[] = [];
  try {
    parts.push(String(lib.func(`const char *${name('openblas_get_config')}()`)()).trim());
    const threads = Number(lib.func(`int ${name('openblas_get_num_threads')}()`)());
    if (threads > 0) parts.push(`${threads} threads`);
  } catch {
    parts.push('CBLAS');
  }
  return `${parts.join(', ')} (${path})`;
}

/** An async koffi call (on koffi's worker thread, so this thread stays free) as a promise. */
function call(fn: KoffiFunction, ...args: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    fn.async(...args, (err: unknown) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
    );
  });
}
