import { open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { ForgetscopeError } from '../../util/errors.js';
import { decodeUtf8 } from '../utf8.js';

/** What a path is, in words, when it is not a regular file. */
function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isFIFO()) return 'a pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Opens a file for reading and checks, on the open handle, that it is a regular file (a symlink to
 * one is fine): a device such as /dev/zero, a FIFO or a folder is refused with an `input` error naming
 * the path, so no read runs forever. Returns the handle and the file's size; the caller closes it.
 */
export async function openRegularFile(path: string, what = 'an input'): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ForgetscopeError('usage', 'no such file', { file: path });
    if (code === 'EISDIR') throw new ForgetscopeError('input', `expected ${what} file, found a folder`, { file: path });
    throw new ForgetscopeError('io', `cannot read: ${(e as Error).message}`, { file: path });
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new ForgetscopeError('input', `expected ${what} file, found ${kindOf(info)}; only regular files are read`, {
      file: path,
    });
  }
  return { handle, size: info.size };
}

/**
 * Reads a whole regular file (see `openRegularFile`): exactly the size `fstat` reported, so a file
 * that grows while it is read cannot make the read unbounded.
 */
export async function readRegularFile(path: string, what = 'an input'): Promise<Uint8Array> {
  const { handle, size } = await openRegularFile(path, what);
  try {
    const buf = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await handle.read(buf, got, size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === size ? buf : buf.subarray(0, got);
  } catch (e) {
    throw new ForgetscopeError('io', `cannot read: ${(e as Error).message}`, { file: path });
  } finally {
    await handle.close();
  }
}

/** Reads a whole regular file as UTF-8 text; invalid UTF-8 is an `input` error at its line and column. */
export async function readRegularText(path: string, what = 'an input'): Promise<string> {
  return decodeUtf8(await readRegularFile(path, what), path);
}
