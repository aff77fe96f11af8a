// Node-only (exported through `forgetscope/node`): column chunks of a 2-D float .npy file for the
// streaming accumulators (`gramStream`, `topSVDStream`), read with positioned reads. The header is
// parsed by io/npy's `parseNpyHeader`, as for whole-file reads.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
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
  /**
   * Hands `data`'s memory back to the reader for a later chunk; call it only once done with `data`
   * (the streaming accumulators do). Chunks never released are never reused.
   */
  release(): void;
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
  if (h.descr !== '<f4' && h.descr !== '<f8')
    throw new ForgetscopeError('dtype', `unsupported dtype ${h.descr} (need <f4 or <f8)`, { file: path });
  const [rows, cols, ...more] = h.shape;
  if (rows === undefined || cols === undefined || more.length > 0)
    throw new ForgetscopeError('shape', `need a 2-D array, shape is (${h.shape.join(', ')})`, { file: path });
  return {
    rows,
    cols,
    dtype: h.descr === '<f4' ? 'f4' : 'f8',
    fortranOrder: h.fortranOrder,
    dataOffset: h.dataOffset,
  };
}

/** Options of `readNpyColumnChunks`. */
export interface NpyChunkOptions {
  /** Columns per chunk; default: as many as fit `chunkBytes` (see `npyChunkCols`). */
  chunkCols?: number;
  /** Byte budget of one chunk when `chunkCols` is not given (default 64 MiB). */
  chunkBytes?: number;
  /** Positioned reads queued at once (default 1,024; must be ≥ 1). */
  maxInFlight?: number;
  /**
   * Read around the page cache (Linux `O_DIRECT`): default for data of 1 GiB or more. `false` never,
   * `true` also for smaller files. Where the platform or file system refuses it, plain reads are used.
   */
  direct?: boolean;
}

/** Default byte budget of one chunk (64 MiB). */
export const NPY_CHUNK_BYTES = 64 * 2 ** 20;

/**
 * Columns per chunk for a rows×cols matrix of `itemSize`-byte values: `chunkCols` when given, else the
 * most that fit `chunkBytes` (default 64 MiB), rounded down to a multiple of 1,024 columns when that
 * is at least 1,024 (whole pages per row segment, whole 512-deep blocks of the Gram kernel); at least
 * 1 and at most `cols` (when cols > 0).
 *
 * @example npyChunkCols(1000, 10_000_000, 4); // 16384: 1,000 row segments of 64 KiB, 62.5 MiB per chunk
 */
export function npyChunkCols(rows: number, cols: number, itemSize: number, options: NpyChunkOptions = {}): number {
  let w: number;
  if (options.chunkCols !== undefined) {
    if (!(options.chunkCols >= 1))
      throw new ForgetscopeError('usage', `chunkCols must be ≥ 1, got ${options.chunkCols}`);
    w = Math.floor(options.chunkCols);
  } else {
    const budget = options.chunkBytes ?? NPY_CHUNK_BYTES;
    if (!(budget > 0)) throw new ForgetscopeError('usage', `chunkBytes must be > 0, got ${budget}`);
    w = Math.floor(budget / (Math.max(rows, 1) * itemSize));
    if (w >= 1024) w -= w % 1024;
  }
  return Math.max(1, cols > 0 ? Math.min(w, cols) : w);
}

/** Largest single read: contiguous spans are split so several pool threads share them. */
const MAX_READ = 8 * 2 ** 20;
/** Data size from which `direct` defaults to true (1 GiB). */
const DIRECT_MIN_BYTES = 2 ** 30;
/** Offset, length and file-position granularity of `O_DIRECT` reads (the usual logical block). */
const BLOCK = 512;
/**
 * Most bytes of aligned staging slots for direct reads (64 MiB): one slot per queued read, enough
 * queued reads that the pool keeps reading while the caller's thread computes between event-loop
 * turns (all 1,000 row segments of a 64 MiB chunk; 249 of 256 KiB).
 */
const STAGING_MAX = 64 * 2 ** 20;

/**
 * Column chunks (M×w row-major) of a 2-D .npy matrix, read with positioned reads so that only the
 * chunk being read is held by the reader. A chunk's array is the consumer's to keep unless it calls
 * `release`: then the reader may fill it again with a later chunk (the streaming accumulators do).
 * C order: one read per row segment of the chunk (the whole chunk when `w = cols`), all queued at
 * once in file order (up to `maxInFlight`), so the libuv pool reads them while the caller computes.
 * Plain reads land straight in the chunk; direct reads (`O_DIRECT`, the default for ≥ 1 GiB of
 * data: no page cache, no kernel read-ahead, a fraction of its CPU time) land in 512-byte-aligned
 * staging slots (reused) and are copied out. Fortran order: the chunk is one contiguous span,
 * transposed. The chunk width comes from `npyChunkCols` (64 MiB by default). Throws `truncated`
 * when the file is shorter than its header says.
 *
 * @example for await (const chunk of readNpyColumnChunks('z.npy')) { ... }
 */
export async function* readNpyColumnChunks(
  path: string,
  options: NpyChunkOptions = {},
): AsyncGenerator<NpyColumnChunk> {
  if (endianness() !== 'LE')
    throw new ForgetscopeError('usage', 'readNpyColumnChunks needs a little-endian host', { file: path });
  const maxInFlight = Math.floor(options.maxInFlight ?? 1024);
  if (!(maxInFlight >= 1)) throw new ForgetscopeError('usage', `maxInFlight must be ≥ 1, got ${options.maxInFlight}`);
  const fh = await open(path, 'r');
  let directFh: FileHandle | null = null;
  try {
    const h = await readHeader(fh, path);
    const size = h.dtype === 'f4' ? 4 : 8;
    const w0 = npyChunkCols(h.rows, h.cols, size, options);
    const stat = await fh.stat();
    const dataBytes = h.rows * h.cols * size;
    if (stat.size < h.dataOffset + dataBytes) {
      throw new ForgetscopeError('truncated', `file has ${stat.size} bytes, header needs ${h.dataOffset + dataBytes}`, {
        file: path,
      });
    }
    if (options.direct ?? dataBytes >= DIRECT_MIN_BYTES) directFh = await openDirect(path);
    const alloc = (n: number) => (size === 4 ? new Float32Array(n) : new Float64Array(n));
    // full-width chunk buffers handed back with `release`, reused instead of fresh allocations
    // (a fresh 64 MiB array costs ~30 ms of page faults; measured in bench/RESULTS.md)
    const pool: (Float32Array | Float64Array)[] = [];
    // Fortran order: the reader's own buffer for the contiguous span (reused across chunks)
    const fortran = h.fortranOrder ? alloc(h.rows * Math.min(w0, h.cols)) : null;
    let staging: Uint8Array | null = null;
    const read = async (buf: Uint8Array, spans: Span[]): Promise<void> => {
      if (directFh) {
        const slot = slotBytes(spans);
        const lanes = Math.max(1, Math.min(maxInFlight, spans.length, Math.floor(STAGING_MAX / slot)));
        if (!staging || staging.length < lanes * slot) staging = alignedBytes(lanes * slot);
        try {
          await readSpans({ fh: directFh, staging, slot }, buf, spans, lanes, path);
          return;
        } catch (e) {
          // a file system or device that takes O_DIRECT opens but not these reads: plain reads from now on
          if ((e as { code?: unknown }).code !== 'EINVAL') throw e;
          await directFh.close();
          directFh = null;
          staging = null;
        }
      }
      await readSpans({ fh, staging: null, slot: 0 }, buf, spans, Math.min(maxInFlight, spans.length), path);
    };
    for (let c0 = 0; c0 < h.cols; c0 += w0) {
      const w = Math.min(w0, h.cols - c0);
      const data = (w === w0 ? pool.pop() : undefined) ?? alloc(h.rows * w);
      if (!fortran) {
        const spans: Span[] =
          w === h.cols
            ? splitSpan(0, h.dataOffset + c0 * size, h.rows * w * size)
            : Array.from({ length: h.rows }, (_, i) => ({
                off: i * w * size,
                pos: h.dataOffset + (i * h.cols + c0) * size,
                len: w * size,
              }));
        await read(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), spans);
      } else {
        const src = fortran.subarray(0, h.rows * w);
        await read(
          new Uint8Array(src.buffer, 0, src.byteLength),
          splitSpan(0, h.dataOffset + c0 * h.rows * size, h.rows * w * size),
        );
        // column-major on disk: column c is src[c·rows, (c+1)·rows)
        src.forEach((x, k) => {
          data[(k % h.rows) * w + Math.floor(k / h.rows)] = x;
        });
      }
      let released = false;
      const release = (): void => {
        if (released || w !== w0) return;
        released = true;
        pool.push(data);
      };
      yield { rows: h.rows, cols: w, data, release };
    }
  } finally {
    await (directFh as FileHandle | null)?.close();
    await fh.close();
  }
}

/**
 * A second handle on `path` opened with `O_DIRECT`, or null where the platform has no such flag or
 * the file system refuses it. Exported for tests (not part of the package surface).
 */
export async function openDirect(path: string): Promise<FileHandle | null> {
  const flag = (constants as { O_DIRECT?: number }).O_DIRECT;
  if (!flag) return null;
  try {
    return await open(path, constants.O_RDONLY | flag);
  } catch {
    return null;
  }
}

/**
 * The aligned file range a direct read of `len` bytes at `pos` covers: it starts at `start`
 * (a multiple of 512), the wanted bytes are at `skew` in it, and `length` (a multiple of 512) is read.
 * Exported for tests.
 */
export function directRange(pos: number, len: number): { start: number; skew: number; length: number } {
  const skew = pos % BLOCK;
  return { start: pos - skew, skew, length: Math.ceil((skew + len) / BLOCK) * BLOCK };
}

/** Bytes of one staging slot: the aligned range of the longest span (every range fits). */
function slotBytes(spans: Span[]): number {
  let longest = 0;
  for (const s of spans) longest = Math.max(longest, s.len);
  return Math.ceil(longest / BLOCK) * BLOCK + BLOCK;
}

/**
 * `n` bytes whose start is page aligned: a WebAssembly memory (engines map it on whole pages), so
 * direct reads can land in it; ordinary array buffers carry no such promise.
 */
function alignedBytes(n: number): Uint8Array {
  const pages = Math.ceil(n / 65536);
  const wasm = (
    globalThis as unknown as {
      WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer } };
    }
  ).WebAssembly;
  return new Uint8Array(new wasm.Memory({ initial: pages, maximum: pages }).buffer, 0, n);
}

/** `len` bytes at file position `pos` go to `buf[off …]`. */
interface Span {
  off: number;
  pos: number;
  len: number;
}

function splitSpan(off: number, pos: number, len: number): Span[] {
  const out: Span[] = [];
  for (let d = 0; d < len; d += MAX_READ) out.push({ off: off + d, pos: pos + d, len: Math.min(MAX_READ, len - d) });
  return out;
}

/** A handle to read spans with: plain reads land in place; direct ones in lane `l`'s slot of `staging`. */
interface Reader {
  fh: FileHandle;
  staging: Uint8Array | null;
  slot: number;
}

/**
 * Reads every span on `lanes` concurrent lanes, each taking the next span in the order given (so
 * that many reads are queued at once); a short read is continued, a read of 0 bytes before the
 * span's end is a `truncated` error. Waits for all lanes before returning or throwing, so no read
 * writes into the buffers afterwards.
 */
async function readSpans(r: Reader, buf: Uint8Array, spans: Span[], lanes: number, path: string): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const fill = async (into: Uint8Array, off: number, need: number, len: number, pos: number): Promise<void> => {
    let done = 0;
    while (done < need) {
      const { bytesRead } = await r.fh.read(into, off + done, len - done, pos + done);
      if (bytesRead === 0)
        throw new ForgetscopeError('truncated', `unexpected end of file at byte ${pos + done}`, { file: path });
      done += bytesRead;
    }
  };
  const lane = async (l: number): Promise<void> => {
    while (next < spans.length && failure === null) {
      const s = spans[next++];
      if (s === undefined) break;
      try {
        if (!r.staging) {
          await fill(buf, s.off, s.len, s.len, s.pos);
        } else {
          const { start, skew, length } = directRange(s.pos, s.len);
          const base = l * r.slot;
          // the aligned range may run past the end of the file: only the wanted bytes must arrive
          await fill(r.staging, base, skew + s.len, length, start);
          buf.set(r.staging.subarray(base + skew, base + skew + s.len), s.off);
        }
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, l) => lane(l)));
  if (failure !== null) throw failure;
}
