import {
  parquetMetadataAsync,
  parquetRead,
  type AsyncBuffer,
  type ColumnMetaData,
  type FileMetaData,
  type SchemaElement,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { itemAt } from '../../util/checked.js';
import { ForgetscopeError } from '../../util/errors.js';
import { isEmbeddingKey } from '../../matrix/exampleEmbedding.js';
import { startLongTable } from '../long/startLongTable.js';
import { StringInterner } from '../long/StringInterner.js';
import { locateLongColumns } from '../long/locateColumns.js';
import { sideValueError, locateSideColumns, sideResult } from '../long/sideColumns.js';
import type { LongReadOptions, LongReadResult } from '../long/sideColumns.js';
import { resolveColumns } from '../resolveColumns.js';
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
 * Side columns (`options.side`) are read with the row slice they are in.
 */
export async function readParquetLongTable(source: ParquetSource, options: LongReadOptions): Promise<LongReadResult> {
  return readParquetWith(source, options, 'auto');
}

/**
 * `readParquetLongTable` with the decoder chosen: `auto` (the flat fast path where it applies, else
 * the generic reader), `flat` (fast path only: throws where it does not apply) or `generic`. Tests
 * compare the two paths through it.
 */
export async function readParquetWith(
  source: ParquetSource,
  options: LongReadOptions,
  path: 'auto' | 'flat' | 'generic',
): Promise<LongReadResult> {
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
  const sideCols = locateSideColumns(header, options.side ?? [], { file, line: 1 });
  const totalRows = Number(metadata.num_rows);
  if (totalRows === 0) throw new ForgetscopeError('empty', 'the Parquet file holds no rows', { file });
  checkParquetBounds(metadata, source.byteLength, file);
  const parquet: OpenParquet = { source, metadata, header, cols, sideCols, options };
  if (path === 'flat') {
    if (!flatPathApplies(parquet)) throw new FlatPathUnsupported('the flat fast path does not apply to these columns');
    return readFlat(parquet);
  }
  if (path === 'auto' && flatPathApplies(parquet)) {
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
  /** Header positions of the side columns (`options.side`), in the order asked. */
  sideCols: number[];
  options: LongReadOptions;
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
function flatPathApplies({ metadata, header, cols, sideCols }: OpenParquet): boolean {
  const extra = extraColumns(metadata, header, cols, sideCols);
  const needed: [number, FlatColumnKind][] = [
    [cols.task, 'id'],
    [cols.example, 'id'],
    [cols.delta, 'number'],
    [cols.nllBefore, 'number'],
    [cols.delta >= 0 ? -1 : cols.nllAfter, 'number'],
    ...sideCols.map((k): [number, FlatColumnKind] => [k, 'number']),
    ...extra.text.map((k): [number, FlatColumnKind] => [k, 'id']),
    ...extra.embedding.map((k): [number, FlatColumnKind] => [k, 'number']),
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
      if (!flatColumnSupported(itemAt(leaves, k, 'column'), chunk.meta_data, kind)) return false;
    }
  }
  return true;
}

/** One column the flat path reads: its cursor in the current row group and one slice of decoded rows. */
interface FlatLane {
  k: number;
  name: string;
  cursor: FlatColumnCursor | null;
  /** Interned ids (`id` columns) or values (`number` columns) of the slice, and their null flags. */
  out: Int32Array | Float64Array;
  isNull: Uint8Array;
}

/**
 * The flat fast path: reads each needed column chunk of a row group once and decodes its pages
 * directly into typed arrays (dictionary ids interned once per dictionary entry, definition levels as
 * null flags), skipping the generic Dremel assembly. Same rows, ids, order, report and errors as
 * `readGeneric`; throws `FlatPathUnsupported` for a page it does not decode.
 */
async function readFlat(parquet: OpenParquet): Promise<LongReadResult> {
  const { source, metadata, header, cols, sideCols, options } = parquet;
  const file = options.file;
  const { tasks, examples, builder, cell, sideValues } = startLongTable(options, () => new StringInterner(), 'row');
  const totalRows = Number(metadata.num_rows);
  const leaves = metadata.schema.slice(1);
  const deltaMode = cols.delta >= 0;
  const nanAsMissing = options.nanAsMissing;
  const open = async (g: number, lane: FlatLane, kind: FlatColumnKind, intern: (s: string) => number) => {
    const meta = columnChunk(metadata, g, lane.name);
    const dataOffset = Number(meta.data_page_offset);
    const dictOffset = meta.dictionary_page_offset === undefined ? NaN : Number(meta.dictionary_page_offset);
    const start = dictOffset > 0 && dictOffset < dataOffset ? dictOffset : dataOffset;
    const end = start + Number(meta.total_compressed_size);
    if (end > source.byteLength)
      throw new ForgetscopeError(
        'truncated',
        `not a valid Parquet file (truncated or corrupt): column "${lane.name}" of row group ${g + 1} ends beyond the file`,
        { file },
      );
    const bytes = new Uint8Array(await source.slice(start, end));
    const optional = itemAt(leaves, lane.k, 'column').repetition_type === 'OPTIONAL';
    lane.cursor = new FlatColumnCursor(bytes, meta, optional, kind, compressors, intern);
  };
  const lane = (k: number, kind: FlatColumnKind): FlatLane => ({
    k,
    name: itemAt(header, k, 'column'),
    cursor: null,
    out: kind === 'id' ? new Int32Array(SLICE_ROWS) : new Float64Array(SLICE_ROWS),
    isNull: new Uint8Array(SLICE_ROWS),
  });
  const t = lane(cols.task, 'id');
  const e = lane(cols.example, 'id');
  const b = cols.nllBefore >= 0 ? lane(cols.nllBefore, 'number') : null;
  const v = lane(deltaMode ? cols.delta : cols.nllAfter, 'number');
  const sides = sideCols.map((k) => lane(k, 'number'));
  // Extra text columns (metadata): each decoded as ids of its own interner.
  const extra = extraColumns(metadata, header, cols, sideCols);
  const extras = extra.text.map((k) => ({
    ...lane(k, 'id'),
    meta: builder.metaIndex(itemAt(header, k, 'column')),
    strings: new StringInterner(),
  }));
  // string columns are text by their type, even when every value looks like a number
  for (const x of extras) builder.metaIsText(x.meta);
  for (const w of extra.warnings) (builder.report.warnings ??= []).push(w);
  // Numeric embedding columns (`embedding.<i>`): example metadata holding numbers.
  const embeddings = extra.embedding.map((k) => ({
    ...lane(k, 'number'),
    meta: builder.metaIndex(itemAt(header, k, 'column')),
  }));
  const numbers = [...(b ? [b] : []), v, ...sides, ...embeddings];
  const internTask = (s: string) => tasks.intern(s);
  let cursorGroup = -1;
  for (const { group, start, end } of rowSlices(metadata)) {
    if (group !== cursorGroup) {
      await open(group, t, 'id', internTask);
      await open(group, e, 'id', (s) => examples.intern(s));
      for (const x of numbers) await open(group, x, 'number', internTask);
      for (const x of extras) await open(group, x, 'id', (s) => x.strings.intern(s));
      cursorGroup = group;
    }
    const n = end - start;
    for (const x of [t, e, ...numbers, ...extras]) x.cursor?.fill(n, x.out, x.isNull);
    builder.report.rows += n;
    for (let r = 0; r < n; r++) {
      const row = start + r + 1;
      const ti = flatId(t, r, tasks, file, row);
      const ei = flatId(e, r, examples, file, row);
      for (const x of extras) builder.meta(x.meta, ti, ei, x.isNull[r] ? null : flatText(x, r, x.strings));
      for (const x of embeddings) if (!x.isNull[r]) builder.metaNumber(x.meta, ti, ei, itemAt(x.out, r, 'row'));
      const before = b ? flatNumber(b, r, file, row, nanAsMissing) : null;
      if (before !== null) builder.setNllBefore(ei, before);
      const value = flatNumber(v, r, file, row, nanAsMissing);
      if (value === null || (!deltaMode && before === null)) {
        // NaN (with nanAsMissing) and null are counted apart, as in the other readers.
        const x = !deltaMode && before === null && b ? b : v;
        builder.drop(`${x.isNull[r] ? 'null' : 'nan'} ${x.name}`);
        continue;
      }
      for (let k = 0; k < sides.length; k++) {
        const x = itemAt(sides, k, 'side column');
        const raw = x.isNull[r] ? null : itemAt(x.out, r, 'row');
        if (raw === null || raw - raw !== 0)
          throw sideValueError(raw, x.name, cell(ti, ei), { file, line: row, column: x.name });
        sideValues[k] = raw;
      }
      builder.add(ti, ei, deltaMode || before === null ? value : value - before, row, sideValues);
    }
    options.progress?.(end, totalRows, 'reading');
  }
  const matrix = builder.finish(tasks.strings, examples.strings);
  return { matrix, report: builder.report, ...sideResult(builder, options.side, matrix) };
}

/** Id of row r of a flat id column: interned, or an error for a null or empty id. */
function flatId(lane: FlatLane, r: number, interner: StringInterner, file: string, row: number): number {
  if (lane.isNull[r]) idValue(null, file, row, lane.name);
  const id = itemAt(lane.out, r, 'row');
  if (itemAt(interner.strings, id, 'id') === '') idValue('', file, row, lane.name);
  return id;
}

/** Text of row r (not null) of a flat text column, whose ids index `strings`. */
function flatText(lane: FlatLane, r: number, strings: StringInterner): string {
  return itemAt(strings.strings, itemAt(lane.out, r, 'row'), 'id');
}

/** Value of row r of a flat number column: null when null or (with nanAsMissing) NaN. */
function flatNumber(lane: FlatLane, r: number, file: string, row: number, nanAsMissing?: boolean): number | null {
  if (lane.isNull[r]) return null;
  const x = itemAt(lane.out, r, 'row');
  return x - x === 0 ? x : numValue(x, file, row, lane.name, nanAsMissing);
}

/** The metadata of the chunk of column `name` in row group g (an `internal` error when it has none). */
function columnChunk(metadata: FileMetaData, g: number, name: string): ColumnMetaData {
  const group = itemAt(metadata.row_groups, g, 'row group');
  const chunk = group.columns.find((c) => c.meta_data?.path_in_schema[0] === name);
  if (!chunk?.meta_data) throw new ForgetscopeError('internal', `column "${name}" has no chunk in row group ${g + 1}`);
  return chunk.meta_data;
}

/** hyparquet's generic reader (any schema, encoding and nesting it supports), one slice of rows at a time. */
async function readGeneric(parquet: OpenParquet): Promise<LongReadResult> {
  const { source, metadata, header, cols, sideCols, options } = parquet;
  const file = options.file;
  const extra = extraColumns(metadata, header, cols, sideCols);
  const extras = extra.text;
  const embeddingCols = extra.embedding;
  const name = (k: number) => itemAt(header, k, 'column');
  const wanted = [
    cols.task,
    cols.example,
    cols.delta,
    cols.nllBefore,
    cols.nllAfter,
    ...sideCols,
    ...extras,
    ...embeddingCols,
  ]
    .filter((k) => k >= 0)
    .map(name);
  const { tasks, examples, builder, cell, sideValues } = startLongTable(options, () => new StringInterner(), 'row');
  for (const w of extra.warnings) (builder.report.warnings ??= []).push(w);
  const totalRows = Number(metadata.num_rows);
  // Rows are read in slices of at most SLICE_ROWS inside each row group: hyparquet decodes only the
  // pages a slice touches, so the decoded JS arrays stay small even for pyarrow's 1Mi-row groups.
  for (const { start: rowStart, end: rowEnd } of rowSlices(metadata)) {
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
    // A column of the slice: its name and its rows' values.
    const get = (k: number): { name: string; rows: ArrayLike<unknown> } => {
      const rows = sliceRows(chunks[name(k)] ?? [], rowStart, rowEnd);
      if (!rows)
        throw new ForgetscopeError(
          'truncated',
          `column "${name(k)}" at rows ${rowStart + 1}–${rowEnd} could not be read completely`,
          { file, line: rowStart + 1 },
        );
      return { name: name(k), rows };
    };
    const t = get(cols.task);
    const e = get(cols.example);
    const before = cols.nllBefore >= 0 ? get(cols.nllBefore) : null;
    // Z itself, or nll_after (Z = nll_after − nll_before).
    const value = get(cols.delta >= 0 ? cols.delta : cols.nllAfter);
    const sides = sideCols.map(get);
    const extraValues = extras.map((k) => ({ meta: builder.metaIndex(name(k)), ...get(k) }));
    for (const x of extraValues) builder.metaIsText(x.meta); // string columns are text by their type
    const embeddingValues = embeddingCols.map((k) => ({ meta: builder.metaIndex(name(k)), ...get(k) }));
    const n = rowEnd - rowStart;
    for (let r = 0; r < n; r++) {
      const row = rowStart + r + 1;
      builder.report.rows++;
      const ti = tasks.intern(idValue(t.rows[r], file, row, t.name));
      const ei = examples.intern(idValue(e.rows[r], file, row, e.name));
      for (const x of extraValues) {
        const v = x.rows[r];
        builder.meta(
          x.meta,
          ti,
          ei,
          v === null || v === undefined ? null : v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v),
        );
      }
      for (const x of embeddingValues) {
        const v = x.rows[r];
        if (typeof v === 'number' || typeof v === 'bigint') builder.metaNumber(x.meta, ti, ei, Number(v));
      }
      const b = before ? numValue(before.rows[r], file, row, before.name, options.nanAsMissing) : null;
      if (b !== null) builder.setNllBefore(ei, b);
      const v = numValue(value.rows[r], file, row, value.name, options.nanAsMissing);
      if (v === null || (cols.delta < 0 && b === null)) {
        const x = cols.delta < 0 && b === null && before ? before : value;
        const raw = x.rows[r];
        builder.drop(`${raw === null || raw === undefined ? 'null' : 'nan'} ${x.name}`);
        continue;
      }
      for (let k = 0; k < sides.length; k++) {
        const x = itemAt(sides, k, 'side column');
        const raw = numValue(x.rows[r], file, row, x.name, false, true);
        if (raw === null || raw - raw !== 0)
          throw sideValueError(raw, x.name, cell(ti, ei), { file, line: row, column: x.name });
        sideValues[k] = raw;
      }
      builder.add(ti, ei, cols.delta >= 0 || b === null ? v : v - b, row, sideValues);
    }
    options.progress?.(rowEnd, totalRows, 'reading');
  }
  const matrix = builder.finish(tasks.strings, examples.strings);
  return { matrix, report: builder.report, ...sideResult(builder, options.side, matrix) };
}

const SLICE_ROWS = 1 << 17;

/** What an extra Parquet column can be: text (strings, booleans), a number, or neither. */
type ParquetColumnKind = 'text' | 'number' | 'other';

/** The kind of schema element `el` (a top-level field): a timestamp, a decimal or a group is neither. */
function columnKind(el: SchemaElement): ParquetColumnKind {
  if (el.num_children || el.repetition_type === 'REPEATED') return 'other';
  const lt = el.logical_type;
  const ct = el.converted_type;
  switch (el.type) {
    case 'BYTE_ARRAY':
      return ct === 'DECIMAL' || lt?.type === 'DECIMAL' ? 'other' : 'text';
    case 'BOOLEAN': // "true" / "false", as in Arrow
      return 'text';
    case 'DOUBLE':
    case 'FLOAT':
      return lt === undefined && ct === undefined ? 'number' : 'other';
    case 'INT32':
    case 'INT64':
      if (lt !== undefined) return lt.type === 'INTEGER' ? 'number' : 'other';
      return ct === undefined || /^U?INT_/.test(ct) ? 'number' : 'other';
    default:
      return 'other';
  }
}

/**
 * For each element of `metadata.schema.slice(1)` (the indexing of `header`), whether it is a top-level
 * field: the children of nested columns (a list's `element`, a struct's fields) are not columns of the
 * long table.
 */
function topLevelFields(metadata: FileMetaData): boolean[] {
  const schema = metadata.schema;
  const top = new Array<boolean>(Math.max(0, schema.length - 1)).fill(false);
  // The schema is a depth-first list; `open` holds the children still to come at each open level. A loop,
  // not recursion: a hostile file's deep nesting costs one array entry per level, never the call stack.
  const open = [schema[0]?.num_children ?? 0];
  for (let i = 1; i < schema.length; i++) {
    while (open.length > 0 && open[open.length - 1] === 0) open.pop();
    if (open.length === 0) break;
    open[open.length - 1] = (open[open.length - 1] ?? 1) - 1;
    if (open.length === 1) top[i - 1] = true;
    const children = schema[i]?.num_children ?? 0;
    if (children > 0) open.push(children);
  }
  return top;
}

/** The extra top-level columns of each kind (header positions), and a warning for each of kind 'other'. */
function extraColumns(
  metadata: FileMetaData,
  header: readonly string[],
  cols: Columns,
  sideCols: readonly number[],
): { text: number[]; embedding: number[]; warnings: string[] } {
  const used = new Set([cols.task, cols.example, cols.delta, cols.nllBefore, cols.nllAfter, ...sideCols]);
  const top = topLevelFields(metadata);
  const out = { text: [] as number[], embedding: [] as number[], warnings: [] as string[] };
  metadata.schema.slice(1).forEach((el, k) => {
    if (!top[k] || used.has(k)) return;
    const kind = columnKind(el);
    const name = header[k] ?? el.name;
    if (kind === 'text') out.text.push(k);
    else if (kind === 'number') {
      if (isEmbeddingKey(name)) out.embedding.push(k);
    } else {
      const type = el.logical_type?.type ?? el.converted_type ?? (el.num_children ? 'group' : (el.type ?? 'group'));
      const repeated = el.repetition_type === 'REPEATED' && !el.num_children ? 'repeated ' : '';
      out.warnings.push(`column "${name}" (Parquet ${repeated}${type}) is neither text nor a number: left out`);
    }
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

/**
 * A value of a number column: null when null (or, with `nanAsMissing`, NaN); a non-number is a `dtype`
 * error and a non-finite number a `parse` error at the row, unless `asStored` (kept for the caller to check).
 */
function numValue(
  v: unknown,
  file: string,
  row: number,
  name: string,
  nanAsMissing: boolean | undefined,
  asStored = false,
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
  if (!Number.isFinite(x) && !asStored) {
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
