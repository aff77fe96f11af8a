import { ForgetscopeError } from '../util/errors.js';
import { readDelimitedLongTable, type DelimitedReadOptions } from './csv/readDelimited.js';
import { readJsonLinesLongTable } from './long/readJsonLines.js';
import type { LongReadOptions, LongReadResult } from './long/sideColumns.js';
import type { InputFormat, ReadOptions, ReadResult } from './types.js';

/**
 * What a format's reader returns (the dispatcher adds the format and the source): the matrix, its
 * report and, for a long table asked for side columns, those side matrices.
 */
export type FormatRead = LongReadResult;

/**
 * The readers one kind of source (bytes, a stream, a file) offers, by format. A format without a
 * reader here is read by `fallback` (e.g. a stream collects its bytes); `folder` usually throws.
 */
export type FormatReaders = { [F in InputFormat]?: () => Promise<FormatRead> };

/**
 * The one format switch of the readers: resolves the format (`options.format`, else the name's
 * extension via `fromName`, else the content via `fromContent`), runs that format's reader and labels
 * the result. An empty input (no format) is an `empty` error naming `file`.
 */
export async function dispatchFormat(
  format: InputFormat | null,
  readers: FormatReaders,
  where: { file: string; source: string; empty: string; fallback?: (format: InputFormat) => Promise<ReadResult> },
): Promise<ReadResult & FormatRead> {
  if (format === null) throw new ForgetscopeError('empty', where.empty, { file: where.file, line: 1, column: 1 });
  const read = readers[format];
  if (!read) {
    if (where.fallback) return where.fallback(format);
    throw new ForgetscopeError('usage', `format "${format}" cannot be read here`, { file: where.file });
  }
  return { ...(await read()), format, source: where.source };
}

/** The delimiter of a delimited format: `options.delimiter`, else tab for tsv, comma for csv. */
export function delimiterOf(format: 'csv' | 'tsv', options: ReadOptions): string {
  return options.delimiter ?? (format === 'tsv' ? '\t' : ',');
}

/** Readers of the text formats (csv, tsv, jsonl) over a source of chunks. */
export function textFormatReaders(
  chunks: () => AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  base: LongReadOptions & { totalBytes?: number },
): Required<Pick<FormatReaders, 'csv' | 'tsv' | 'jsonl'>> {
  const delimited = (format: 'csv' | 'tsv') => () =>
    readDelimitedLongTable(chunks(), { ...base, delimiter: delimiterOf(format, base) } satisfies DelimitedReadOptions);
  return { csv: delimited('csv'), tsv: delimited('tsv'), jsonl: () => readJsonLinesLongTable(chunks(), base) };
}
