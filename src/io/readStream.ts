import { RecordBatchReader } from 'apache-arrow';
import { ForgetscopeError } from '../util/errors.js';
import { checkArrowComplete, guardArrow, readArrowBatches } from './arrow/readArrow.js';
import { formatFromBytes, formatFromName } from './detect.js';
import { readForgettingMatrixFromBytes } from './readBytes.js';
import { dispatchFormat, textFormatReaders } from './dispatchFormat.js';
import type { ReadOptions, ReadResult } from './types.js';

/** A stream of bytes: a Node readable, a web `ReadableStream` (async-iterable in Node ≥ 18), or any async iterable. */
export type ByteStream = AsyncIterable<Uint8Array>;

/**
 * Reads a matrix from a byte stream (stdin, an HTTP body, …). CSV, TSV, JSON Lines and Arrow IPC
 * streams are parsed as the bytes arrive; formats that need random access (Parquet, Arrow IPC file,
 * npy) are collected first. The format comes from `options.format`, `options.fileName`, or the first
 * chunk's bytes.
 */
export async function readForgettingMatrixFromStream(
  stream: ByteStream,
  options: ReadOptions = {},
): Promise<ReadResult> {
  const file = options.fileName ?? '<stream>';
  const it = stream[Symbol.asyncIterator]();
  let first = await it.next();
  while (!first.done && first.value.length === 0) first = await it.next();
  if (first.done) throw new ForgetscopeError('empty', 'the input is empty', { file, line: 1, column: 1 });
  const head = first.value;
  const rest: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      yield head;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    },
  };
  const format =
    options.format ?? (options.fileName ? formatFromName(options.fileName) : null) ?? formatFromBytes(head);
  const base = { ...options, file };
  return dispatchFormat(
    format,
    {
      ...textFormatReaders(() => rest, base),
      'arrow-stream': async () => {
        // Remember the last bytes so that a stream cut short (no end-of-stream marker) is an error, not
        // a smaller matrix.
        let tail = new Uint8Array(0);
        const tracked: AsyncIterable<Uint8Array> = {
          async *[Symbol.asyncIterator]() {
            for await (const chunk of rest) {
              // the last (at most) 8 bytes of tail + chunk
              const joined = new Uint8Array(Math.min(8, tail.length + chunk.length));
              const fromChunk = Math.min(joined.length, chunk.length);
              joined.set(tail.subarray(tail.length - (joined.length - fromChunk)), 0);
              joined.set(chunk.subarray(chunk.length - fromChunk), joined.length - fromChunk);
              tail = joined;
              yield chunk;
            }
          },
        };
        async function* checked() {
          yield* guardArrow(() => RecordBatchReader.from(tracked) as unknown as Promise<RecordBatchReader>, file);
          checkArrowComplete(tail, file);
        }
        return readArrowBatches(checked(), base);
      },
      folder: async () => {
        throw new ForgetscopeError('usage', 'a dataset folder cannot be read from a stream', { file });
      },
    },
    {
      file,
      source: file,
      empty: 'the input is empty',
      // Formats that need random access (Parquet, Arrow IPC file, npy): collect the bytes first.
      fallback: async (format) => {
        const parts: Uint8Array[] = [];
        let size = 0;
        for await (const chunk of rest) {
          parts.push(chunk);
          size += chunk.length;
        }
        const bytes = new Uint8Array(size);
        let o = 0;
        for (const p of parts) {
          bytes.set(p, o);
          o += p.length;
        }
        return readForgettingMatrixFromBytes(bytes, { ...options, fileName: file, format });
      },
    },
  );
}
