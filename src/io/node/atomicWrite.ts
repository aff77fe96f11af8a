/**
 * Safe outputs: a file is written to a temporary name beside its target and then published — by a
 * hard link (an exclusive create: of two writers of the same new path exactly one succeeds) or, with
 * `force`, by a rename over the old file (an atomic replace). Readers never see half a file. Temporary
 * names carry the writer's pid (`.NAME.tmp-<pid>-<random>`), so the temporaries of a process that died
 * are recognised and removed by the next write of the same target. Files get the mode 0666 less the
 * process umask, as any newly created file.
 */
import { rmSync } from 'node:fs';
import { constants, copyFile, link, lstat, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ForgetscopeError } from '../../util/errors.js';

/** Temporary paths of this process that are still in use, removed on SIGINT/SIGTERM (`removeLiveTemps`). */
const liveTemps = new Set<string>();

/** The temporary name of `target` for this process: `.NAME.tmp-<pid>-<random>` (`old`: a folder moved aside). */
export function tempPathFor(target: string, kind: 'tmp' | 'old' = 'tmp'): string {
  const rand = Math.random().toString(36).slice(2, 10).padEnd(8, '0');
  return join(dirname(target), `.${basename(target)}.${kind}-${process.pid}-${rand}`);
}

const TEMP_NAME = /^\.(.+)\.(tmp|old)-(\d+)-[0-9a-z]+$/;

/** True while process `pid` exists (a process of another user counts as alive). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporaries that dead processes left beside `target` (same target name, pid gone):
 * partial files and folders are deleted; a folder that a `force` replace had moved aside
 * (`.NAME.old-<pid>-…`) is moved back when the target is missing (the replace died between its two
 * renames), otherwise deleted. Returns one sentence per action, for a warning. Temporaries of live
 * processes are left alone.
 */
export async function cleanStaleTemps(target: string): Promise<string[]> {
  const dir = dirname(target);
  const name = basename(target);
  const entries = await readdir(dir).catch(() => [] as string[]);
  const done: string[] = [];
  for (const entry of entries.sort()) {
    const m = TEMP_NAME.exec(entry);
    if (!m || m[1] !== name || processAlive(Number(m[3]))) continue;
    const path = join(dir, entry);
    if (m[2] === 'old' && !(await exists(target))) {
      await rename(path, target).then(
        () => done.push(`restored ${target} from ${entry}, which an interrupted --force replace had moved aside`),
        () => {},
      );
      continue;
    }
    await rm(path, { recursive: true, force: true }).then(
      () => done.push(`removed ${entry}, left beside ${name} by process ${m[3]}, which no longer runs`),
      () => {},
    );
  }
  return done;
}

/** Removes this process's temporaries synchronously (the CLI calls it on SIGINT and SIGTERM). */
export function removeLiveTemps(): void {
  for (const path of liveTemps) {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // nothing more can be done while exiting
    }
  }
  liveTemps.clear();
}

/** True when anything — a file, a folder, a symlink even a dangling one — is at `path`. */
async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

function existsError(path: string): ForgetscopeError {
  return new ForgetscopeError('usage', `${path} already exists; pass --force (force: true) to overwrite it`, {
    file: path,
  });
}

/** Throws a `usage` error when anything (a dangling symlink too) is at `path` and `force` is not set. */
export async function refuseOverwrite(path: string, force: boolean | undefined): Promise<void> {
  if (force) return;
  if (await exists(path)) throw existsError(path);
}

/**
 * Checks, before any work, that `path` can be written as a file: its folder exists, it is not a
 * folder, and nothing is there unless `force`. A `usage` error naming the path otherwise.
 */
export async function checkOutputFile(path: string, force: boolean | undefined): Promise<void> {
  await checkParent(path);
  const info = await lstat(path).catch(() => null);
  if (info?.isDirectory())
    throw new ForgetscopeError('usage', `${path} is a folder; the output is a file`, { file: path });
  if (info && !force) throw existsError(path);
}

async function checkParent(path: string): Promise<void> {
  const parent = dirname(path);
  const info = await stat(parent).catch(() => null);
  if (!info)
    throw new ForgetscopeError('usage', `the folder ${parent} does not exist; create it first`, { file: path });
  if (!info.isDirectory()) throw new ForgetscopeError('usage', `${parent} is not a folder`, { file: path });
}

function ioError(path: string, e: unknown): ForgetscopeError {
  if (e instanceof ForgetscopeError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  return new ForgetscopeError('io', `cannot write: ${code ?? (e as Error).message ?? String(e)}`, { file: path });
}

/**
 * Writes a file safely: the data goes to a temporary file beside the target, is flushed, and is then
 * published — without `force` by a hard link, an exclusive create (when another writer got there
 * first: a `usage` error saying the file exists), with `force` by an atomic rename over the old file.
 * A failed write leaves the old file (or no file) and no temporary. A folder without hard links falls
 * back to an exclusive copy.
 * @example
 * await atomicWrite('summary.json', JSON.stringify(result), { force: false });
 */
export async function atomicWrite(
  path: string,
  data: Uint8Array | string | Iterable<Uint8Array | string> | AsyncIterable<Uint8Array | string>,
  options: { force?: boolean } = {},
): Promise<void> {
  await cleanStaleTemps(path);
  await checkOutputFile(path, options.force);
  const tmp = tempPathFor(path);
  let handle;
  try {
    handle = await open(tmp, 'wx', 0o666);
  } catch (e) {
    throw ioError(path, e);
  }
  liveTemps.add(tmp);
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
    await publishFile(tmp, path, options.force ?? false);
  } catch (e) {
    await handle?.close().catch(() => {});
    throw ioError(path, e);
  } finally {
    await rm(tmp, { force: true }).catch(() => {});
    liveTemps.delete(tmp);
  }
}

/** Moves a finished temporary file to its target: link (exclusive) or rename (force). */
async function publishFile(tmp: string, path: string, force: boolean): Promise<void> {
  if (force) {
    await rename(tmp, path);
    return;
  }
  try {
    await link(tmp, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw existsError(path);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EXDEV')
      throw e;
    // a file system without hard links: an exclusive copy (not atomic for readers, still exclusive)
    try {
      await copyFile(tmp, path, constants.COPYFILE_EXCL);
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') throw existsError(path);
      throw e2;
    }
  }
  await unlink(tmp);
}

/** Options of `writeFolder`. */
export interface WriteFolderOptions {
  /** Replace an existing folder (only one whose entries all pass `ownEntry`). */
  force?: boolean;
  /** The names this writer produces: with `force`, a folder holding anything else is not replaced. */
  ownEntry?: (name: string) => boolean;
}

/**
 * Checks, before any work, that `dir` can be written as an output folder: its parent exists; it is
 * missing or empty, or — with `force` — a folder whose entries all pass `ownEntry` (an earlier output
 * of the same command; never a folder of other files).
 */
export async function checkOutputFolder(dir: string, options: WriteFolderOptions = {}): Promise<void> {
  await checkParent(dir);
  const info = await lstat(dir).catch(() => null);
  if (!info) return;
  if (!info.isDirectory()) {
    throw new ForgetscopeError(
      'usage',
      `--out must be a folder, but ${dir} is ${info.isSymbolicLink() ? 'a symbolic link' : 'a file'}`,
      { file: dir },
    );
  }
  const entries = await readdir(dir);
  if (entries.length === 0) return;
  if (!options.force)
    throw new ForgetscopeError(
      'usage',
      `${dir} already exists; pass --force (force: true) to replace it (it is not empty)`,
      { file: dir },
    );
  const own = options.ownEntry;
  const foreign = own ? entries.filter((e) => !own(e)) : [];
  if (foreign.length > 0) {
    throw new ForgetscopeError(
      'usage',
      `${dir} holds files this command does not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); not replacing it — pick another --out`,
      { file: dir },
    );
  }
}

/**
 * Writes an output folder safely: `fill` writes into a fresh sibling temporary folder, which is then
 * renamed into place — so `dir` is always either the old complete folder or the new complete one.
 * With `force` an existing folder is first moved aside (`.NAME.old-<pid>-…`), the new one moved in,
 * and the old one deleted; if the process dies between the two renames, the next write of `dir`
 * moves the old folder back (`cleanStaleTemps`). Without `force`, a folder that appears meanwhile wins
 * (a `usage` error). Returns the warnings of stale temporaries cleaned.
 * @example
 * await writeFolder('out', async (tmp) => { await writeTable(join(tmp, 'a.csv'), table); }, { force: true });
 */
export async function writeFolder(
  dir: string,
  fill: (tmpDir: string) => Promise<void>,
  options: WriteFolderOptions = {},
): Promise<string[]> {
  const cleaned = await cleanStaleTemps(dir);
  await checkOutputFolder(dir, options);
  const tmp = tempPathFor(dir);
  liveTemps.add(tmp);
  try {
    await mkdir(tmp, { mode: 0o777 }).catch((e: unknown) => {
      throw ioError(dir, e);
    });
    await fill(tmp);
    await publishFolder(tmp, dir, options);
  } finally {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
    liveTemps.delete(tmp);
  }
  return cleaned;
}

async function publishFolder(tmp: string, dir: string, options: WriteFolderOptions): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      // onto a missing or empty folder, rename is atomic and fails when a non-empty one is there
      await rename(tmp, dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EISDIR') throw ioError(dir, e);
    }
    if (!options.force)
      throw new ForgetscopeError(
        'usage',
        `${dir} already exists; another run wrote it meanwhile — pass --force (force: true) to replace it`,
        { file: dir },
      );
    await checkOutputFolder(dir, options);
    const old = tempPathFor(dir, 'old');
    liveTemps.add(old);
    try {
      await rename(dir, old);
    } catch (e) {
      liveTemps.delete(old);
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // another replace moved it: try again
      throw ioError(dir, e);
    }
    liveTemps.delete(old); // from here on the old folder is the user's data: never removed on a signal
    try {
      await rename(tmp, dir);
    } catch (e) {
      await rename(old, dir).catch(() => {});
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') continue;
      throw ioError(dir, e);
    }
    await rm(old, { recursive: true, force: true });
    return;
  }
  throw new ForgetscopeError('io', 'other runs keep replacing this folder; try again', { file: dir });
}
