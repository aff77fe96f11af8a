// Node-only: the CPU kernels on worker_threads over SharedArrayBuffer.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { axpyTiles, dotTiles, type NumArray } from './kernels.js';
import type { CpuKernelRunner } from './runner.js';
import { createInlineRunner } from './runner.js';

/** Options of `createWorkerRunner`. */
export interface WorkerRunnerOptions {
  /** Threads including the calling one (default: available parallelism). */
  threads?: number;
  /** Multiply–adds below which work stays on the calling thread (default 2e7). */
  minWork?: number;
}

// The worker runs the very same kernel functions: their source is shipped as text, so no file path
// has to resolve (works from dist/ and under jest's transform alike).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const dotTiles = ${dotTiles.toString()};
const axpyTiles = ${axpyTiles.toString()};
const view = (d) => d.f32 ? new Float32Array(d.buf, d.off, d.len) : new Float64Array(d.buf, d.off, d.len);
parentPort.on('message', (job) => {
  const out = new Float64Array(job.out, job.outOff, job.outLen);
  if (job.kind === 'dot') {
    dotTiles(view(job.x), job.ldx, view(job.y), job.ldy, job.c0, job.c1, job.nx, job.ny, out, job.ny, job.symmetric, job.stride, job.offset);
  } else {
    axpyTiles(view(job.x), job.ldx, view(job.b), job.ldb, job.kk, job.nc, job.i0, job.i1, out, job.nc);
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
 * A `CpuKernelRunner` that splits output rows over worker threads (plus the calling thread).
 * Inputs not already in a SharedArrayBuffer are copied into one once per call.
 *
 * @example const runner = createWorkerRunner(); const cpu = createCpuBackend({ runner });
 */
export function createWorkerRunner(options: WorkerRunnerOptions = {}): CpuKernelRunner {
  const threads = Math.max(1, options.threads ?? availableParallelism());
  const minWork = options.minWork ?? 2e7;
  const inline = createInlineRunner();
  let workers: Worker[] | null = null;
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
  const run = (w: Worker, job: object): Promise<void> =>
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
      w.postMessage(job);
    });

  return {
    threads,
    async dot(x, ldx, y, ldy, c0, c1, nx, ny, symmetric) {
      const work = nx * ny * (c1 - c0) * (symmetric ? 0.5 : 1);
      if (threads === 1 || work < minWork || nx < 8) return inline.dot(x, ldx, y, ldy, c0, c1, nx, ny, symmetric);
      const xs = share(x);
      const ys = y === x ? xs : share(y);
      const outBuf = new SharedArrayBuffer(nx * ny * 8);
      const out = new Float64Array(outBuf);
      const ws = pool();
      const jobs = ws.map((w, t) =>
        run(w, { kind: 'dot', x: xs.d, ldx, y: ys.d, ldy, c0, c1, nx, ny, symmetric, stride: threads, offset: t + 1, out: outBuf, outOff: 0, outLen: nx * ny }),
      );
      dotTiles(xs.view, ldx, ys.view, ldy, c0, c1, nx, ny, out, ny, symmetric, threads, 0);
      await Promise.all(jobs);
      const result = new Float64Array(out);
      if (symmetric) for (let i = 0; i < nx; i++) for (let j = 0; j < i; j++) result[i * nx + j] = result[j * nx + i]!;
      return result;
    },
    async axpy(x, ldx, b, ldb, kk, nc, nx) {
      if (threads === 1 || nx * nc * kk < minWork || nx < 8) return inline.axpy(x, ldx, b, ldb, kk, nc, nx);
      const xs = share(x);
      const bs = share(b);
      const outBuf = new SharedArrayBuffer(nx * nc * 8);
      const out = new Float64Array(outBuf);
      // rows in multiples of 4 per thread
      const per = Math.ceil(nx / threads / 4) * 4;
      const ws = pool();
      const jobs = ws.map((w, t) => {
        const i0 = Math.min(nx, (t + 1) * per);
        const i1 = Math.min(nx, (t + 2) * per);
        return run(w, { kind: 'axpy', x: xs.d, ldx, b: bs.d, ldb, kk, nc, i0, i1, out: outBuf, outOff: 0, outLen: nx * nc });
      });
      axpyTiles(xs.view, ldx, bs.view, ldb, kk, nc, 0, Math.min(nx, per), out, nc);
      await Promise.all(jobs);
      return new Float64Array(out);
    },
    async dispose() {
      const ws = workers;
      workers = null;
      if (ws) await Promise.all(ws.map((w) => w.terminate()));
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
