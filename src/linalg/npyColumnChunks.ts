// Node-only (exported through `forgetscope/node`): a minimal chunked reader of 2-D float .npy files
// for the streaming accumulators. Self-contained on purpose — the general .npy reader lives in io/.
import { open } from 'node:fs/promises';
import { ForgetscopeError } from '../util/errors.js';
import type { Dense } from './types.js';

/** Header facts of a 2-D .npy file. */
export interface NpyMatrixHeader {
  rows: number;
  cols: number;
  dtype: 'f4' | 'f8';
  fortranOrder: boolean;
  /** Byte offset of the data. */
  dataOffset: number;
}

/** Reads and checks the header of a 2-D little-endian float32/float64 .npy file. */
export async function readNpyMatrixHeader(path: string): Promise<NpyMatrixHeader> {
  const fh = await open(path, 'r');
  try {
    const head = new Uint8Array(10);
    const { bytesRead } = await fh.read(head, 0, 10, 0);
    if (bytesRead < 10 || head[0] !== 0x93 || String.fromCharCode(...head.subarray(1, 6)) !== 'NUMPY') {
      throw new ForgetscopeError('parse', 'not a .npy file (bad magic)', { file: path });
    }
    const major = head[6]!;
    const lenBytes = major === 1 ? 2 : 4;
    const lenBuf = new Uint8Array(4);
    await fh.read(lenBuf, 0, lenBytes, 8);
    const headerLen = major === 1 ? lenBuf[0]! | (lenBuf[1]! << 8) : new DataView(lenBuf.buffer).getUint32(0, true);
    const start = 8 + lenBytes;
    const text = new Uint8Array(headerLen);
    await fh.read(text, 0, headerLen, start);
    const dict = new TextDecoder().decode(text);
    const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1];
    const fortran = /'fortran_order':\s*(True|False)/.exec(dict)?.[1];
    const shape = /'shape':\s*\(([^)]*)\)/.exec(dict)?.[1];
    if (descr !== '<f4' && descr !== '<f8') throw new ForgetscopeError('dtype', `unsupported dtype ${descr} (need <f4 or <f8)`, { file: path });
    const dims = (shape ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
    if (dims.length !== 2 || dims.some((d) => !Number.isInteger(d) || d < 0)) throw new ForgetscopeError('shape', `need a 2-D array, shape is (${shape})`, { file: path });
    return { rows: dims[0]!, cols: dims[1]!, dtype: descr === '<f4' ? 'f4' : 'f8', fortranOrder: fortran === 'True', dataOffset: start + headerLen };
  } finally {
    await fh.close();
  }
}

/** Options of `readNpyColumnChunks`. */
export interface NpyChunkOptions {
  /** Columns per chunk (default 8,192). */
  chunkCols?: number;
}

/**
 * Column chunks (M×w row-major `Dense`) of a 2-D .npy matrix, read with positioned reads so only
 * one chunk is in memory: for C order each chunk is M strided reads, for Fortran order one
 * contiguous read, transposed. Throws `truncated` when the file is shorter than its header says.
 *
 * @example for await (const chunk of readNpyColumnChunks('z.npy')) { ... }
 */
export async function* readNpyColumnChunks(path: string, options: NpyChunkOptions = {}): AsyncGenerator<Dense> {
  const h = await readNpyMatrixHeader(path);
  const w0 = Math.max(1, Math.floor(options.chunkCols ?? 8192));
  const size = h.dtype === 'f4' ? 4 : 8;
  const fh = await open(path, 'r');
  try {
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

async function readFully(fh: Awaited<ReturnType<typeof open>>, buf: Uint8Array, off: number, len: number, pos: number, path: string): Promise<void> {
  let done = 0;
  while (done < len) {
    const { bytesRead } = await fh.read(buf, off + done, len - done, pos + done);
    if (bytesRead === 0) throw new ForgetscopeError('truncated', `unexpected end of file at byte ${pos + done}`, { file: path });
    done += bytesRead;
  }
}
