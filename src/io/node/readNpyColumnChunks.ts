// Node-only (exported through `forgetscope/node`): column chunks of a 2-D float .npy file for the
// streaming accumulators (`gramStream`, `topSVDStream`), read with positioned reads. The header is
// parsed by io/npy's `parseNpyHeader`, as for whole-file reads.
import { open, type FileHandle } from 'node:fs/promises';
import { ForgetscopeError } from '../../util/errors.js';
import { npyHeaderLength, parseNpyHeader } from '../npy/parseNpy.js';

/** Header facts of a 2-D .npy file. */
export interface NpyMatrixHeader {
  rows: number;
  cols: number;
  dtype: 'f4' | 'f8';
  fortranOrder: boolean;
  /** Byte offset of the data. */
  dataOffset: number;
}

/** One column chunk: an M×w row-major float matrix (a linalg `Dense`). */
export interface NpyColumnChunk {
  rows: number;
  cols: number;
  data: Float64Array | Float32Array;
}

/**
 * Reads and checks the header of a 2-D little-endian float32/float64 .npy file.
 * @example
 * await readNpyMatrixHeader('z.npy'); // {rows: 37, cols: 4096, dtype: 'f4', fortranOrder: false, dataOffset: 128}
 */
export async function readNpyMatrixHeader(path: string): Promise<NpyMatrixHeader> {
  const fh = await open(path, 'r');
  try {
    return await readHeader(fh, path);
  } finally {
    await fh.close();
  }
}

async function readHeader(fh: FileHandle, path: string): Promise<NpyMatrixHeader> {
  const lead = new Uint8Array(12);
  const { bytesRead } = await fh.read(lead, 0, 12, 0);
  const length = npyHeaderLength(lead.subarray(0, bytesRead), path);
  const prefix = new Uint8Array(length);
  const got = await fh.read(prefix, 0, length, 0);
  const h = parseNpyHeader(prefix.subarray(0, got.bytesRead), path);
  if (h.descr !== '<f4' && h.descr !== '<f8') throw new ForgetscopeError('dtype', `unsupported dtype ${h.descr} (need <f4 or <f8)`, { file: path });
  if (h.shape.length !== 2) throw new ForgetscopeError('shape', `need a 2-D array, shape is (${h.shape.join(', ')})`, { file: path });
  return { rows: h.shape[0]!, cols: h.shape[1]!, dtype: h.descr === '<f4' ? 'f4' : 'f8', fortranOrder: h.fortranOrder, dataOffset: h.dataOffset };
}

/** Options of `readNpyColumnChunks`. */
export interface NpyChunkOptions {
  /** Columns per chunk (default 8,192). */
  chunkCols?: number;
}

/**
 * Column chunks (M×w row-major) of a 2-D .npy matrix, read with positioned reads so only
 * one chunk is in memory: for C order each chunk is M strided reads, for Fortran order one
 * contiguous read, transposed. Throws `truncated` when the file is shorter than its header says.
 *
 * @example for await (const chunk of readNpyColumnChunks('z.npy')) { ... }
 */
export async function* readNpyColumnChunks(path: string, options: NpyChunkOptions = {}): AsyncGenerator<NpyColumnChunk> {
  const w0 = Math.max(1, Math.floor(options.chunkCols ?? 8192));
  const fh = await open(path, 'r');
  try {
    const h = await readHeader(fh, path);
    const size = h.dtype === 'f4' ? 4 : 8;
    const stat = await fh.stat();
    if (stat.size < h.dataOffset + h.rows * h.cols * size) {
      throw new ForgetscopeError('truncated', `file has ${stat.size} bytes, header needs ${h.dataOffset + h.rows * h.cols * size}`, { file: path });
    }
    const raw = new Uint8Array(h.rows * Math.min(w0, h.cols) * size);
    for (let c0 = 0; c0 < h.cols; c0 += w0) {
      const w = Math.min(w0, h.cols - c0);
      const bytes = h.rows * w * size;
      if (!h.fortranOrder) {
        for (let i = 0; i < h.rows; i++) {
          await readFully(fh, raw, i * w * size, w * size, h.dataOffset + (i * h.cols + c0) * size, path);
        }
        const src = h.dtype === 'f4' ? new Float32Array(raw.buffer, 0, h.rows * w) : new Float64Array(raw.buffer, 0, h.rows * w);
        yield { rows: h.rows, cols: w, data: src.slice() };
      } else {
        await readFully(fh, raw, 0, bytes, h.dataOffset + c0 * h.rows * size, path);
        const src = h.dtype === 'f4' ? new Float32Array(raw.buffer, 0, h.rows * w) : new Float64Array(raw.buffer, 0, h.rows * w);
        const data = h.dtype === 'f4' ? new Float32Array(h.rows * w) : new Float64Array(h.rows * w);
        for (let c = 0; c < w; c++) for (let i = 0; i < h.rows; i++) data[i * w + c] = src[c * h.rows + i]!;
        yield { rows: h.rows, cols: w, data };
      }
    }
  } finally {
    await fh.close();
  }
}

async function readFully(fh: FileHandle, buf: Uint8Array, off: number, len: number, pos: number, path: string): Promise<void> {
  let done = 0;
  while (done < len) {
    const { bytesRead } = await fh.read(buf, off + done, len - done, pos + done);
    if (bytesRead === 0) throw new ForgetscopeError('truncated', `unexpected end of file at byte ${pos + done}`, { file: path });
    done += bytesRead;
  }
}
