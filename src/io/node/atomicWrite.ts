import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ForgetscopeError } from '../../util/errors.js';

/**
 * Writes a file atomically: the data goes to a temporary file beside the target, which is then
 * renamed over it, so readers never see half a file. Refuses to replace an existing file unless
 * `force` (a `usage` error that names the file and the flag).
 */
export async function atomicWrite(path: string, data: Uint8Array | string | Iterable<Uint8Array | string> | AsyncIterable<Uint8Array | string>, options: { force?: boolean } = {}): Promise<void> {
  await refuseOverwrite(path, options.force);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
  let handle;
  try {
    handle = await open(tmp, 'wx');
  } catch (e) {
    throw new ForgetscopeError('io', `cannot write ${path}: ${(e as Error).message}`, { file: path });
  }
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) {
      await handle.writeFile(data);
    } else {
      for await (const piece of data as AsyncIterable<Uint8Array | string>) {
        if (typeof piece === 'string') await handle.write(piece);
        else await handle.write(piece);
      }
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (e) {
    await handle?.close().catch(() => {});
    await rm(tmp, { force: true });
    if (e instanceof ForgetscopeError) throw e;
    throw new ForgetscopeError('io', `cannot write ${path}: ${(e as Error).message}`, { file: path });
  }
}

/** Throws a `usage` error when `path` exists and `force` is not set. */
export async function refuseOverwrite(path: string, force: boolean | undefined): Promise<void> {
  if (force) return;
  const exists = await stat(path).then(() => true, () => false);
  if (exists) throw new ForgetscopeError('usage', `${path} already exists; pass --force (force: true) to overwrite it`, { file: path });
}
