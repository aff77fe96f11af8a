import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ForgetscopeError } from '../../util/errors.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { LongTableBuilder } from '../long/LongTableBuilder.js';
import { StringInterner } from '../long/StringInterner.js';
import { locateLongColumns } from '../long/locateColumns.js';
import { resolveColumns } from '../resolveColumns.js';
import type { ReadOptions, ReadReport } from '../types.js';

/** A Parquet file as random-access bytes (hyparquet's AsyncBuffer): the Node reader passes a file handle. */
export type ParquetSource = AsyncBuffer;

/** An in-memory `ParquetSource`. */
export function parquetSourceFromBytes(bytes: Uint8Array): ParquetSource {
  return {
    byteLength: bytes.byteLength,
    slice: (start, end) => bytes.slice(start, end ?? bytes.byteLength).buffer as ArrayBuffer,
  };
}

/**
 * Reads a long table from Parquet (hyparquet, with hyparquet-compressors for zstd, gzip, brotli, lz4;
 * snappy is built in) one row group (or a slice of 131,072 rows of it) at a time, so memory is bounded by the
 * output matrix plus one slice. Ids may be strings or integers; values floats or integers; null values are dropped rows.
 */
export async function readParquetLongTable(source: ParquetSource, options: ReadOptions & { file: string }): Promise<{ matrix: ForgettingMatrix; report: ReadReport }> {
  const file = options.file;
  if (source.byteLength === 0) throw new ForgetscopeError('empty', 'the file is empty (expected Parquet data)', { file });
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(source);
  } catch (e) {
    throw parquetError(e, file);
  }
  const header = metadata.schema.slice(1).map((s) => s.name);
  const names = resolveColumns(options.columns);
  const cols = locateLongColumns(header, names, { file, line: 1 });
  const wanted = [cols.task, cols.example, cols.delta, cols.nllBefore, cols.nllAfter].filter((k) => k >= 0).map((k) => header[k]!);
  const tasks = new StringInterner();
  const examples = new StringInterner();
  const builder = new LongTableBuilder({
    file,
    unit: 'row',
    ...(options.duplicates ? { duplicates: options.duplicates } : {}),
    ...(options.dtype ? { dtype: options.dtype } : {}),
    describe: (t, e) => `task "${tasks.strings[t]}", example "${examples.strings[e]}"`,
  });
  const totalRows = Number(metadata.num_rows);
  if (totalRows === 0) throw new ForgetscopeError('empty', 'the Parquet file holds no rows', { file });
  let rowStart = 0;
  // Rows are read in slices of at most SLICE_ROWS inside each row group: hyparquet decodes only the
  // pages a slice touches, so the decoded JS arrays stay small even for pyarrow's 1Mi-row groups.
  const slices: [number, number][] = [];
  for (const group of metadata.row_groups) {
    const groupEnd = rowStart + Number(group.num_rows);
    for (let s0 = rowStart; s0 < groupEnd; s0 += SLICE_ROWS) slices.push([s0, Math.min(groupEnd, s0 + SLICE_ROWS)]);
    rowStart = groupEnd;
  }
  for (const [sliceStart, rowEnd] of slices) {
    rowStart = sliceStart;
    const chunks: Record<string, { start: number; data: ArrayLike<unknown> }[]> = {};
    try {
      await parquetRead({
        file: source,
        metadata,
        rowStart,
        rowEnd,
        columns: wanted,
        compressors,
        onChunk: (chunk) => {
          // Chunks may extend beyond the requested rows; keep where each one starts.
          (chunks[chunk.columnName] ??= []).push({ start: chunk.rowStart, data: chunk.columnData as ArrayLike<unknown> });
        },
      });
    } catch (e) {
      throw parquetError(e, file);
    }
    const get = (k: number): ArrayLike<unknown> => {
      const out = sliceRows(chunks[header[k]!] ?? [], rowStart, rowEnd);
      if (!out) throw new ForgetscopeError('truncated', `column "${header[k]}" at rows ${rowStart + 1}–${rowEnd} could not be read completely`, { file, line: rowStart + 1 });
      return out;
    };
    const t = get(cols.task);
    const e = get(cols.example);
    const delta = cols.delta >= 0 ? get(cols.delta) : null;
    const before = cols.nllBefore >= 0 ? get(cols.nllBefore) : null;
    const after = cols.delta < 0 ? get(cols.nllAfter) : null;
    const n = rowEnd - rowStart;
    for (let r = 0; r < n; r++) {
      const row = rowStart + r + 1;
      builder.report.rows++;
      const ti = tasks.intern(idValue(t[r], file, row, header[cols.task]!));
      const ei = examples.intern(idValue(e[r], file, row, header[cols.example]!));
      const b = before ? numValue(before[r], file, row, header[cols.nllBefore]!, options.nanAsMissing) : null;
      if (b !== null) builder.setNllBefore(ei, b);
      let value: number;
      if (delta) {
        const v = numValue(delta[r], file, row, header[cols.delta]!, options.nanAsMissing);
        if (v === null) {
          builder.drop(`null ${header[cols.delta]}`);
          continue;
        }
        value = v;
      } else {
        const a = numValue(after![r], file, row, header[cols.nllAfter]!, options.nanAsMissing);
        if (a === null || b === null) {
          builder.drop(`null ${b === null ? header[cols.nllBefore] : header[cols.nllAfter]}`);
          continue;
        }
        value = a - b;
      }
      builder.add(ti, ei, value, row);
    }
    rowStart = rowEnd;
    options.progress?.(rowStart, totalRows, 'reading');
  }
  const matrix = builder.finish(tasks.strings, examples.strings);
  return { matrix, report: builder.report };
}

const SLICE_ROWS = 1 << 17;

/** The values of rows [start, end) from a column's chunks, or null when they do not cover it. */
function sliceRows(chunks: { start: number; data: ArrayLike<unknown> }[], start: number, end: number): ArrayLike<unknown> | null {
  for (const c of chunks) {
    if (c.start <= start && c.start + c.data.length >= end) {
      if (c.start === start && c.data.length === end - start) return c.data;
      const from = start - c.start;
      const d = c.data as unknown as { subarray?: (a: number, b: number) => ArrayLike<unknown>; slice: (a: number, b: number) => ArrayLike<unknown> };
      return d.subarray ? d.subarray(from, from + end - start) : d.slice(from, from + end - start);
    }
  }
  const out: unknown[] = new Array(end - start);
  let filled = 0;
  for (const c of chunks) {
    for (let r = Math.max(start, c.start); r < Math.min(end, c.start + c.data.length); r++) {
      out[r - start] = c.data[r - c.start];
      filled++;
    }
  }
  return filled === end - start ? out : null;
}

function idValue(v: unknown, file: string, row: number, name: string): string {
  if (typeof v === 'string') {
    if (v === '') throw new ForgetscopeError('parse', `empty ${name} id`, { file, line: row, column: name });
    return v;
  }
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) throw new ForgetscopeError('parse', `null ${name} id`, { file, line: row, column: name });
  throw new ForgetscopeError('dtype', `column "${name}" holds ${typeof v} values; ids must be strings or integers`, { file, line: row, column: name });
}

function numValue(v: unknown, file: string, row: number, name: string, nanAsMissing: boolean | undefined): number | null {
  if (v === null || v === undefined) return null;
  let x: number;
  if (typeof v === 'number') x = v;
  else if (typeof v === 'bigint') x = Number(v);
  else throw new ForgetscopeError('dtype', `column "${name}" holds ${typeof v} values; expected numbers`, { file, line: row, column: name });
  if (!Number.isFinite(x)) {
    if (Number.isNaN(x) && nanAsMissing) return null;
    throw new ForgetscopeError('parse', `column "${name}": ${String(x)} is not a finite number${Number.isNaN(x) ? ' (pass nanAsMissing to treat NaN as missing)' : ''}`, { file, line: row, column: name });
  }
  return x;
}

function parquetError(e: unknown, file: string): ForgetscopeError {
  if (e instanceof ForgetscopeError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const truncated = /footer|too short|exceeds|out of bounds|offset|length|end of/i.test(msg) || e instanceof RangeError;
  return new ForgetscopeError(truncated ? 'truncated' : 'parse', `not a valid Parquet file (${truncated ? 'truncated or ' : ''}corrupt): ${msg}`, { file });
}
