import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ForgetscopeError } from '../../util/errors.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { LongTableBuilder } from '../long/LongTableBuilder.js';
import { StringInterner } from '../long/StringInterner.js';
import { locateLongColumns } from '../long/locateColumns.js';
import { resolveColumns } from '../resolveColumns.js';
import type { ReadOptions, ReadReport } from '../types.js';
import { MAX_ROWS_PER_BYTE, quoteText } from '../limits.js';
import { FlatColumnCursor, FlatPathUnsupported, type FlatColumnKind, flatColumnSupported } from './flatColumn.js';

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
 * Flat columns (what pyarrow writes) take a fast path (`FlatColumnCursor`) that decodes pages into typed
 * arrays; other files, or a page it does not decode, go to hyparquet's generic reader. Same result either way.
 */
export async function readParquetLongTable(
  source: ParquetSource,
  options: ReadOptions & { file: string },
): Promise<{ matrix: ForgettingMatrix; report: ReadReport }> {
  return readParquetWith(source, options, 'auto');
}

/**
 * `readParquetLongTable` with the decoder chosen: `auto` (the flat fast path where it applies, else
 * the generic reader), `flat` (fast path only: throws where it does not apply) or `generic`. Tests
 * compare the two paths through it.
 */
export async function readParquetWith(
  source: ParquetSource,
  options: ReadOptions & { file: string },
  path: 'auto' | 'flat' | 'generic',
): Promise<{ matrix: ForgettingMatrix; report: ReadReport }> {
  const file = options.file;
  if (source.byteLength === 0)
    throw new ForgetscopeError('empty', 'the file is empty (expected Parquet data)', { file });
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(source);
  } catch (e) {
    throw parquetError(e, file);
  }
  const header = metadata.schema.slice(1).map((s) => s.name);
  const names = resolveColumns(options.columns);
  const cols = locateLongColumns(header, names, { file, line: 1 });
  const totalRows = Number(metadata.num_rows);
  if (totalRows === 0) throw new ForgetscopeError('empty', 'the Parquet file holds no rows', { file });
  checkParquetBounds(metadata, source.byteLength, file);
  const parquet: OpenParquet = { source, metadata, header, cols, options };
  if (path === 'flat') {
    if (!flatPathApplies(metadata, header, cols))
      throw new FlatPathUnsupported('the flat fast path does not apply to these columns');
    return readFlat(parquet);
  }
  if (path === 'auto' && flatPathApplies(metadata, header, cols)) {
    try {
      return await readFlat(parquet);
    } catch (e) {
      // Anything the fast path does not decode (an encoding it leaves out, a page it finds corrupt) is
      // read again from the start by hyparquet's generic reader, which also words the error.
      if (e instanceof ForgetscopeError)
        throw e.file === undefined
          ? new ForgetscopeError(e.code, e.detail, {
              file,
              ...(e.line !== undefined ? { line: e.line } : {}),
              ...(e.column !== undefined ? { column: e.column } : {}),
            })
          : e;
    }
  }
  return readGeneric(parquet);
}

type Columns = ReturnType<typeof locateLongColumns>;

/** A Parquet file opened for reading: its bytes, metadata, column names and located long-table columns. */
interface OpenParquet {
  source: ParquetSource;
  metadata: FileMetaData;
  header: string[];
  cols: Columns;
  options: ReadOptions & { file: string };
}

/** The interners and builder one read fills. */
function newState(options: ReadOptions & { file: string }) {
  const tasks = new StringInterner();
  const examples = new StringInterner();
  const builder = new LongTableBuilder({
    file: options.file,
    unit: 'row',
    ...(options.duplicates ? { duplicates: options.duplicates } : {}),
    ...(options.dtype ? { dtype: options.dtype } : {}),
    describe: (t, e) => `task "${tasks.strings[t]}", example "${examples.strings[e]}"`,
  });
  return { tasks, examples, builder };
}

/** Row ranges of at most SLICE_ROWS rows, never crossing a row group. */
function rowSlices(metadata: FileMetaData): { group: number; start: number; end: number }[] {
  const slices: { group: number; start: number; end: number }[] = [];
  let rowStart = 0;
  metadata.row_groups.forEach((group, g) => {
    const groupEnd = rowStart + Number(group.num_rows);
    for (let s0 = rowStart; s0 < groupEnd; s0 += SLICE_ROWS)
      slices.push({ group: g, start: s0, end: Math.min(groupEnd, s0 + SLICE_ROWS) });
    rowStart = groupEnd;
  });
  return slices;
}

/** Whether every column the read needs is one the flat fast path decodes (`flatColumnSupported`). */
function flatPathApplies(metadata: FileMetaData, header: string[], cols: Columns): boolean {
  const needed: [number, FlatColumnKind][] = [
    [cols.task, 'id'],
    [cols.example, 'id'],
    [cols.delta, 'number'],
    [cols.nllBefore, 'number'],
    [cols.delta >= 0 ? -1 : cols.nllAfter, 'number'],
    ...extraTextColumns(metadata, cols).map((k): [number, FlatColumnKind] => [k, 'id']),
  ];
  const leaves = metadata.schema.slice(1);
  if (leaves.some((el) => el.num_children)) return false;
  for (const group of metadata.row_groups) {
    for (const [k, kind] of needed) {
      if (k < 0) continue;
      const chunk = group.columns.find(
        (c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === header[k],
      );
      if (!chunk?.meta_data || chunk.file_path) return false;
      if (!flatColumnSupported(leaves[k]!, chunk.meta_data, kind)) return false;
    }
  }
  return true;
}

/**
 * The flat fast path: reads each needed column chunk of a row group once and decodes its pages
 * directly into typed arrays (dictionary ids interned once per dictionary entry, definition levels as
 * null flags), skipping the generic Dremel assembly. Same rows, ids, order, report and errors as
 * `readGeneric`; throws `FlatPathUnsupported` for a page it does not decode.
 */
async function readFlat(parquet: OpenParquet): Promise<{ matrix: ForgettingMatrix; report: ReadReport }> {
  const { source, metadata, header, cols, options } = parquet;
  const file = options.file;
  const { tasks, examples, builder } = newState(options);
  const totalRows = Number(metadata.num_rows);
  const leaves = metadata.schema.slice(1);
  const afterCol = cols.delta >= 0 ? -1 : cols.nllAfter;
  const n0 = SLICE_ROWS;
  const tIds = new Int32Array(n0);
  const eIds = new Int32Array(n0);
  const tNull = new Uint8Array(n0);
  const eNull = new Uint8Array(n0);
  const bVal = new Float64Array(n0);
  const bNull = new Uint8Array(n0);
  const vVal = new Float64Array(n0);
  const vNull = new Uint8Array(n0);
  const tName = header[cols.task]!;
  const eName = header[cols.example]!;
  const bName = cols.nllBefore >= 0 ? header[cols.nllBefore]! : '';
  const vName = header[cols.delta >= 0 ? cols.delta : cols.nllAfter]!;
  const deltaMode = cols.delta >= 0;
  const nanAsMissing = options.nanAsMissing;
  let cursors: { t: FlatColumnCursor; e: FlatColumnCursor; b: FlatColumnCursor | null; v: FlatColumnCursor } | null =
    null;
  let cursorGroup = -1;
  const open = async (
    g: number,
    k: number,
    kind: FlatColumnKind,
    intern: (s: string) => number,
  ): Promise<FlatColumnCursor> => {
    const chunk = metadata.row_groups[g]!.columns.find((c) => c.meta_data?.path_in_schema[0] === header[k])!;
    const meta = chunk.meta_data!;
    const dataOffset = Number(meta.data_page_offset);
    const dictOffset = meta.dictionary_page_offset === undefined ? NaN : Number(meta.dictionary_page_offset);
    const start = dictOffset > 0 && dictOffset < dataOffset ? dictOffset : dataOffset;
    const end = start + Number(meta.total_compressed_size);
    if (end > source.byteLength)
      throw new ForgetscopeError(
        'truncated',
        `not a valid Parquet file (truncated or corrupt): column "${header[k]}" of row group ${g + 1} ends beyond the file`,
        { file },
      );
    const bytes = new Uint8Array(await source.slice(start, end));
    return new FlatColumnCursor(bytes, meta, leaves[k]!.repetition_type === 'OPTIONAL', kind, compressors, intern);
  };
  const internTask = (s: string) => tasks.intern(s);
  const internExample = (s: string) => examples.intern(s);
  // Extra text columns (metadata): each decoded as ids of its own interner.
  const extras = extraTextColumns(metadata, cols).map((k) => ({
    k,
    meta: builder.metaIndex(header[k]!),
    strings: new StringInterner(),
    ids: new Int32Array(n0),
    isNull: new Uint8Array(n0),
    cursor: null as FlatColumnCursor | null,
  }));
  for (const { group, start, end } of rowSlices(metadata)) {
    if (group !== cursorGroup) {
      cursors = {
        t: await open(group, cols.task, 'id', internTask),
        e: await open(group, cols.example, 'id', internExample),
        b: cols.nllBefore >= 0 ? await open(group, cols.nllBefore, 'number', internTask) : null,
        v: await open(group, deltaMode ? cols.delta : afterCol, 'number', internTask),
      };
      for (const x of extras) x.cursor = await open(group, x.k, 'id', (s) => x.strings.intern(s));
      cursorGroup = group;
    }
    const c = cursors!;
    const n = end - start;
    c.t.fill(n, tIds, tNull);
    c.e.fill(n, eIds, eNull);
    if (c.b) c.b.fill(n, bVal, bNull);
    c.v.fill(n, vVal, vNull);
    for (const x of extras) x.cursor!.fill(n, x.ids, x.isNull);
    builder.report.rows += n;
    for (let r = 0; r < n; r++) {
      const row = start + r + 1;
      if (tNull[r]) idValue(null, file, row, tName);
      const ti = tIds[r]!;
      if (tasks.strings[ti] === '') idValue('', file, row, tName);
      if (eNull[r]) idValue(null, file, row, eName);
      const ei = eIds[r]!;
      if (examples.strings[ei] === '') idValue('', file, row, eName);
      for (const x of extras) builder.meta(x.meta, ti, ei, x.isNull[r] ? null : x.strings.strings[x.ids[r]!]!);
      let b: number | null = null;
      if (c.b) {
        const x = bVal[r]!;
        b = bNull[r] ? null : x - x === 0 ? x : numValue(x, file, row, bName, nanAsMissing);
        if (b !== null) builder.setNllBefore(ei, b);
      }
      const x = vVal[r]!;
      const v = vNull[r] ? null : x - x === 0 ? x : numValue(x, file, row, vName, nanAsMissing);
      if (deltaMode) {
        if (v === null) {
          // NaN (with nanAsMissing) and null are counted apart, as in the other readers.
          builder.drop(`${vNull[r] ? 'null' : 'nan'} ${vName}`);
          continue;
        }
        builder.add(ti, ei, v, row);
      } else {
        if (v === null || b === null) {
          builder.drop(b === null ? `${bNull[r] ? 'null' : 'nan'} ${bName}` : `${vNull[r] ? 'null' : 'nan'} ${vName}`);
          continue;
        }
        builder.add(ti, ei, v - b, row);
      }
    }
    options.progress?.(end, totalRows, 'reading');
  }
  const matrix = builder.finish(tasks.strings, examples.strings);
  return { matrix, report: builder.report };
}

/** hyparquet's generic reader (any schema, encoding and nesting it supports), one slice of rows at a time. */
async function readGeneric(parquet: OpenParquet): Promise<{ matrix: ForgettingMatrix; report: ReadReport }> {
  const { source, metadata, header, cols, options } = parquet;
  const file = options.file;
  const extras = extraTextColumns(metadata, cols);
  const wanted = [cols.task, cols.example, cols.delta, cols.nllBefore, cols.nllAfter, ...extras]
    .filter((k) => k >= 0)
    .map((k) => header[k]!);
  const { tasks, examples, builder } = newState(options);
  const metaOf = extras.map((k) => builder.metaIndex(header[k]!));
  const totalRows = Number(metadata.num_rows);
  // Rows are read in slices of at most SLICE_ROWS inside each row group: hyparquet decodes only the
  // pages a slice touches, so the decoded JS arrays stay small even for pyarrow's 1Mi-row groups.
  for (const { start: sliceStart, end: rowEnd } of rowSlices(metadata)) {
    const rowStart = sliceStart;
    const chunks: Record<string, { start: number; data: ArrayLike<unknown> }[]> = {};
    try {
      await parquetRead({
        file: source,
        metadata,
        rowStart,
        rowEnd,
        columns: wanted,
        compressors,
        // Strings are decoded strictly: invalid UTF-8 is an error, never a U+FFFD that merges two ids.
        parsers: { stringFromBytes: strictString },
        onChunk: (chunk) => {
          // Chunks may extend beyond the requested rows; keep where each one starts.
          (chunks[chunk.columnName] ??= []).push({
            start: chunk.rowStart,
            data: chunk.columnData as ArrayLike<unknown>,
          });
        },
      });
    } catch (e) {
      throw parquetError(e, file);
    }
    const get = (k: number): ArrayLike<unknown> => {
      const out = sliceRows(chunks[header[k]!] ?? [], rowStart, rowEnd);
      if (!out)
        throw new ForgetscopeError(
          'truncated',
          `column "${header[k]}" at rows ${rowStart + 1}–${rowEnd} could not be read completely`,
          { file, line: rowStart + 1 },
        );
      return out;
    };
    const t = get(cols.task);
    const e = get(cols.example);
    const delta = cols.delta >= 0 ? get(cols.delta) : null;
    const before = cols.nllBefore >= 0 ? get(cols.nllBefore) : null;
    const after = cols.delta < 0 ? get(cols.nllAfter) : null;
    const extraValues = extras.map((k) => get(k));
    const n = rowEnd - rowStart;
    for (let r = 0; r < n; r++) {
      const row = rowStart + r + 1;
      builder.report.rows++;
      const ti = tasks.intern(idValue(t[r], file, row, header[cols.task]!));
      const ei = examples.intern(idValue(e[r], file, row, header[cols.example]!));
      for (let x = 0; x < extras.length; x++) {
        const v = extraValues[x]![r];
        builder.meta(
          metaOf[x]!,
          ti,
          ei,
          v === null || v === undefined ? null : v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v),
        );
      }
      const b = before ? numValue(before[r], file, row, header[cols.nllBefore]!, options.nanAsMissing) : null;
      if (b !== null) builder.setNllBefore(ei, b);
      let value: number;
      if (delta) {
        const v = numValue(delta[r], file, row, header[cols.delta]!, options.nanAsMissing);
        if (v === null) {
          builder.drop(`${delta[r] === null || delta[r] === undefined ? 'null' : 'nan'} ${header[cols.delta]}`);
          continue;
        }
        value = v;
      } else {
        const a = numValue(after![r], file, row, header[cols.nllAfter]!, options.nanAsMissing);
        if (a === null || b === null) {
          const k = b === null ? cols.nllBefore : cols.nllAfter;
          const raw = b === null ? before![r] : after![r];
          builder.drop(`${raw === null || raw === undefined ? 'null' : 'nan'} ${header[k]}`);
          continue;
        }
        value = a - b;
      }
      builder.add(ti, ei, value, row);
    }
    options.progress?.(rowEnd, totalRows, 'reading');
  }
  const matrix = builder.finish(tasks.strings, examples.strings);
  return { matrix, report: builder.report };
}

const SLICE_ROWS = 1 << 17;

/** Leaf columns that are text (BYTE_ARRAY) and not one of the long-table columns: metadata candidates. */
function extraTextColumns(metadata: FileMetaData, cols: Columns): number[] {
  const used = new Set([cols.task, cols.example, cols.delta, cols.nllBefore, cols.nllAfter]);
  const out: number[] = [];
  // Nested schemas (groups) are left out: leaf positions there are not header positions.
  if (metadata.schema.slice(1).some((el) => el.num_children)) return out;
  metadata.schema.slice(1).forEach((el, k) => {
    if (!used.has(k) && !el.num_children && el.type === 'BYTE_ARRAY' && el.repetition_type !== 'REPEATED') out.push(k);
  });
  return out;
}

/** The values of rows [start, end) from a column's chunks, or null when they do not cover it. */
function sliceRows(
  chunks: { start: number; data: ArrayLike<unknown> }[],
  start: number,
  end: number,
): ArrayLike<unknown> | null {
  for (const c of chunks) {
    if (c.start <= start && c.start + c.data.length >= end) {
      if (c.start === start && c.data.length === end - start) return c.data;
      const from = start - c.start;
      const d = c.data as unknown as {
        subarray?: (a: number, b: number) => ArrayLike<unknown>;
        slice: (a: number, b: number) => ArrayLike<unknown>;
      };
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
  if (v instanceof Uint8Array) {
    try {
      v = strictUtf8.decode(v);
    } catch {
      throw new ForgetscopeError('parse', `the ${name} id is not valid UTF-8`, { file, line: row, column: name });
    }
  }
  if (typeof v === 'string') {
    if (v === '') throw new ForgetscopeError('parse', `empty ${name} id`, { file, line: row, column: name });
    return v;
  }
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined)
    throw new ForgetscopeError('parse', `null ${name} id`, { file, line: row, column: name });
  throw new ForgetscopeError('dtype', `column "${name}" holds ${typeof v} values; ids must be strings or integers`, {
    file,
    line: row,
    column: name,
  });
}

function numValue(
  v: unknown,
  file: string,
  row: number,
  name: string,
  nanAsMissing: boolean | undefined,
): number | null {
  if (v === null || v === undefined) return null;
  let x: number;
  if (typeof v === 'number') x = v;
  else if (typeof v === 'bigint') x = Number(v);
  else
    throw new ForgetscopeError('dtype', `column "${name}" holds ${typeof v} values; expected numbers`, {
      file,
      line: row,
      column: name,
    });
  if (!Number.isFinite(x)) {
    if (Number.isNaN(x) && nanAsMissing) return null;
    throw new ForgetscopeError(
      'parse',
      `column "${name}": ${String(x)} is not a finite number${Number.isNaN(x) ? ' (pass nanAsMissing to treat NaN as missing)' : ''}`,
      { file, line: row, column: name },
    );
  }
  return x;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** hyparquet's string parser, strict: invalid UTF-8 is a `parse` error (the caller adds the file). */
function strictString(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes) return bytes;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new ForgetscopeError(
      'parse',
      `a string value is not valid UTF-8 (${quoteText(new TextDecoder().decode(bytes), 60)})`,
    );
  }
}

/**
 * Checks the counts of the footer against the file before anything is read: the row groups add up to
 * num_rows, no more rows than `MAX_ROWS_PER_BYTE` per byte of the file, and every column chunk lies
 * inside the file. A 1 KB file claiming 10^15 rows is a corrupt file, not an allocation.
 */
function checkParquetBounds(metadata: FileMetaData, size: number, file: string): void {
  const totalRows = Number(metadata.num_rows);
  const corrupt = (what: string) =>
    new ForgetscopeError('parse', `not a valid Parquet file (corrupt): ${what}`, { file });
  if (!Number.isSafeInteger(totalRows) || totalRows < 0) throw corrupt(`num_rows is ${String(metadata.num_rows)}`);
  if (totalRows > size * MAX_ROWS_PER_BYTE)
    throw corrupt(`the footer claims ${totalRows} rows in a file of ${size} bytes`);
  let sum = 0;
  metadata.row_groups.forEach((group, g) => {
    const rows = Number(group.num_rows);
    if (!Number.isSafeInteger(rows) || rows < 0)
      throw corrupt(`row group ${g + 1} claims ${String(group.num_rows)} rows`);
    sum += rows;
    for (const c of group.columns) {
      const meta = c.meta_data;
      if (!meta) continue;
      const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
      const data = Number(meta.data_page_offset);
      const length = Number(meta.total_compressed_size);
      const first = Math.min(start > 0 ? start : data, data);
      if (!(first >= 0 && length >= 0 && first + length <= size)) {
        throw new ForgetscopeError(
          'truncated',
          `not a valid Parquet file (truncated or corrupt): column "${meta.path_in_schema.join('.')}" of row group ${g + 1} (bytes ${first}–${first + length}) lies outside the file of ${size} bytes`,
          { file },
        );
      }
      if (Number(meta.num_values) > size * MAX_ROWS_PER_BYTE)
        throw corrupt(
          `column "${meta.path_in_schema.join('.')}" of row group ${g + 1} claims ${String(meta.num_values)} values`,
        );
    }
  });
  if (sum !== totalRows) throw corrupt(`the row groups hold ${sum} rows but the footer says ${totalRows}`);
}

function parquetError(e: unknown, file: string): ForgetscopeError {
  if (e instanceof ForgetscopeError) return e.file === undefined ? new ForgetscopeError(e.code, e.detail, { file }) : e;
  const msg = e instanceof Error ? e.message : String(e);
  const truncated = /footer|too short|exceeds|out of bounds|offset|length|end of/i.test(msg) || e instanceof RangeError;
  return new ForgetscopeError(
    truncated ? 'truncated' : 'parse',
    `not a valid Parquet file (${truncated ? 'truncated or ' : ''}corrupt): ${msg}`,
    { file },
  );
}
