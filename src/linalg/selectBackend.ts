// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
/// <reference types="@webgpu/types" preserve="true" />
import { ForgetscopeError } from '../util/errors.js';
import type { WarningSink } from '../util/progress.js';
import { createCpuBackend } from './cpu/backend.js';
import { columnFormsOn } from './columnFormsOn.js';
import type { Backend, BackendDescription, BackendName } from './types.js';
import { createWebGpuBackend, type WebGpuBackendOptions } from './webgpu/backend.js';

/** What a caller asks for: a named backend, or `auto`. */
export type BackendKind = 'auto' | 'cpu' | 'webgpu';

/**
 * Problem size (multiply–adds, e.g. M·M·N for a Gram matrix) from which `auto` prefers WebGPU when an
 * adapter exists. Measured on the development machine (see docs/linalg.md): Mesa lavapipe on 2 CPU
 * cores never beats the threaded cpu backend, so a software adapter is never picked by `auto`; on a
 * hardware adapter this threshold applies.
 */
export const WEBGPU_CROSSOVER_MULADDS = 2e9;

/** The shape of the matrix a run works on (tasks × examples); `auto` counts its Gram matrix's work. */
export interface ProblemShape {
  rows: number;
  cols: number;
}

/** Options of `selectBackend` and `resolveBackend`. */
export interface SelectBackendOptions {
  /** Receives the one warning of a fallback to cpu. */
  warn?: WarningSink;
  /** Multiply–adds of the work ahead (for `auto`); unknown means "large". `problem` sets it from a shape. */
  problemSize?: number;
  /**
   * The WebGPU entry point; default `globalThis.navigator.gpu` when present. A function is called only
   * when the choice may be WebGPU, so a runtime whose GPU start-up is costly or noisy (Dawn in Node)
   * never starts it for cpu work.
   */
  gpu?: GPU | null | (() => Promise<GPU | null>);
  /** Turn a missing adapter into an error instead of a fallback (tests with a required GPU). */
  requireWebGpu?: boolean;
  /** Makes the cpu backend (Node passes its threaded one). */
  createCpu?: () => Backend;
  /** Extra WebGPU options (binding limit, slab). */
  webgpu?: Partial<Omit<WebGpuBackendOptions, 'gpu'>>;
}

/** Options of `resolveBackend`: what was asked for and the problem, besides `SelectBackendOptions`. */
export interface ResolveBackendOptions extends SelectBackendOptions {
  /** `auto` (the default), `cpu` or `webgpu`; anything else is a `usage` error. */
  requested?: BackendKind;
  /** The matrix ahead: `auto` counts rows·rows·cols multiply–adds (unless `problemSize` is given). */
  problem?: ProblemShape;
}

/** Multiply–adds of the Gram matrix of a rows×cols matrix, what `auto` compares with the crossover. */
export function problemMulAdds(problem: ProblemShape): number {
  return problem.rows * problem.rows * problem.cols;
}

/**
 * Whether a request can end on WebGPU, decided before any GPU is touched: `webgpu`, or `auto` for
 * a problem of unknown size or of at least `WEBGPU_CROSSOVER_MULADDS`.
 */
export function mayUseWebGpu(requested: BackendKind, problemSize: number | undefined): boolean {
  return (
    requested === 'webgpu' ||
    (requested === 'auto' && (problemSize === undefined || problemSize >= WEBGPU_CROSSOVER_MULADDS))
  );
}

/**
 * The one backend resolution every command and library entry point goes through. `cpu` always
 * works. `webgpu` uses the given GPU (or `navigator.gpu`) and falls back to cpu with one warning when
 * there is no adapter (unless `requireWebGpu`), and again — once — if the device is lost mid-run.
 * `auto` chooses WebGPU only for a hardware adapter and a problem of at least
 * `WEBGPU_CROSSOVER_MULADDS`; below it no GPU is started at all. The backend's `description` adds
 * what was requested and why this backend was chosen.
 *
 * @example
 * const backend = await resolveBackend({ requested: 'auto', problem: { rows: 85, cols: 141871 }, warn: console.warn });
 * console.log(backend.description); // { name: 'cpu', kernel: …, requested: 'auto', reason: … }
 */
export async function resolveBackend(options: ResolveBackendOptions = {}): Promise<Backend> {
  const requested = options.requested ?? 'auto';
  if (requested !== 'cpu' && requested !== 'webgpu' && requested !== 'auto') {
    throw new ForgetscopeError('usage', `unknown backend "${String(requested)}" (expected auto, cpu or webgpu)`);
  }
  const makeCpu = options.createCpu ?? (() => createCpuBackend());
  const size = options.problemSize ?? (options.problem ? problemMulAdds(options.problem) : undefined);
  const onCpu = (reason: string): Backend => annotate(makeCpu(), requested, reason);
  if (requested === 'cpu') return onCpu('cpu was asked for');
  if (!mayUseWebGpu(requested, size)) {
    return onCpu(
      `auto: ${size!.toExponential(2)} multiply–adds, below the WebGPU crossover of ${WEBGPU_CROSSOVER_MULADDS.toExponential(0)}`,
    );
  }
  const gpuOption = options.gpu;
  let gpuBackend: Backend & { adapterDescription?: string };
  try {
    const gpu =
      typeof gpuOption === 'function' ? await gpuOption() : gpuOption !== undefined ? gpuOption : defaultGpu();
    if (!gpu) throw new ForgetscopeError('backend', 'WebGPU is not available in this runtime');
    gpuBackend = await createWebGpuBackend({ gpu, ...options.webgpu, ...(options.warn ? { warn: options.warn } : {}) });
  } catch (err) {
    if (options.requireWebGpu && requested === 'webgpu') throw err;
    const message = (err as Error).message;
    if (requested === 'webgpu') options.warn?.(`webgpu backend unavailable (${message}); using cpu`);
    return onCpu(`${requested}: WebGPU unavailable (${message})`);
  }
  const adapter = gpuBackend.adapterDescription ?? '';
  if (requested === 'auto' && isSoftwareAdapter(adapter)) {
    await gpuBackend.dispose();
    return onCpu(`auto: the WebGPU adapter is CPU-emulated (${adapter})`);
  }
  const reason =
    requested === 'webgpu'
      ? 'webgpu was asked for'
      : `auto: hardware adapter, ${size === undefined ? 'problem size unknown (counted as large)' : `${size.toExponential(2)} multiply–adds`}`;
  return withFallback(gpuBackend, makeCpu, options.warn, options.requireWebGpu ?? false, { requested, reason });
}

/**
 * Picks a backend: `resolveBackend({ requested: kind, ...options })`.
 *
 * @example
 * const backend = await selectBackend('auto', { problemSize: 85 * 85 * 141871, warn: console.warn });
 */
export async function selectBackend(kind: BackendKind, options: SelectBackendOptions = {}): Promise<Backend> {
  return resolveBackend({ ...options, requested: kind });
}

/** True for CPU-emulated adapters (Mesa lavapipe/llvmpipe, SwiftShader). */
export function isSoftwareAdapter(description: string): boolean {
  return /llvmpipe|lavapipe|swiftshader|software|cpu/i.test(description);
}

/** What resolution adds to a backend's description. */
interface Resolution {
  requested: BackendKind;
  reason: string;
}

/**
 * Wraps a GPU backend so a `backend` error (device lost, out of memory) retries that call and runs every
 * later call on a cpu backend, with one warning. Shape and usage errors pass through, and with `strict`
 * (FORGETSCOPE_REQUIRE_WEBGPU=1) every error does.
 */
export function withFallback(
  primary: Backend,
  makeCpu: () => Backend,
  warn: WarningSink | undefined,
  strict: boolean,
  resolution?: Resolution,
): Backend {
  let active: Backend = primary;
  let fallen: string | null = null;
  const call = async <T>(f: (b: Backend) => Promise<T>): Promise<T> => {
    if (fallen !== null) return f(active);
    try {
      return await f(active);
    } catch (err) {
      if (strict || !(err instanceof ForgetscopeError) || err.code !== 'backend') throw err;
      fallen = err.detail;
      warn?.(`webgpu backend failed (${err.detail}); continuing on cpu`);
      const old = active;
      active = makeCpu();
      await old.dispose().catch(() => {});
      return f(active);
    }
  };
  const wrapped: Backend = {
    get name(): BackendName {
      return active.name;
    },
    get description(): BackendDescription {
      const d = active.description;
      const base = resolution ? { ...d, requested: resolution.requested, reason: resolution.reason } : d;
      return fallen !== null
        ? {
            ...base,
            reason: `${base.reason ? `${base.reason}; ` : ''}webgpu failed mid-run (${fallen}), continued on cpu`,
          }
        : base;
    },
    gram: (a) => call((b) => b.gram(a)),
    gemm: (a, b2, o) => call((b) => b.gemm(a, b2, o)),
    gemv: (a, x, t) => call((b) => b.gemv(a, x, t)),
    maskedGram: (a, m) => call((b) => b.maskedGram(a, m)),
    // topSVD runs whole on the active backend; a failure mid-way reruns the whole call on cpu.
    topSVD: (a, k, o) => call((b) => b.topSVD(a, k, o)),
    columnForms: (input) => call((b) => columnFormsOn(b, input)),
    dispose: () => active.dispose(),
  };
  return wrapped;
}

/** A backend whose description also says what was requested and why it was chosen. */
function annotate(backend: Backend, requested: BackendKind, reason: string): Backend {
  const wrapped: Backend = {
    get name(): BackendName {
      return backend.name;
    },
    get description(): BackendDescription {
      return { ...backend.description, requested, reason };
    },
    gram: (a) => backend.gram(a),
    gemm: (a, b, o) => backend.gemm(a, b, o),
    gemv: (a, x, t) => backend.gemv(a, x, t),
    maskedGram: (a, m) => backend.maskedGram(a, m),
    topSVD: (a, k, o) => backend.topSVD(a, k, o),
    columnForms: (input) => columnFormsOn(backend, input),
    dispose: () => backend.dispose(),
  };
  return wrapped;
}

function defaultGpu(): GPU | null {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu ?? null;
}
