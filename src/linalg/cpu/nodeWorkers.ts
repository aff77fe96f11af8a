// Node-only: the CPU kernels on worker_threads, sharing memory with the calling thread.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { axpyTiles } from './kernels.js';
import type { CpuKernelRunner, RelaxedMode, SimdMode } from './runner.js';
import { cachedDot, countProduct, cpuRoutes, createInlineRunner, relaxedEnabled, type KernelTally } from './runner.js';
import { runRelaxedBlocks, type RelaxedArena, type RelaxedBlockJob, type RelaxedExecutor } from './relaxedDot.js';
import { runDotBlocks, wasmDotAvailable, type DotArena, type DotBlockJob, type DotExecutor } from './wasmDot.js';
import type { NumArray } from './kernels.js';

/** Options of `createWorkerRunner`. */
export interface WorkerRunnerOptions {
  /** Threads including the calling one (default: available parallelism). */
  threads?: number;
  /** Multiply–adds below which work stays on the calling thread (default 2e7). */
  minWork?: number;
  /** SIMD kernel use (default auto). */
  simd?: SimdMode;
  /** Relaxed-SIMD float32 kernel use for float32 operands (default auto). */
  relaxed?: RelaxedMode;
}

// The workers run the very same block loop as the calling thread: its source is shipped as text,
// so no file path has to resolve (works from dist/ and under jest's transform alike).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const runDotBlocks = ${runDotBlocks.toString()};
const runRelaxedBlocks = ${runRelaxedBlocks.toString()};
const axpyTiles = ${axpyTiles.toString()};
const kernels = {};
const tickets = {};
const view = (d) => d.f32 ? new Float32Array(d.buf, d.off, d.len) : new Float64Array(d.buf, d.off, d.len);
parentPort.on('message', (msg) => {
  if (msg.type === 'arena') {
    kernels[msg.kind] = new WebAssembly.Instance(msg.module, { env: { memory: msg.memory } }).exports;
    tickets[msg.kind] = new Int32Array(msg.memory.buffer, 0, 16);
  } else if (msg.type === 'dot') {
    runDotBlocks(kernels.f64, msg.job);
  } else if (msg.type === 'relaxed') {
    runRelaxedBlocks(kernels.f32, tickets.f32, msg.job);
  } else if (msg.type === 'axpy') {
    const out = new Float64Array(msg.out);
    axpyTiles(view(msg.x), msg.ldx, view(msg.b), msg.ldb, msg.kk, msg.nc, msg.i0, msg.i1, out, msg.nc);
  }
  parentPort.postMessage(0);
});
`;

interface Shared {
  buf: SharedArrayBuffer;
  off: number;
  len: number;
  f32: boolean;
}

/**
 * A `CpuKernelRunner` whose dot products split 4-row blocks over worker threads plus the calling
 * thread, all working on one shared WebAssembly memory (see `wasmDot.ts`).
 *
 * @example const runner = createWorkerRunner(); const cpu = createCpuBackend({ runner });
 */
export function createWorkerRunner(options: WorkerRunnerOptions = {}): CpuKernelRunner {
  const threads = Math.max(1, options.threads ?? availableParallelism());
  const minWork = options.minWork ?? 2e7;
  const simd = options.simd ?? 'auto';
  const relaxedMode = options.relaxed ?? 'auto';
  const tally: KernelTally = {};
  const inline = createInlineRunner({ simd, relaxed: relaxedMode, tally });
  let workers: Worker[] | null = null;
  // the arena each worker has instantiated, per kernel kind (float64 dot.wat, float32 relaxed.wat)
  const workerArena = new Map<Worker, number>();
  const workerRelaxedArena = new Map<Worker, number>();
  const pool = (): Worker[] => {
    if (!workers) {
      workers = [];
      for (let t = 0; t < threads - 1; t++) {
        const w = new Worker(WORKER_SOURCE, { eval: true });
        w.unref();
        workers.push(w);
      }
    }
    return workers;
  };
  const run = (w: Worker, msg: object): Promise<void> =>
    new Promise((resolve, reject) => {
      const onError = (e: Error) => {
        w.off('message', onMsg);
        reject(e);
      };
      const onMsg = () => {
        w.off('error', onError);
        resolve();
      };
      w.once('message', onMsg);
      w.once('error', onError);
      w.postMessage(msg);
    });

  const exec: DotExecutor = async (arena: DotArena, job) => {
    const ws = pool();
    const jobs = ws.map(async (w, t) => {
      if (workerArena.get(w) !== arena.id) {
        await run(w, { type: 'arena', kind: 'f64', memory: arena.memory, module: arena.module });
        workerArena.set(w, arena.id);
      }
      const full: DotBlockJob = { ...job, stride: threads, offset: t + 1 };
      await run(w, { type: 'dot', job: full });
    });
    runDotBlocks(arena.kernel, { ...job, stride: threads, offset: 0 });
    await Promise.all(jobs);
  };
  const relaxedExec: RelaxedExecutor = async (arena: RelaxedArena, job: RelaxedBlockJob, overlap) => {
    const ws = pool();
    const fresh = ws.filter((w) => workerRelaxedArena.get(w) !== arena.id);
    if (fresh.length) {
      // a new arena: instantiate the kernel on it in those workers first (not overlapped)
      await Promise.all(
        fresh.map((w) => run(w, { type: 'arena', kind: 'f32', memory: arena.memory, module: arena.module })),
      );
      for (const w of fresh) workerRelaxedArena.set(w, arena.id);
    }
    const jobs = ws.map((w) => run(w, { type: 'relaxed', job }));
    overlap();
    runRelaxedBlocks(arena.kernel, arena.tickets, job);
    await Promise.all(jobs);
  };
  const { dot: parallelDot, clear: clearArenas } = cachedDot(simd, exec, relaxedExec, relaxedMode, tally);

  return {
    threads,
    simd: simd !== 'never' && wasmDotAvailable(),
    relaxed: relaxedEnabled(simd, relaxedMode),
    routes: cpuRoutes(simd, relaxedMode),
    tally,
    async dot(x, ldx, y, ldy, c0, c1, nx, ny, symmetric, transX, transY) {
      const work = nx * ny * (c1 - c0) * (symmetric ? 0.5 : 1);
      if (threads === 1 || work < minWork || nx < 8 || !wasmDotAvailable() || simd === 'never') {
        return inline.dot(x, ldx, y, ldy, c0, c1, nx, ny, symmetric, transX, transY);
      }
      return parallelDot(x, ldx, y, ldy, c0, c1, nx, ny, symmetric, transX, transY);
    },
    async axpy(x, ldx, b, ldb, kk, nc, nx) {
      // a large B outside shared memory would need a full copy per call: stay on this thread then
      const bigCopy = !(b.buffer instanceof SharedArrayBuffer) && b.byteLength > 256 * 2 ** 20;
      if (threads === 1 || nx * nc * kk < minWork || nx < 8 || bigCopy) return inline.axpy(x, ldx, b, ldb, kk, nc, nx);
      countProduct(tally, 'js');
      const xs = share(x);
      const bs = share(b);
      const outBuf = new SharedArrayBuffer(nx * nc * 8);
      const out = new Float64Array(outBuf);
      const per = Math.ceil(nx / threads / 4) * 4;
      const ws = pool();
      const jobs = ws.map((w, t) => {
        const i0 = Math.min(nx, (t + 1) * per);
        const i1 = Math.min(nx, (t + 2) * per);
        return run(w, { type: 'axpy', x: xs.d, ldx, b: bs.d, ldb, kk, nc, i0, i1, out: outBuf });
      });
      axpyTiles(xs.view, ldx, bs.view, ldb, kk, nc, 0, Math.min(nx, per), out, nc);
      await Promise.all(jobs);
      return new Float64Array(out);
    },
    async dispose() {
      const ws = workers;
      workers = null;
      workerArena.clear();
      workerRelaxedArena.clear();
      clearArenas();
      if (ws) await Promise.all(ws.map((w) => w.terminate()));
      await inline.dispose();
    },
  };
}

function share(a: NumArray): { d: Shared; view: NumArray } {
  const f32 = a instanceof Float32Array;
  if (a.buffer instanceof SharedArrayBuffer) {
    return { d: { buf: a.buffer, off: a.byteOffset, len: a.length, f32 }, view: a };
  }
  const buf = new SharedArrayBuffer(a.byteLength);
  const view = f32 ? new Float32Array(buf) : new Float64Array(buf);
  view.set(a);
  return { d: { buf, off: 0, len: a.length, f32 }, view };
}
