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
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) data[fortran ? j * a.rows + i : i * a.cols + j] = a.data[i * a.cols + j]!;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0)), 1, 0, header.length & 255, header.length >> 8]);
  out.set(Array.from(header, (c) => c.charCodeAt(0)), 10);
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
      for (let i = 0; i < 5; i++) for (let c = 0; c < chunk.cols; c++) expect(chunk.data[i * chunk.cols + c]).toBe(a.data[i * 23 + c0 + c]);
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

  test('reads a file written by numpy and matches numpy\'s own Gram and singular values', async () => {
    let hasNumpy = true;
    try {
      execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    } catch {
      hasNumpy = false;
    }
    if (!hasNumpy) {
      if (process.env.CI === 'true') throw new Error('python3 with numpy is required in CI');
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
    for (let t = 0; t < 81; t++) expect(Math.abs(r.gram[t]! - ref.g[t]!)).toBeLessThan(1e-9 * Math.abs(ref.g[(t % 9) * 10]!));
    for (let t = 0; t < 3; t++) expect(Math.abs(r.s[t]! - ref.s[t]!)).toBeLessThan(1e-9 * ref.s[0]!);
  });
});
