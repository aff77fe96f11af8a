import { DataType, RecordBatchReader, type RecordBatch, type Vector } from 'apache-arrow';
import { itemAt } from '../../util/checked.js';
import { ForgetscopeError } from '../../util/errors.js';
import { isEmbeddingKey } from '../../matrix/exampleEmbedding.js';
import { ByteInterner, InvalidUtf8Id } from '../long/ByteInterner.js';
import { MAX_ROWS_PER_BYTE } from '../limits.js';
import { startLongTable } from '../long/startLongTable.js';
import { locateLongColumns } from '../long/locateColumns.js';
import { sideValueError, locateSideColumns, sideResult } from '../long/sideColumns.js';
import type { LongReadOptions, LongReadResult } from '../long/sideColumns.js';
import { registerArrowCodecs } from './registerCodecs.js';

/**
 * Reads a long table from Arrow record batches (IPC file or stream, via apache-arrow), one batch at a
 * time, so memory is bounded by the output matrix plus one batch. LZ4- and ZSTD-compressed IPC
 * buffers (pyarrow's Feather default) are decoded. Ids may be utf8, large utf8,
 * dictionary-encoded strings or integers; values any float or integer type. Null values are dropped
 * rows (`"null delta"`…); null ids are errors. Rows are numbered from 1 in messages. Side columns
 * (`options.side`) are read with the batch they are in.
 */
export async function readArrowBatches(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  options: LongReadOptions & { byteLength?: number },
): Promise<LongReadResult> {
  const file = options.file;
  const { names, tasks, examples, builder, cell, sideValues } = startLongTable(
    options,
    () => new ByteInterner(),
    'row',
  );
  let row0 = 0;
  let sawSchema = false;
  let saidLeftOut = false;
  const maxRows = options.byteLength === undefined ? Infinity : Math.max(1, options.byteLength) * MAX_ROWS_PER_BYTE;
  for await (const batch of batches) {
    sawSchema = true;
    const header = batch.schema.fields.map((f) => f.name);
    const cols = locateLongColumns(header, names, { file, line: row0 + 1 });
    const sideCols = locateSideColumns(header, options.side ?? [], { file, line: row0 + 1 });
    const n = batch.numRows;
    if (!Number.isSafeInteger(n) || n < 0 || row0 + n > maxRows) {
      throw new ForgetscopeError(
        'parse',
        `not valid Arrow IPC data (corrupt): a record batch claims ${String(n)} rows${Number.isFinite(maxRows) ? ` (the file has ${options.byteLength} bytes)` : ''}`,
        { file, line: row0 + 1 },
      );
    }
    // k is a column of this batch's schema (located in its header above)
    const column = (k: number): { vec: Vector; name: string } => {
      const vec = batch.getChildAt(k);
      const name = header[k];
      if (!vec || name === undefined) throw new ForgetscopeError('internal', `Arrow column ${k} is not in the batch`);
      return { vec, name };
    };
    const numbers = (k: number) => {
      const c = column(k);
      return numberColumn(c.vec, file, row0, c.name, options.nanAsMissing);
    };
    for (const k of [cols.task, cols.example, cols.delta, cols.nllBefore, cols.nllAfter, ...sideCols]) {
      if (k >= 0) checkBuffers(column(k).vec, n, file, row0, column(k).name);
    }
    const t = idColumn(column(cols.task).vec, tasks, file, row0, column(cols.task).name);
    const e = idColumn(column(cols.example).vec, examples, file, row0, column(cols.example).name);
    const before = cols.nllBefore >= 0 ? numbers(cols.nllBefore) : null;
    const valueCol = cols.delta >= 0 ? numbers(cols.delta) : null;
    const after = cols.delta < 0 ? numbers(cols.nllAfter) : null;
    // Side values as stored (null: no value); checked on the rows that are kept.
    const sides = sideCols.map((k) => {
      const c = column(k);
      return { ...numberColumn(c.vec, file, row0, c.name, false, true), name: c.name };
    });
    // Extra text columns become example or task metadata (numeric ones are not metadata).
    const used = new Set([cols.task, cols.example, cols.delta, cols.nllBefore, cols.nllAfter, ...sideCols]);
    const extras: { meta: number; vec: Vector }[] = [];
    batch.schema.fields.forEach((f, k) => {
      if (used.has(k) || !isMetadataText(f.type)) return;
      const meta = builder.metaIndex(f.name);
      extras.push({ meta, vec: column(k).vec });
      // a string column (or a dictionary of strings) is text by its type, even when its values look like numbers
      const values = DataType.isDictionary(f.type) ? f.type.dictionary : f.type;
      if (DataType.isUtf8(values) || DataType.isLargeUtf8(values)) builder.metaIsText(meta);
    });
    // Numeric `embedding.<i>` columns: example embeddings, the one kind of numeric metadata.
    // Single and double floats are read from their typed array; other widths (half floats, 64-bit
    // integers) value by value.
    const embeddings: { meta: number; vec: Vector; direct: Float32Array | Float64Array | null; nulls: boolean }[] = [];
    batch.schema.fields.forEach((f, k) => {
      if (used.has(k) || !isEmbeddingKey(f.name) || !(DataType.isFloat(f.type) || DataType.isInt(f.type))) return;
      const vec = column(k).vec;
      const values: unknown = vec.data.length === 1 ? vec.toArray() : null;
      const direct = values instanceof Float64Array || values instanceof Float32Array ? values : null;
      embeddings.push({ meta: builder.metaIndex(f.name), vec, direct, nulls: vec.nullCount > 0 });
    });
    // Columns that are neither text, a boolean nor a number (a timestamp, a list …): said once, not read.
    if (!saidLeftOut) {
      saidLeftOut = true;
      batch.schema.fields.forEach((f, k) => {
        if (used.has(k) || isMetadataText(f.type) || DataType.isFloat(f.type) || DataType.isInt(f.type)) return;
        (builder.report.warnings ??= []).push(
          `column "${f.name}" (Arrow ${String(f.type)}) is neither text nor a number: left out`,
        );
      });
    }
    // t, e and the number columns hold n entries (one per row of the batch)
    for (let r = 0; r < n; r++) {
      builder.report.rows++;
      const row = row0 + r + 1;
      const task = itemAt(t, r, 'row');
      const example = itemAt(e, r, 'row');
      for (const x of extras) {
        const v: unknown = x.vec.get(r);
        builder.meta(x.meta, task, example, v === null || v === undefined ? null : String(v));
      }
      for (const x of embeddings) {
        if (x.direct) {
          // r < n, the batch's length, which is the typed array's
          if (!x.nulls || x.vec.isValid(r)) builder.metaNumber(x.meta, task, example, x.direct[r] as number);
          continue;
        }
        const v: unknown = x.vec.get(r);
        if (typeof v === 'number' || typeof v === 'bigint') builder.metaNumber(x.meta, task, example, Number(v));
      }
      if (before?.valid[r]) builder.setNllBefore(example, itemAt(before.values, r, 'row'));
      let value: number;
      if (valueCol) {
        if (!valueCol.valid[r]) {
          builder.drop(`${valueCol.nullWord[r] ?? 'null'} ${header[cols.delta]}`);
          continue;
        }
        value = itemAt(valueCol.values, r, 'row');
      } else if (before && after) {
        if (!before.valid[r] || !after.valid[r]) {
          builder.drop(`null ${!before.valid[r] ? header[cols.nllBefore] : header[cols.nllAfter]}`);
          continue;
        }
        value = itemAt(after.values, r, 'row') - itemAt(before.values, r, 'row');
      } else throw new ForgetscopeError('internal', 'Arrow reader: no delta and no nll_before/nll_after columns');
      for (let k = 0; k < sides.length; k++) {
        const c = itemAt(sides, k, 'side column');
        const x = c.valid[r] ? itemAt(c.values, r, 'row') : null;
        if (x === null || x - x !== 0)
          throw sideValueError(x, c.name, cell(task, example), { file, line: row, column: c.name });
        sideValues[k] = x;
      }
      builder.add(task, example, value, row, sideValues);
    }
    row0 += n;
    options.progress?.(row0, undefined, 'reading');
  }
  if (!sawSchema || row0 === 0) throw new ForgetscopeError('empty', 'the Arrow data holds no rows', { file });
  const matrix = builder.finish(tasks.strings, examples.strings);
  return { matrix, report: builder.report, ...sideResult(builder, options.side, matrix) };
}

/** Opens Arrow IPC bytes (file or stream format) as record batches, turning apache-arrow failures into typed errors. */
export async function* arrowBatchesFromBytes(bytes: Uint8Array, file: string): AsyncGenerator<RecordBatch> {
  if (bytes.length === 0) throw new ForgetscopeError('empty', 'the file is empty (expected Arrow IPC data)', { file });
  checkArrowComplete(bytes, file);
  yield* guardArrow(() => RecordBatchReader.from(bytes), file);
}

/**
 * A cheap structural check of IPC bytes before apache-arrow sees them: a file must end with the
 * `ARROW1` magic, a stream with the end-of-stream marker; otherwise it was truncated.
 */
export function checkArrowComplete(bytes: Uint8Array, file: string): void {
  const isFile =
    bytes.length >= 6 &&
    bytes[0] === 0x41 &&
    bytes[1] === 0x52 &&
    bytes[2] === 0x52 &&
    bytes[3] === 0x4f &&
    bytes[4] === 0x57 &&
    bytes[5] === 0x31;
  const n = bytes.length;
  if (isFile) {
    const tail = n >= 12 ? String.fromCharCode(...bytes.subarray(n - 6)) : '';
    if (tail !== 'ARROW1')
      throw new ForgetscopeError('truncated', 'truncated Arrow IPC file: the closing ARROW1 magic is missing', {
        file,
      });
    return;
  }
  const eos =
    n >= 8 &&
    bytes[n - 8] === 0xff &&
    bytes[n - 7] === 0xff &&
    bytes[n - 6] === 0xff &&
    bytes[n - 5] === 0xff &&
    bytes[n - 4] === 0 &&
    bytes[n - 3] === 0 &&
    bytes[n - 2] === 0 &&
    bytes[n - 1] === 0;
  const legacyEos = n >= 4 && bytes[n - 4] === 0 && bytes[n - 3] === 0 && bytes[n - 2] === 0 && bytes[n - 1] === 0;
  if (!eos && !legacyEos)
    throw new ForgetscopeError('truncated', 'truncated Arrow IPC stream: the end-of-stream marker is missing', {
      file,
    });
}

/** Iterates an apache-arrow reader, turning its exceptions into `ForgetscopeError`s. */
export async function* guardArrow(
  open: () => RecordBatchReader | Promise<RecordBatchReader>,
  file: string,
): AsyncGenerator<RecordBatch> {
  registerArrowCodecs();
  let reader: RecordBatchReader;
  try {
    reader = await open();
    await reader.open();
  } catch (e) {
    throw arrowError(e, file);
  }
  const it = reader[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<RecordBatch>;
    try {
      next = await it.next();
    } catch (e) {
      throw arrowError(e, file);
    }
    if (next.done) return;
    yield next.value;
  }
}

function arrowError(e: unknown, file: string): ForgetscopeError {
  if (e instanceof ForgetscopeError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new ForgetscopeError(
    /end|short|expected|bytes|length|offset|bound/i.test(msg) ? 'truncated' : 'parse',
    `not valid Arrow IPC data (truncated or corrupt): ${msg}`,
    { file },
  );
}

function idColumn(vec: Vector, interner: ByteInterner, file: string, row0: number, name: string): Int32Array {
  const out = new Int32Array(vec.length);
  let r = 0;
  const encoder = new TextEncoder();
  for (const d of vec.data) {
    const type = d.type;
    const valid = d.nullCount > 0 ? (k: number) => d.getValid(k) : null;
    if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) {
      const offsets = d.valueOffsets as Int32Array | BigInt64Array;
      const bytes = d.values as Uint8Array;
      for (let k = 0; k < d.length; k++, r++) {
        if (valid && !valid(k)) throw emptyId(file, row0 + r + 1, name, 'null');
        const s = Number(itemAt<number | bigint>(offsets, k, 'offset'));
        const e = Number(itemAt<number | bigint>(offsets, k + 1, 'offset'));
        if (s === e) throw emptyId(file, row0 + r + 1, name, 'empty');
        out[r] = internAt(interner, bytes, s, e, file, row0 + r + 1, name);
      }
    } else if (DataType.isDictionary(type)) {
      const dict = d.dictionary;
      if (!dict)
        throw new ForgetscopeError(
          'parse',
          `not valid Arrow IPC data (corrupt): dictionary column "${name}" has no dictionary`,
          { file, line: row0 + r + 1, column: name },
        );
      const map = new Int32Array(dict.length).fill(-1);
      const keys = d.values as ArrayLike<number | bigint>;
      for (let k = 0; k < d.length; k++, r++) {
        if (valid && !valid(k)) throw emptyId(file, row0 + r + 1, name, 'null');
        const key = Number(itemAt(keys, k, 'dictionary key'));
        if (!(key >= 0 && key < dict.length)) {
          throw new ForgetscopeError(
            'parse',
            `not valid Arrow IPC data (corrupt): dictionary key ${key} of column "${name}" is outside its dictionary of ${dict.length}`,
            { file, line: row0 + r + 1, column: name },
          );
        }
        if (map[key] === -1) {
          const raw = DataType.isUtf8(dict.type) || DataType.isLargeUtf8(dict.type) ? utf8Entry(dict, key) : null;
          if (raw) {
            if (raw.start === raw.end) throw emptyId(file, row0 + r + 1, name, 'empty');
            map[key] = internAt(interner, raw.bytes, raw.start, raw.end, file, row0 + r + 1, name);
          } else {
            const value = dict.get(key);
            const text = value === null || value === undefined ? '' : String(value);
            if (text === '') throw emptyId(file, row0 + r + 1, name, 'empty');
            const b = encoder.encode(text);
            map[key] = interner.intern(b, 0, b.length);
          }
        }
        out[r] = itemAt(map, key, 'dictionary key');
      }
    } else if (DataType.isInt(type) || DataType.isFloat(type)) {
      for (let k = 0; k < d.length; k++, r++) {
        if (valid && !valid(k)) throw emptyId(file, row0 + r + 1, name, 'null');
        const b = encoder.encode(String(vec.get(r)));
        out[r] = interner.intern(b, 0, b.length);
      }
    } else {
      throw new ForgetscopeError(
        'dtype',
        `column "${name}" has type ${String(type)}; ids must be strings or integers`,
        { file, line: row0 + 1, column: name },
      );
    }
  }
  return out;
}

/** Interns `bytes[s, e)`; invalid UTF-8 is an error at the row and column. */
function internAt(
  interner: ByteInterner,
  bytes: Uint8Array,
  s: number,
  e: number,
  file: string,
  row: number,
  name: string,
): number {
  try {
    return interner.intern(bytes, s, e);
  } catch (err) {
    if (err instanceof InvalidUtf8Id)
      throw new ForgetscopeError('parse', `the ${name} id is not valid UTF-8 (byte ${err.offset + 1})`, {
        file,
        line: row,
        column: name,
      });
    throw err;
  }
}

/** The raw UTF-8 bytes of entry `key` of a string dictionary (no decoding, so nothing is replaced). */
function utf8Entry(dict: Vector, key: number): { bytes: Uint8Array; start: number; end: number } | null {
  let k = key;
  for (const d of dict.data) {
    if (k < d.length) {
      if (d.nullCount > 0 && !d.getValid(k)) return { bytes: new Uint8Array(0), start: 0, end: 0 };
      const offsets = d.valueOffsets as Int32Array | BigInt64Array;
      return {
        bytes: d.values as Uint8Array,
        start: Number(itemAt<number | bigint>(offsets, k, 'offset')),
        end: Number(itemAt<number | bigint>(offsets, k + 1, 'offset')),
      };
    }
    k -= d.length;
  }
  return null;
}

/**
 * Checks that the buffers of a column hold what its length claims (offsets, values, validity bitmap)
 * before anything is allocated for it, so a corrupt length is an error rather than a huge allocation.
 */
function checkBuffers(vec: Vector, rows: number, file: string, row0: number, name: string): void {
  const corrupt = (what: string) =>
    new ForgetscopeError('truncated', `not valid Arrow IPC data (truncated or corrupt): column "${name}" ${what}`, {
      file,
      line: row0 + 1,
      column: name,
    });
  if (vec.length !== rows) throw corrupt(`has ${vec.length} values for a batch of ${rows} rows`);
  for (const d of vec.data) {
    const need = d.offset + d.length;
    if (d.nullCount > 0 && d.nullBitmap && d.nullBitmap.length * 8 < need)
      throw corrupt(`has a validity bitmap of ${d.nullBitmap.length} bytes for ${d.length} rows`);
    const type = d.type;
    if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) {
      const offsets = d.valueOffsets as Int32Array | BigInt64Array | undefined;
      const bytes = d.values as Uint8Array | undefined;
      if (!offsets || offsets.length < need + 1)
        throw corrupt(`has ${offsets?.length ?? 0} offsets for ${d.length} rows`);
      // an offset outside the array reads as NaN, which the range check below rejects
      const last = Number(offsets[need]);
      const first = Number(offsets[d.offset]);
      if (!(first >= 0 && last >= first && last <= (bytes?.length ?? 0)))
        throw corrupt(`has string offsets ${first}–${last} outside its ${bytes?.length ?? 0} data bytes`);
    } else if (DataType.isFloat(type) || DataType.isInt(type) || DataType.isDictionary(type)) {
      const values = d.values as ArrayLike<unknown> | undefined;
      const stride = (d as unknown as { stride?: number }).stride ?? 1;
      if (!values || values.length < need * stride)
        throw corrupt(`has ${values?.length ?? 0} values for ${d.length} rows`);
    }
  }
}

function emptyId(file: string, row: number, name: string, what: string): ForgetscopeError {
  return new ForgetscopeError('parse', `${what} ${name} id`, { file, line: row, column: name });
}

/**
 * A numeric column as doubles with validity flags (0 = null, or NaN with `nanAsMissing`); a non-finite
 * value is an error at its row unless `asStored`, which keeps every value as it is for the caller to check.
 */
function numberColumn(
  vec: Vector,
  file: string,
  row0: number,
  name: string,
  nanAsMissing: boolean | undefined,
  asStored = false,
): { values: Float64Array; valid: Uint8Array; nullWord: (string | undefined)[] } {
  const type = vec.type;
  if (!(DataType.isFloat(type) || DataType.isInt(type) || DataType.isDecimal(type))) {
    throw new ForgetscopeError(
      'dtype',
      `column "${name}" has type ${String(type)}; expected a float or integer column`,
      { file, line: row0 + 1, column: name },
    );
  }
  const n = vec.length;
  const values = new Float64Array(n);
  const valid = new Uint8Array(n).fill(1);
  const nullWord: (string | undefined)[] = [];
  const raw = vec.nullCount === 0 && DataType.isFloat(type) ? (vec.toArray() as Float64Array | Float32Array) : null;
  // Stored values kept as they are: the whole column at once.
  if (raw && asStored) return { values: Float64Array.from(raw), valid: new Uint8Array(n).fill(1), nullWord: [] };
  for (let r = 0; r < n; r++) {
    let v: number;
    if (raw) v = itemAt(raw, r, 'row');
    else {
      if (!vec.isValid(r)) {
        valid[r] = 0;
        continue;
      }
      v = Number(vec.get(r));
    }
    if (!Number.isFinite(v) && !asStored) {
      if (Number.isNaN(v) && nanAsMissing) {
        valid[r] = 0;
        nullWord[r] = 'nan';
        continue;
      }
      throw new ForgetscopeError(
        'parse',
        `column "${name}": ${String(v)} is not a finite number${Number.isNaN(v) ? ' (pass nanAsMissing to treat NaN as missing)' : ''}`,
        { file, line: row0 + r + 1, column: name },
      );
    }
    values[r] = v;
  }
  return { values, valid, nullWord };
}

/** Whether a column of this Arrow type is read as text metadata: strings, dictionaries, booleans. */
function isMetadataText(type: DataType): boolean {
  return DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isDictionary(type) || DataType.isBool(type);
}
