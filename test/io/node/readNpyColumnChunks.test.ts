/** The chunked .npy column reader: plain and O_DIRECT reads, odd widths, reuse of released chunks. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  directRange,
  npyChunkCols,
  openDirect,
  readNpyColumnChunks,
  type NpyColumnChunk,
} from '../../../src/io/node/readNpyColumnChunks.js';
import { parseNpy } from '../../../src/io/npy/parseNpy.js';
import { tempDir } from '../helpers.js';

/** A .npy v1 file of a rows×cols float matrix with seeded values, written by hand; also its C-order values. */
function npyFile(
  rows: number,
  cols: number,
  f32: boolean,
  fortran: boolean,
  seed: number,
): { bytes: Uint8Array; values: Float64Array } {
  let header = `{'descr': '<${f32 ? 'f4' : 'f8'}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${rows}, ${cols}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const values = new Float64Array(rows * cols);
  let s = seed >>> 0 || 1;
  for (let t = 0; t < values.length; t++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    // exactly representable in float32, distinct per entry
    values[t] = ((s >>> 8) - 2 ** 23) / 2 ** 20;
  }
  const data = f32 ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) data[fortran ? j * rows + i : i * cols + j] = values[i * cols + j]!;
  const bytes = new Uint8Array(10 + header.length + data.byteLength);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  bytes.set(
    Array.from(header, (c) => c.charCodeAt(0)),
    10,
  );
  bytes.set(new Uint8Array(data.buffer), 10 + header.length);
  return { bytes, values };
}

const { dir, cleanup } = tempDir('forgetscope-npychunks-');
afterAll(cleanup);

/** Reads all chunks (copying each before the next is requested); checks them against the C-order values. */
async function readAll(
  file: string,
  rows: number,
  cols: number,
  want: ArrayLike<number>,
  options: Parameters<typeof readNpyColumnChunks>[1],
  release: boolean,
): Promise<number[]> {
  const widths: number[] = [];
  let c0 = 0;
  for await (const chunk of readNpyColumnChunks(file, options)) {
    expect(chunk.rows).toBe(rows);
    expect(chunk.data.length).toBe(rows * chunk.cols);
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < chunk.cols; c++) {
        if (chunk.data[i * chunk.cols + c] !== want[i * cols + c0 + c])
          throw new Error(
            `entry (${i}, ${c0 + c}) differs: ${chunk.data[i * chunk.cols + c]} vs ${want[i * cols + c0 + c]}`,
          );
      }
    }
    widths.push(chunk.cols);
    c0 += chunk.cols;
    if (release) chunk.release();
  }
  expect(c0).toBe(cols);
  return widths;
}

describe('readNpyColumnChunks', () => {
  test.each([
    // rows, cols, chunkCols, float32, fortran
    [7, 1001, 97, true, false],
    [7, 1001, 97, false, false],
    [7, 1001, 97, true, true],
    [5, 333, 1, true, false],
    [9, 130, 130, false, false],
    [9, 130, 4000, true, false],
    [1, 2049, 512, true, false],
  ])(
    '%i×%i in chunks of %i (float32 %s, fortran %s): plain and direct reads equal the whole-file parse',
    async (rows, cols, w, f32, fortran) => {
      const { bytes, values } = npyFile(rows, cols, f32, fortran, rows * 7919 + cols);
      const file = join(dir, `m_${rows}_${cols}_${w}_${f32}_${fortran}.npy`);
      writeFileSync(file, bytes);
      // the reference: io/npy's whole-file reader (C-order values), itself equal to the written values
      const ref = parseNpy(bytes).data as Float32Array | Float64Array;
      expect(Array.from(ref)).toEqual(Array.from(values));
      const last = cols % Math.min(w, cols) || Math.min(w, cols);
      const want = [...Array<number>(Math.ceil(cols / Math.min(w, cols)) - 1).fill(Math.min(w, cols)), last];
      for (const direct of [false, true]) {
        for (const release of [false, true]) {
          expect(await readAll(file, rows, cols, ref, { chunkCols: w, direct }, release)).toEqual(want);
        }
        expect(await readAll(file, rows, cols, ref, { chunkCols: w, direct, maxInFlight: 1 }, true)).toEqual(want);
      }
    },
  );

  test('kept chunks stay intact; released ones are refilled with later chunks', async () => {
    const rows = 6;
    const cols = 100;
    const { bytes, values } = npyFile(rows, cols, true, false, 3);
    const file = join(dir, 'reuse.npy');
    writeFileSync(file, bytes);
    const kept: NpyColumnChunk[] = [];
    for await (const chunk of readNpyColumnChunks(file, { chunkCols: 10 })) kept.push(chunk);
    expect(new Set(kept.map((k) => k.data.buffer)).size).toBe(10);
    kept.forEach((k, n) => {
      for (let i = 0; i < rows; i++)
        for (let c = 0; c < 10; c++) expect(k.data[i * 10 + c]).toBe(values[i * cols + 10 * n + c]);
    });
    const buffers: ArrayBufferLike[] = [];
    for await (const chunk of readNpyColumnChunks(file, { chunkCols: 10 })) {
      buffers.push(chunk.data.buffer);
      chunk.release();
      chunk.release(); // a second release is ignored (the buffer is pooled once)
    }
    expect(new Set(buffers).size).toBe(1);
  });

  test('a file shorter than its header says is a truncated error naming the file, plain and direct', async () => {
    const { bytes } = npyFile(4, 300, true, false, 5);
    const file = join(dir, 'short.npy');
    writeFileSync(file, bytes.subarray(0, bytes.length - 8));
    for (const direct of [false, true]) {
      await expect(readNpyColumnChunks(file, { direct }).next()).rejects.toMatchObject({ code: 'truncated', file });
    }
  });

  test('chunk widths: from the 64 MiB budget by default, the option when given, never more than the columns', () => {
    expect(npyChunkCols(1000, 10_000_000, 4)).toBe(16384); // ⌊2²⁶ / 4000⌋ = 16777 → whole 1,024s
    expect(npyChunkCols(1000, 10_000_000, 8)).toBe(8192); // 8388 → 8192
    expect(npyChunkCols(1000, 10_000_000, 4, { chunkBytes: 2 ** 28 })).toBe(66560); // 67108 → 65·1024
    expect(npyChunkCols(37, 1000, 4)).toBe(1000);
    expect(npyChunkCols(3, 10, 8, { chunkBytes: 100 })).toBe(4); // ⌊100 / 24⌋, below 1,024: not rounded
    expect(npyChunkCols(3, 10, 8, { chunkBytes: 10 })).toBe(1);
    expect(npyChunkCols(1000, 50, 4, { chunkCols: 7.9 })).toBe(7);
    expect(() => npyChunkCols(1000, 50, 4, { chunkCols: 0 })).toThrow('chunkCols must be ≥ 1');
    expect(() => npyChunkCols(1000, 50, 4, { chunkBytes: -1 })).toThrow('chunkBytes must be > 0');
  });

  test('a queue depth below 1 (or not a number) is a usage error, not a chunk of zeros', async () => {
    const file = join(dir, 'depth.npy');
    writeFileSync(file, npyFile(2, 3, true, false, 9).bytes);
    for (const maxInFlight of [0, Number.NaN]) {
      await expect(readNpyColumnChunks(file, { maxInFlight }).next()).rejects.toMatchObject({ code: 'usage' });
    }
  });

  test('direct reads cover whole 512-byte blocks around the wanted bytes', () => {
    expect(directRange(128, 100)).toEqual({ start: 0, skew: 128, length: 512 });
    expect(directRange(128, 400)).toEqual({ start: 0, skew: 128, length: 1024 });
    expect(directRange(1000, 24)).toEqual({ start: 512, skew: 488, length: 512 });
    expect(directRange(1024, 512)).toEqual({ start: 1024, skew: 0, length: 512 });
    // a 64 KiB row segment of the benchmark file (header 128 bytes, row 3, column 16384 of 10⁷)
    expect(directRange(128 + (3 * 10_000_000 + 16384) * 4, 65536)).toEqual({
      start: 120_065_536,
      skew: 128,
      length: 66048,
    });
  });

  test('openDirect answers null, not an error, for a file it cannot open', async () => {
    await expect(openDirect(join(dir, 'missing.npy'))).resolves.toBeNull();
  });
});
