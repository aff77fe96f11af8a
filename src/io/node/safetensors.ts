/**
 * Node file access for safetensors: the header is read first, then only the byte ranges of the
 * selected tensors, through a file handle, so multi-GB checkpoints are never loaded whole.
 * Writes go through `atomicWrite` (exclusive create, or an atomic replace with `force`).
 */
import { open } from 'node:fs/promises';
import { atomicWrite } from './atomicWrite.js';
import { ForgetscopeError } from '../../util/errors.js';
import type { ProgressSink } from '../../util/progress.js';
import {
  decodeTensor,
  encodeSafetensors,
  parseSafetensorsHeader,
  readHeaderLength,
  tensorNameFilter,
  type SafetensorsHeader,
  type SafetensorsReadOptions,
  type SafetensorsTensorInfo,
  type Tensor,
  type TensorToWrite,
} from '../safetensors/safetensors.js';

/** An open safetensors file: its validated header, and a reader for single tensors by name. */
export interface SafetensorsFile {
  readonly path: string;
  readonly header: SafetensorsHeader;
  /** Tensor entries (validated), in file order. */
  readonly tensors: readonly SafetensorsTensorInfo[];
  /** Reads and decodes one tensor's byte range. */
  read(name: string, precision?: SafetensorsReadOptions['precision']): Promise<Tensor>;
  /** Closes the file handle. Safe to call twice. */
  close(): Promise<void>;
}

async function readExactly(
  handle: import('node:fs/promises').FileHandle,
  length: number,
  position: number,
  path: string,
): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let got = 0;
  // Read in chunks below the 2 GiB single-read limit.
  const chunk = 1 << 30;
  while (got < length) {
    const { bytesRead } = await handle.read(buf, got, Math.min(chunk, length - got), position + got);
    if (bytesRead === 0)
      throw new ForgetscopeError(
        'truncated',
        `file ended after ${position + got} bytes while reading ${length} bytes at ${position}`,
        { file: path },
      );
    got += bytesRead;
  }
  return buf;
}

/**
 * Opens a safetensors file and validates its header without reading any tensor data.
 * @example const f = await openSafetensorsFile('w.safetensors'); const t = await f.read('w'); await f.close();
 */
export async function openSafetensorsFile(path: string): Promise<SafetensorsFile> {
  let handle: import('node:fs/promises').FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new ForgetscopeError(
      'input',
      `cannot open safetensors file (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      { file: path },
    );
  }
  try {
    const info = await handle.stat();
    // A device or a FIFO has no size to check offsets against (and /dev/zero never ends): refused.
    if (!info.isFile())
      throw new ForgetscopeError(
        'input',
        'expected a safetensors file, found something that is not a regular file (a device, a pipe or a folder)',
        { file: path },
      );
    const size = info.size;
    const first = await readExactly(handle, Math.min(8, size), 0, path);
    const n = readHeaderLength(first, size, path);
    const headerBytes = await readExactly(handle, n, 8, path);
    const header = parseSafetensorsHeader(headerBytes, size, path);
    const byName = new Map(header.tensors.map((t) => [t.name, t]));
    let closed = false;
    return {
      path,
      header,
      tensors: header.tensors,
      async read(name, precision) {
        const info = byName.get(name);
        if (!info)
          throw new ForgetscopeError(
            'input',
            `no tensor named "${name}" (has: ${[...byName.keys()].slice(0, 10).join(', ')}${byName.size > 10 ? ', …' : ''})`,
            { file: path },
          );
        if (closed) throw new ForgetscopeError('internal', 'file is closed', { file: path });
        const bytes = await readExactly(handle, info.end - info.begin, header.dataOffset + info.begin, path);
        return decodeTensor(info, bytes, precision, path);
      },
      async close() {
        if (!closed) {
          closed = true;
          await handle.close();
        }
      },
    };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/**
 * Reads the tensors of a file whose names match `options.select` (all when omitted), reading only
 * their byte ranges.
 * @example const tensors = await readSafetensorsFile('model.safetensors', { select: /mlp\.up_proj/ });
 */
export async function readSafetensorsFile(
  path: string,
  options: SafetensorsReadOptions & { progress?: ProgressSink } = {},
): Promise<Tensor[]> {
  const f = await openSafetensorsFile(path);
  try {
    const keep = tensorNameFilter(options.select);
    const names = f.tensors.filter((t) => keep(t.name)).map((t) => t.name);
    const out: Tensor[] = [];
    for (const [i, name] of names.entries()) {
      out.push(await f.read(name, options.precision));
      options.progress?.(i + 1, names.length, `reading ${path}`);
    }
    return out;
  } finally {
    await f.close();
  }
}

/**
 * Writes tensors as a safetensors file through `atomicWrite`: created exclusively (a `usage` error
 * when the file exists), or replaced atomically with `force`.
 */
export async function writeSafetensorsFile(
  path: string,
  tensors: readonly TensorToWrite[],
  options: { metadata?: Record<string, string>; force?: boolean } = {},
): Promise<void> {
  await atomicWrite(path, encodeSafetensors(tensors, options.metadata), { force: options.force ?? false });
}
