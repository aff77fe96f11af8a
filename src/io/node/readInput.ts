import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordBatchReader } from 'apache-arrow';
import { ForgetscopeError } from '../../util/errors.js';
import { DelimitedLongTableParser } from '../csv/readDelimited.js';
import { checkArrowComplete, guardArrow, readArrowBatches } from '../arrow/readArrow.js';
import { readParquetLongTable, type ParquetSource } from '../parquet/readParquet.js';
import { parseNpy } from '../npy/parseNpy.js';
import { matrixFromNpy } from '../npy/matrixFromNpy.js';
import { readDataset } from '../dataset/readDataset.js';
import { formatFromBytes, formatFromName } from '../detect.js';
import { readForgettingMatrixFromBytes } from '../readBytes.js';
import { readForgettingMatrixFromStream, type ByteStream } from '../readStream.js';
import { delimiterOf, dispatchFormat, textFormatReaders } from '../dispatchFormat.js';
import type { LongReadOptions } from '../long/sideColumns.js';
import type { InputFormat, ReadOptions } from '../types.js';
import type { ReadResult } from './readTypes.js';
import { readFolderSide } from './readFolderSide.js';
import { readIdList } from './readIdList.js';
import { npySidecarPaths } from './writeTable.js';
import { openRegularFile, readRegularFile } from './openRegularFile.js';

const CHUNK = 4 << 20;
/** Delimited files at least this large are read in two passes (ids, then values) to bound memory. */
const TWO_PASS_BYTES = 64 << 20;

/**
 * Reads a forgetting matrix from a path (file or dataset folder), bytes or a byte stream (`'-'` =
 * stdin): the format switch behind `readForgettingMatrix` and `readSideMatrices`. The side matrices
 * named in `side` are read with the matrix, in the same pass: a dataset folder's `side/<name>.npy`, a
 * long table's numeric columns `<name>`. Bytes, stdin and a dense `.npy` have none (a usage error).
 */
export async function readInput(
  input: string | Uint8Array | ByteStream,
  options: ReadOptions = {},
  side: readonly string[] = [],
): Promise<ReadResult> {
  if (side.length > 0 && (typeof input !== 'string' || input === '-'))
    throw new ForgetscopeError(
      'usage',
      'side matrices are read from a file or a dataset folder, not from bytes or stdin',
    );
  if (input instanceof Uint8Array) return readForgettingMatrixFromBytes(input, options);
  if (typeof input !== 'string') return readForgettingMatrixFromStream(input, options);
  if (input === '-') return readForgettingMatrixFromStream(process.stdin, { fileName: '<stdin>', ...options });
  const path = input;
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new ForgetscopeError(
      e.code === 'ENOENT' ? 'usage' : 'io',
      e.code === 'ENOENT' ? 'no such file or folder' : `cannot read: ${e.message}`,
      { file: path },
    );
  });
  if (info.isDirectory()) {
    if (options.format !== undefined && options.format !== 'folder') {
      throw new ForgetscopeError(
        'usage',
        `format "${options.format}" needs a file, but this is a folder (a dataset folder is read without a format, or with format "folder")`,
        { file: path },
      );
    }
    return readFolder(path, options, side);
  }
  if (!info.isFile()) {
    // A device (/dev/zero), a FIFO or a socket would be read forever or block: only regular files are read.
    await openRegularFile(path);
  }
  const format = options.format ?? formatFromName(path) ?? (await sniff(path));
  const file = path;
  // Options of the long-table readers: the side columns are read in the same pass as the values.
  const long = { ...options, file, ...(side.length > 0 ? { side } : {}) };
  const text = textFormatReaders(() => fileChunks(path), { ...long, totalBytes: info.size });
  const progress = options.progress;
  const delimited = (format: 'csv' | 'tsv') => async () => {
    const twoPass = options.twoPass === true || ((options.twoPass ?? 'auto') === 'auto' && info.size >= TWO_PASS_BYTES);
    if (!twoPass) return text[format]();
    // Large file: count ids first, then fill the final matrix directly (bounded peak memory).
    const parser = new DelimitedLongTableParser({
      ...long,
      totalBytes: info.size,
      delimiter: delimiterOf(format, options),
      ...(progress ? { progress: (d, t) => progress(d, t, 'counting ids') } : {}),
    });
    parser.startFirstPass();
    for await (const chunk of fileChunks(path)) parser.push(chunk);
    parser.startSecondPass();
    parser.setProgress(options.progress);
    for await (const chunk of fileChunks(path)) parser.push(chunk);
    return parser.end();
  };
  const arrow = () => readArrowFile(path, info.size, long);
  const result = await dispatchFormat(
    format,
    {
      csv: delimited('csv'),
      tsv: delimited('tsv'),
      jsonl: text.jsonl,
      arrow,
      'arrow-stream': arrow,
      parquet: async () => {
        const { handle, size } = await openRegularFile(path);
        try {
          return await readParquetLongTable(fileSource(handle, size), long);
        } finally {
          await handle.close();
        }
      },
      npy: async () => {
        if (side.length > 0)
          throw new ForgetscopeError(
            'usage',
            'a dense .npy has no side columns: side matrices are read from a long table or a dataset folder (side/<name>.npy)',
            { file },
          );
        return readNpyFile(path, options);
      },
      folder: async () => {
        throw new ForgetscopeError('usage', 'format "folder" needs a folder path', { file });
      },
    },
    { file, source: path, empty: 'the file is empty' },
  );
  if (!result.side) return result;
  // Each side column of a long table is stored as float64, aligned with the matrix.
  const report = Object.fromEntries(
    result.side.map((s) => [
      s.name,
      { source: `${path} (column ${s.name})`, shape: [s.rows, s.cols], dtype: 'float64' },
    ]),
  );
  return { ...result, report: { ...result.report, side: report } };
}

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  // Checked on the open handle: the path may have been replaced by a device or a FIFO since stat().
  const { handle, size } = await openRegularFile(path);
  try {
    const stream = handle.createReadStream({
      highWaterMark: CHUNK,
      start: 0,
      end: Math.max(0, size - 1),
      autoClose: false,
    });
    if (size === 0) return;
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (e) {
    if (e instanceof ForgetscopeError) throw e;
    throw new ForgetscopeError('io', `cannot read: ${(e as Error).message}`, { file: path });
  } finally {
    await handle.close();
  }
}

async function sniff(path: string): Promise<InputFormat | null> {
  const { handle } = await openRegularFile(path);
  try {
    const head = new Uint8Array(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return formatFromBytes(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

function fileSource(handle: import('node:fs/promises').FileHandle, size: number): ParquetSource {
  return {
    byteLength: size,
    async slice(start: number, end?: number) {
      const stop = Math.min(end ?? size, size);
      const buf = new Uint8Array(Math.max(0, stop - start));
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await handle.read(buf, got, buf.length - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.buffer;
    },
  };
}

async function readArrowFile(path: string, size: number, options: LongReadOptions) {
  if (size === 0) throw new ForgetscopeError('empty', 'the file is empty (expected Arrow IPC data)', { file: path });
  const { handle } = await openRegularFile(path);
  try {
    // Check the head and tail for truncation before apache-arrow reads batch by batch.
    const head = new Uint8Array(Math.min(size, 8));
    await handle.read(head, 0, head.length, 0);
    const tail = new Uint8Array(Math.min(size, 16));
    await handle.read(tail, 0, tail.length, size - tail.length);
    const probe = new Uint8Array(head.length + tail.length);
    probe.set(head);
    probe.set(tail, head.length);
    if (size >= 24) checkArrowComplete(probe, path);
    else if (size < 24) {
      const all = await readRegularFile(path);
      checkArrowComplete(all, path);
    }
    const isFile = head[0] === 0x41;
    const batches = isFile
      ? guardArrow(() => RecordBatchReader.from(handle) as unknown as Promise<RecordBatchReader>, path)
      : guardArrow(
          () =>
            RecordBatchReader.from(
              handle.createReadStream({ highWaterMark: CHUNK, start: 0, autoClose: false }),
            ) as unknown as Promise<RecordBatchReader>,
          path,
        );
    return await readArrowBatches(batches, { ...options, byteLength: size });
  } finally {
    await handle.close();
  }
}

/** Ids of a dense .npy and the file they came from (an id list given, or the sidecar beside the array). */
async function loadIds(
  ids: string | readonly string[] | undefined,
  sidecar: string,
): Promise<{ ids?: readonly string[]; file?: string }> {
  if (typeof ids === 'string') return { ids: await readIdList(ids), file: ids };
  if (ids) return { ids };
  const exists = await stat(sidecar).then(
    () => true,
    () => false,
  );
  return exists ? { ids: await readIdList(sidecar), file: sidecar } : {};
}

async function readNpyFile(path: string, options: ReadOptions) {
  const bytes = await readRegularFile(path);
  const sidecars = npySidecarPaths(path);
  const { ids: taskIds, file: taskFile } = await loadIds(options.taskIds, sidecars.tasks);
  const { ids: exampleIds, file: exampleFile } = await loadIds(options.exampleIds, sidecars.examples);
  return matrixFromNpy(parseNpy(bytes, path), {
    file: path,
    idFiles: { ...(taskFile ? { tasks: taskFile } : {}), ...(exampleFile ? { examples: exampleFile } : {}) },
    ...(taskIds ? { taskIds } : {}),
    ...(exampleIds ? { exampleIds } : {}),
    ...(options.nanAsMissing ? { nanAsMissing: true } : {}),
    ...(options.dtype ? { dtype: options.dtype } : {}),
  });
}

async function readFolder(dir: string, options: ReadOptions, sideNames: readonly string[]): Promise<ReadResult> {
  const need = ['Z.npy', 'tasks.json', 'examples.jsonl'];
  for (const name of need) {
    const ok = await stat(join(dir, name)).then(
      () => true,
      () => false,
    );
    if (!ok) {
      throw new ForgetscopeError(
        'usage',
        `not a dataset folder: ${name} is missing (a folder needs ${need.join(', ')}; base_nll.npy is optional)`,
        { file: dir },
      );
    }
  }
  const baseNllPath = join(dir, 'base_nll.npy');
  const hasBase = await stat(baseNllPath).then(
    () => true,
    () => false,
  );
  const result = readDataset({
    z: await readRegularFile(join(dir, 'Z.npy')),
    tasksJson: await readRegularFile(join(dir, 'tasks.json')),
    examplesJsonl: await readRegularFile(join(dir, 'examples.jsonl')),
    ...(hasBase ? { baseNll: await readRegularFile(baseNllPath) } : {}),
    ...(options.limits?.maxJsonDepth !== undefined ? { maxJsonDepth: options.limits.maxJsonDepth } : {}),
    names: {
      z: join(dir, 'Z.npy'),
      tasks: join(dir, 'tasks.json'),
      examples: join(dir, 'examples.jsonl'),
      baseNll: baseNllPath,
    },
    ...(options.nanAsMissing ? { nanAsMissing: true } : {}),
    ...(options.dtype ? { dtype: options.dtype } : {}),
  });
  if (sideNames.length === 0) return { ...result, format: 'folder', source: dir };
  const got = await readFolderSide(dir, sideNames, result.matrix.rows, result.matrix.cols);
  return { ...result, report: { ...result.report, side: got.report }, side: got.side, format: 'folder', source: dir };
}
