import { numpyAvailable } from '../helpers/python.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCpuBackend } from '../../src/linalg/cpu/backend.js';
import { readNpyColumnChunks, readNpyMatrixHeader } from '../../src/io/node/readNpyColumnChunks.js';
import { referenceGram, referenceTopSVD } from '../../src/linalg/reference.js';
import { denseColumnChunks, gramStream, topSVDStream } from '../../src/linalg/stream.js';
import type { Dense } from '../../src/linalg/types.js';
import { ForgetscopeError } from '../../src/util/errors.js';
import { absProductScale, maxScaledError, randomDense } from './helpers.js';

/** A .npy v1 file of a float matrix, written by hand (format: magic, version, header dict, data). */
function npyBytes(a: Dense, fortran: boolean): Uint8Array {
  const f32 = a.data instanceof Float32Array;
  let header = `{'descr': '<${f32 ? 'f4' : 'f8'}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${a.rows}, ${a.cols}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const data = f32 ? new Float32Array(a.rows * a.cols) : new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) data[fortran ? j * a.rows + i : i * a.cols + j] = a.data[i * a.cols + j]!;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0)), 1, 0, header.length & 255, header.length >> 8]);
  out.set(
    Array.from(header, (c) => c.charCodeAt(0)),
    10,
  );
  out.set(new Uint8Array(data.buffer), 10 + header.length);
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'forgetscope-linalg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('streaming accumulators', () => {
  const cpu = createCpuBackend();

  test('gramStream over chunks equals the one-shot float64 Gram (chunk widths 1, 7, 1000)', async () => {
    const a = randomDense(17, 1023, 3);
    const want = referenceGram(a);
    const scale = absProductScale(a, a, false, true);
    for (const w of [1, 7, 1000]) {
      const progress: number[] = [];
      const r = await gramStream(cpu, denseColumnChunks(a, w), { progress: (done) => progress.push(done) });
      expect(r.rows).toBe(17);
      expect(r.cols).toBe(1023);
      expect(maxScaledError(r.gram, want, scale)).toBeLessThan(1e-12);
      expect(progress[progress.length - 1]).toBe(1023);
      expect(progress).toHaveLength(Math.ceil(1023 / w));
    }
  });

  test('topSVDStream gives the top singular values and left vectors of the float64 SVD', async () => {
    const a = randomDense(12, 900, 8);
    const want = referenceTopSVD(a, 4);
    const r = await topSVDStream(cpu, denseColumnChunks(a, 128), 4);
    for (let t = 0; t < 4; t++) {
      expect(Math.abs(r.s[t]! - want.s[t]!)).toBeLessThan(1e-9 * want.s[0]!);
      // same subspace: |<u_got, u_want>| = 1
      let d = 0;
      for (let i = 0; i < 12; i++) d += r.u[i * 4 + t]! * want.u[i * 4 + t]!;
      expect(Math.abs(Math.abs(d) - 1)).toBeLessThan(1e-8);
    }
  });

  test('chunks with a different number of rows are a shape error; no chunks is an empty error', async () => {
    const chunks = [randomDense(3, 4, 1), randomDense(4, 4, 2)];
    await expect(gramStream(cpu, chunks)).rejects.toMatchObject({ code: 'shape' });
    await expect(gramStream(cpu, [])).rejects.toMatchObject({ code: 'empty' });
  });

  /** A backend that logs gram calls and finishes each only after a few event-loop turns. */
  function slowBackend(log: string[]): typeof cpu {
    return {
      ...cpu,
      async gram(a) {
        const tag = (a as { tag?: number }).tag;
        log.push(`gram ${tag} start`);
        for (let t = 0; t < 3; t++) await new Promise((r) => setTimeout(r, 1));
        const g = await cpu.gram(a);
        log.push(`gram ${tag} end`);
        return g;
      },
    };
  }

  /** An async source of column chunks of `a` (widths cycling through `widths`) that counts what it hands out. */
  function countingSource(a: Dense, widths: number[], log: string[], failAt = -1) {
    const state = { live: 0, maxLive: 0, closed: false, produced: 0 };
    async function* gen() {
      try {
        let c0 = 0;
        for (let n = 0; c0 < a.cols; n++) {
          log.push(`next ${n}`);
          await new Promise((r) => setTimeout(r, 1));
          if (n === failAt) throw new ForgetscopeError('io', `source failed at chunk ${n + 1}`);
          const w = Math.min(widths[n % widths.length]!, a.cols - c0);
          const [chunk] = [...denseColumnChunks({ rows: a.rows, cols: w, data: sliceCols(a, c0, w) }, w)];
          state.live++;
          state.produced++;
          state.maxLive = Math.max(state.maxLive, state.live);
          let released = false;
          const release = (): void => {
            if (!released) state.live--;
            released = true;
          };
          yield { ...chunk!, tag: n, release };
          c0 += w;
        }
      } finally {
        state.closed = true;
      }
    }
    return { chunks: gen(), state };
  }

  function sliceCols(a: Dense, c0: number, w: number): Float64Array {
    const out = new Float64Array(a.rows * w);
    for (let i = 0; i < a.rows; i++) for (let c = 0; c < w; c++) out[i * w + c] = a.data[i * a.cols + c0 + c]!;
    return out;
  }

  test('gramStream asks for chunk i + 1 before the Gram of chunk i, in order, holding at most two chunks', async () => {
    const a = randomDense(6, 200, 11);
    const log: string[] = [];
    const { chunks, state } = countingSource(a, [17, 40, 3], log);
    const progress: number[] = [];
    const r = await gramStream(slowBackend(log), chunks, { progress: (done) => progress.push(done) });
    const scale = absProductScale(a, a, false, true);
    expect(maxScaledError(r.gram, referenceGram(a), scale)).toBeLessThan(1e-12);
    expect(r.cols).toBe(200);
    // widths 17, 40, 3, 17, 40, 3, … summing to 200, reported in the source's order
    const widths = [17, 40, 3, 17, 40, 3, 17, 40, 3, 17, 3];
    expect(progress).toEqual(widths.map((_, n) => widths.slice(0, n + 1).reduce((p, q) => p + q, 0)));
    const grams = log.filter((e) => e.endsWith('start')).map((e) => Number(e.split(' ')[1]));
    expect(grams).toEqual(widths.map((_, n) => n));
    for (let n = 0; n + 1 < widths.length; n++) {
      // overlap: the next chunk was requested before this chunk's Gram started (and so before it ended)
      expect(log.indexOf(`next ${n + 1}`)).toBeLessThan(log.indexOf(`gram ${n} start`));
    }
    expect(state.maxLive).toBeLessThanOrEqual(2);
    expect(state.live).toBe(0);
  });

  test('a failing source or backend rejects gramStream with its error, closes the source, leaves nothing unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const a = randomDense(4, 60, 12);
      const source = countingSource(a, [10], [], 3);
      await expect(gramStream(cpu, source.chunks)).rejects.toThrow('source failed at chunk 4');
      expect(source.state.closed).toBe(true);
      // the backend fails on chunk 2 while chunk 3 is being read: the read settles, then the source is closed
      const failing = countingSource(a, [10], []);
      let calls = 0;
      const bad = {
        ...cpu,
        gram: async (d: Dense) =>
          ++calls === 2 ? Promise.reject(new ForgetscopeError('backend', 'device lost')) : cpu.gram(d),
      };
      await expect(gramStream(bad, failing.chunks)).rejects.toThrow('device lost');
      expect(failing.state.closed).toBe(true);
      expect(failing.state.produced).toBe(3);
      // a chunk with other row counts is a shape error naming it (1-based), and closes the source too
      let mixedClosed = false;
      const mixed = (async function* () {
        try {
          yield randomDense(3, 4, 1);
          yield randomDense(3, 4, 2);
          yield randomDense(5, 4, 3);
          yield randomDense(3, 4, 4);
        } finally {
          mixedClosed = true;
        }
      })();
      await expect(gramStream(cpu, mixed)).rejects.toThrow('gramStream: chunk 3 has 5 rows, the first had 3');
      expect(mixedClosed).toBe(true);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('gramStream over the .npy reader releases every chunk: two chunk buffers serve the whole file', async () => {
    const a = randomDense(7, 3001, 13, true);
    const file = join(dir, 'released.npy');
    writeFileSync(file, npyBytes(a, false));
    const buffers = new Set<ArrayBufferLike>();
    const spy = (async function* () {
      for await (const chunk of readNpyColumnChunks(file, { chunkCols: 100 })) {
        buffers.add(chunk.data.buffer);
        yield chunk;
      }
    })();
    const r = await gramStream(cpu, spy);
    expect(maxScaledError(r.gram, referenceGram(a), absProductScale(a, a, false, true))).toBeLessThan(1e-6);
    // 31 chunks: 30 of 100 columns from two pooled buffers, the last (1 column) a fresh one
    expect(buffers.size).toBe(3);
  });

  test.each([
    [false, false],
    [true, false],
    [false, true],
  ])('readNpyColumnChunks (float32=%s, fortran=%s) reproduces the matrix chunk by chunk', async (f32, fortran) => {
    const a = randomDense(5, 23, 4, f32);
    const file = join(dir, `m_${f32}_${fortran}.npy`);
    writeFileSync(file, npyBytes(a, fortran));
    const h = await readNpyMatrixHeader(file);
    expect(h).toMatchObject({ rows: 5, cols: 23, dtype: f32 ? 'f4' : 'f8', fortranOrder: fortran });
    const widths: number[] = [];
    let c0 = 0;
    for await (const chunk of readNpyColumnChunks(file, { chunkCols: 6 })) {
      widths.push(chunk.cols);
      expect(chunk.data instanceof Float32Array).toBe(f32);
      for (let i = 0; i < 5; i++)
        for (let c = 0; c < chunk.cols; c++) expect(chunk.data[i * chunk.cols + c]).toBe(a.data[i * 23 + c0 + c]);
      c0 += chunk.cols;
    }
    expect(widths).toEqual([6, 6, 6, 5]);
  });

  test('a truncated .npy file is reported with its name', async () => {
    const file = join(dir, 'short.npy');
    const bytes = npyBytes(randomDense(4, 4, 1), false);
    writeFileSync(file, bytes.subarray(0, bytes.length - 8));
    const it = readNpyColumnChunks(file);
    await expect(it.next()).rejects.toThrow(ForgetscopeError);
    await expect(readNpyMatrixHeader(join(dir, 'short.npy'))).resolves.toMatchObject({ rows: 4 });
  });

  test('a non-float or non-2-D .npy is refused by the chunk reader with the file named', async () => {
    const file = join(dir, 'ints.npy');
    const header = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }";
    const pad = 64 - ((10 + header.length + 1) % 64);
    const text = header + ' '.repeat(pad) + '\n';
    const bytes = new Uint8Array(10 + text.length + 16);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 0xff, text.length >> 8]);
    bytes.set(new TextEncoder().encode(text), 10);
    writeFileSync(file, bytes);
    await expect(readNpyMatrixHeader(file)).rejects.toMatchObject({ code: 'dtype', file });
    const vec = join(dir, 'vec.npy');
    writeFileSync(vec, new TextEncoder().encode('not numpy at all'));
    await expect(readNpyMatrixHeader(vec)).rejects.toMatchObject({ code: 'parse', file: vec });
  });

  test("reads a file written by numpy and matches numpy's own Gram and singular values", async () => {
    if (!numpyAvailable()) {
      console.warn('skipped: python3/numpy not available');
      return;
    }
    const file = join(dir, 'np.npy');
    const out = execFileSync('python3', [
      '-c',
      [
        'import numpy as np, sys, json',
        'rng = np.random.default_rng(5)',
        'a = rng.standard_normal((9, 3001)).astype(np.float32)',
        `np.save(sys.argv[1], a)`,
        'g = a.astype(np.float64) @ a.astype(np.float64).T',
        's = np.linalg.svd(a.astype(np.float64), compute_uv=False)',
        'print(json.dumps({"g": g.ravel().tolist(), "s": s[:3].tolist()}))',
      ].join('\n'),
      file,
    ]);
    const ref = JSON.parse(out.toString()) as { g: number[]; s: number[] };
    const r = await topSVDStream(cpu, readNpyColumnChunks(file, { chunkCols: 1000 }), 3);
    for (let t = 0; t < 81; t++)
      expect(Math.abs(r.gram[t]! - ref.g[t]!)).toBeLessThan(1e-9 * Math.abs(ref.g[(t % 9) * 10]!));
    for (let t = 0; t < 3; t++) expect(Math.abs(r.s[t]! - ref.s[t]!)).toBeLessThan(1e-9 * ref.s[0]!);
  });
});
