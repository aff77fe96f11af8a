import { parquetHeader } from 'hyparquet/src/column.js';
import { decompressPage } from 'hyparquet/src/datapage.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { itemAt } from '../../util/checked.js';
import { ForgetscopeError } from '../../util/errors.js';
import type { ColumnMetaData, CompressionCodec, Compressors, DataReader, SchemaElement } from 'hyparquet';

/** How the fast path hands a column's values over: numbers (floats or integers) or dense id indices. */
export type FlatColumnKind = 'number' | 'id';

/** Thrown for a page the fast path does not decode; the caller then reads the file with the generic reader. */
export class FlatPathUnsupported extends Error {}

const SUPPORTED_CODECS: ReadonlySet<CompressionCodec> = new Set([
  'UNCOMPRESSED',
  'SNAPPY',
  'GZIP',
  'BROTLI',
  'ZSTD',
  'LZ4',
  'LZ4_RAW',
]);

/**
 * Whether a column is one the flat fast path reads: a top-level REQUIRED or OPTIONAL leaf (no lists,
 * no structs) of a plain physical type — DOUBLE, FLOAT, INT32, INT64 (signed, no date/time/decimal
 * annotation) or BYTE_ARRAY as UTF-8 text (ids only) — in a codec hyparquet decompresses.
 */
export function flatColumnSupported(element: SchemaElement, meta: ColumnMetaData, kind: FlatColumnKind): boolean {
  if (element.num_children || element.repetition_type === 'REPEATED') return false;
  if (meta.path_in_schema.length !== 1 || meta.path_in_schema[0] !== element.name) return false;
  if (!SUPPORTED_CODECS.has(meta.codec)) return false;
  const ctype = element.converted_type;
  const ltype = element.logical_type;
  switch (meta.type) {
    case 'DOUBLE':
    case 'FLOAT':
      return kind === 'number' && ctype === undefined && ltype === undefined;
    case 'INT32':
    case 'INT64':
      if (ltype !== undefined) return ltype.type === 'INTEGER' && ltype.isSigned;
      return ctype === undefined || ctype === 'INT_8' || ctype === 'INT_16' || ctype === 'INT_32' || ctype === 'INT_64';
    case 'BYTE_ARRAY':
      return (
        kind === 'id' && (ctype === undefined || ctype === 'UTF8') && (ltype === undefined || ltype.type === 'STRING')
      );
    default:
      return false;
  }
}

/** The dictionary of a column chunk: raw entries, decoded to numbers up front or to strings on first use. */
interface Dictionary {
  numbers: Float64Array | null;
  /** BYTE_ARRAY entries: byte offset and length of each inside `bytes`. */
  bytes: Uint8Array | null;
  starts: Int32Array | null;
  lengths: Int32Array | null;
  /** INT32/INT64 id entries as their exact decimal text. */
  texts: string[] | null;
  /** Per entry: the interned id (ids), -1 until first seen. */
  ids: Int32Array;
  size: number;
}

/** A decoded data page: per row (value) of the page, the non-null flag and the value or id. */
interface Page {
  rows: number;
  /** 1 = present, 0 = null; null when the page has no nulls. */
  present: Uint8Array | null;
  /** Values of the present rows, in order (numbers), or dictionary indices / interned ids (ids). */
  numbers: Float64Array | null;
  dictIndex: Int32Array | null;
  /** PLAIN-encoded ids: the interned id of each present row. */
  ids: Int32Array | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads one flat column chunk page by page and fills caller-owned typed arrays for consecutive row
 * ranges (`fill`): numbers into a Float64Array, ids (interned through `intern` in order of first
 * appearance, as the generic reader does) into an Int32Array, with nulls marked in a Uint8Array.
 * Only the chunk's compressed bytes and one decoded page are held at a time.
 */
export class FlatColumnCursor {
  private readonly view: DataView;
  private readonly reader: DataReader;
  private dict: Dictionary | null = null;
  private page: Page | null = null;
  /** Position in the current page (rows) and in its present values. */
  private row = 0;
  private valueIndex = 0;
  private rowsLeft: number;

  constructor(
    chunk: Uint8Array,
    private readonly meta: ColumnMetaData,
    private readonly optional: boolean,
    private readonly kind: FlatColumnKind,
    private readonly compressors: Compressors,
    private readonly intern: (id: string) => number,
  ) {
    this.view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.reader = { view: this.view, offset: 0 };
    this.rowsLeft = Number(meta.num_values);
  }

  /**
   * Fills rows [0, n) of `out` (a Float64Array of numbers, or an Int32Array of interned ids when kind
   * is `id`; null rows hold NaN / -1) and of `isNull` (1 = null) with the next n rows of the column.
   */
  fill(n: number, out: Float64Array | Int32Array, isNull: Uint8Array): void {
    let k = 0;
    while (k < n) {
      if (!this.page || this.row >= this.page.rows) this.nextPage();
      const page = this.page;
      if (!page) throw new ForgetscopeError('internal', 'parquet: no page after nextPage()');
      const take = Math.min(n - k, page.rows - this.row);
      const present = page.present;
      if (page.numbers) {
        const src = page.numbers;
        const dst = out as Float64Array;
        if (!present) {
          dst.set(src.subarray(this.valueIndex, this.valueIndex + take), k);
          isNull.fill(0, k, k + take);
          this.valueIndex += take;
        } else {
          let v = this.valueIndex;
          for (let r = 0; r < take; r++) {
            if (present[this.row + r]) {
              dst[k + r] = pageValue(src, v++);
              isNull[k + r] = 0;
            } else {
              dst[k + r] = NaN;
              isNull[k + r] = 1;
            }
          }
          this.valueIndex = v;
        }
      } else if (page.ids) {
        const src = page.ids;
        let v = this.valueIndex;
        for (let r = 0; r < take; r++) {
          if (!present || present[this.row + r]) {
            out[k + r] = pageValue(src, v++);
            isNull[k + r] = 0;
          } else {
            out[k + r] = -1;
            isNull[k + r] = 1;
          }
        }
        this.valueIndex = v;
      } else {
        const idx = page.dictIndex;
        if (!idx) throw new Error('parquet data page without values');
        const dict = this.dict;
        if (!dict) throw new Error('parquet dictionary-encoded page without a dictionary page');
        let v = this.valueIndex;
        const isNumber = this.kind === 'number';
        for (let r = 0; r < take; r++) {
          if (!present || present[this.row + r]) {
            const d = pageValue(idx, v++);
            if (d < 0 || d >= dict.size)
              throw new Error(`parquet dictionary index ${d} out of range (dictionary of ${dict.size})`);
            if (isNumber) {
              const x = dict.numbers?.[d];
              if (x === undefined) throw new Error('parquet dictionary of a number column without numbers');
              out[k + r] = x;
            } else {
              let id = dict.ids[d] ?? -1; // d < dict.size (checked above); -1: not interned yet
              if (id < 0) id = dict.ids[d] = this.intern(this.dictString(dict, d));
              out[k + r] = id;
            }
            isNull[k + r] = 0;
          } else {
            out[k + r] = isNumber ? NaN : -1;
            isNull[k + r] = 1;
          }
        }
        this.valueIndex = v;
      }
      this.row += take;
      k += take;
    }
  }

  private dictString(dict: Dictionary, d: number): string {
    if (dict.texts) return itemAt(dict.texts, d, 'dictionary entry');
    const { starts, bytes, lengths } = dict;
    if (!starts || !bytes || !lengths) throw new Error('parquet dictionary of an id column without its strings');
    const start = itemAt(starts, d, 'dictionary entry');
    return this.decodeId(bytes.subarray(start, start + itemAt(lengths, d, 'dictionary entry')));
  }

  /** Reads page headers until the next data page (dictionary pages are decoded on the way). */
  private nextPage(): void {
    for (;;) {
      if (this.rowsLeft <= 0 || this.reader.offset >= this.view.byteLength) {
        throw new Error(
          `parquet column "${this.meta.path_in_schema.join('.')}" ended before its ${this.meta.num_values} values`,
        );
      }
      const header = parquetHeader(this.reader);
      const start = this.reader.offset;
      const size = header.compressed_page_size;
      if (!(size >= 0) || start + size > this.view.byteLength)
        throw new Error('parquet page extends beyond its column chunk');
      const raw = new Uint8Array(this.view.buffer, this.view.byteOffset + start, size);
      this.reader.offset = start + size;
      if (header.type === 'DICTIONARY_PAGE') {
        const dh = header.dictionary_page_header;
        if (!dh) throw new Error('parquet dictionary page header is undefined');
        if (dh.encoding !== 'PLAIN' && dh.encoding !== 'PLAIN_DICTIONARY')
          throw new FlatPathUnsupported(`dictionary encoding ${dh.encoding}`);
        const bytes = decompressPage(raw, header.uncompressed_page_size, this.meta.codec, this.compressors);
        this.dict = this.readDictionary(bytes, dh.num_values);
        continue;
      }
      if (header.type === 'DATA_PAGE') {
        const dh = header.data_page_header;
        if (!dh) throw new Error('parquet data page header is undefined');
        const bytes = decompressPage(raw, header.uncompressed_page_size, this.meta.codec, this.compressors);
        const reader: DataReader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
        let present: Uint8Array | null = null;
        let count = dh.num_values;
        if (this.optional) {
          if (dh.definition_level_encoding !== 'RLE')
            throw new FlatPathUnsupported(`definition level encoding ${dh.definition_level_encoding}`);
          ({ present, count } = readPresent(reader, dh.num_values, undefined));
        }
        this.setPage(dh.num_values, present, count, dh.encoding, reader, bytes.byteLength);
        return;
      }
      if (header.type === 'DATA_PAGE_V2') {
        const dh = header.data_page_header_v2;
        if (!dh) throw new Error('parquet data page header v2 is undefined');
        if (dh.repetition_levels_byte_length) throw new FlatPathUnsupported('repetition levels in a flat column');
        const levelBytes = dh.definition_levels_byte_length;
        let present: Uint8Array | null = null;
        let count = dh.num_values;
        if (this.optional) {
          const levels: DataReader = { view: new DataView(raw.buffer, raw.byteOffset, levelBytes), offset: 0 };
          ({ present, count } = readPresent(levels, dh.num_values, levelBytes));
        }
        let body = raw.subarray(levelBytes);
        const bodySize = header.uncompressed_page_size - levelBytes;
        if (dh.is_compressed !== false && bodySize)
          body = decompressPage(body, bodySize, this.meta.codec, this.compressors);
        const reader: DataReader = { view: new DataView(body.buffer, body.byteOffset, body.byteLength), offset: 0 };
        this.setPage(dh.num_values, present, count, dh.encoding, reader, body.byteLength);
        return;
      }
      // Index pages and unknown page types carry no rows here.
      if (header.type !== 'INDEX_PAGE') throw new FlatPathUnsupported(`page type ${header.type}`);
    }
  }

  private setPage(
    rows: number,
    present: Uint8Array | null,
    count: number,
    encoding: string,
    reader: DataReader,
    byteLength: number,
  ): void {
    if (!Number.isInteger(rows) || rows < 0 || rows > this.rowsLeft || count < 0 || count > rows)
      throw new Error(`parquet page of ${rows} values is corrupt`);
    const page: Page = { rows, present, numbers: null, dictIndex: null, ids: null };
    if (encoding === 'PLAIN') {
      if (this.meta.type === 'BYTE_ARRAY') page.ids = this.readPlainIds(reader, count);
      else if (this.kind === 'number') page.numbers = readPlainNumbers(reader, this.meta.type, count);
      else page.ids = Int32Array.from(readPlainIntText(reader, this.meta.type, count), (t) => this.intern(t));
    } else if (encoding === 'RLE_DICTIONARY' || encoding === 'PLAIN_DICTIONARY') {
      const idx = new Int32Array(count);
      if (count > 0) {
        const bitWidth = reader.view.getUint8(reader.offset++);
        if (bitWidth > 32) throw new Error(`parquet dictionary bit width ${bitWidth}`);
        if (bitWidth) readRleBitPackedHybrid(reader, bitWidth, idx, byteLength - reader.offset);
      }
      page.dictIndex = idx;
    } else {
      throw new FlatPathUnsupported(`encoding ${encoding}`);
    }
    this.page = page;
    this.row = 0;
    this.valueIndex = 0;
    this.rowsLeft -= rows;
  }

  private readDictionary(bytes: Uint8Array, size: number): Dictionary {
    const reader: DataReader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
    const ids = new Int32Array(size).fill(-1);
    if (this.meta.type === 'BYTE_ARRAY') {
      const starts = new Int32Array(size);
      const lengths = new Int32Array(size);
      let offset = 0;
      for (let d = 0; d < size; d++) {
        if (offset + 4 > bytes.byteLength) throw new Error('parquet dictionary page is truncated');
        const len = reader.view.getUint32(offset, true);
        starts[d] = offset + 4;
        lengths[d] = len;
        offset += 4 + len;
        if (offset > bytes.byteLength) throw new Error('parquet dictionary page is truncated');
      }
      return { numbers: null, bytes, starts, lengths, texts: null, ids, size };
    }
    if (this.kind === 'id') {
      // Integer ids are interned through their decimal text, in row order like strings.
      return {
        numbers: null,
        bytes: null,
        starts: null,
        lengths: null,
        texts: readPlainIntText(reader, this.meta.type, size),
        ids,
        size,
      };
    }
    const numbers = readPlainNumbers(reader, this.meta.type, size);
    return { numbers, bytes: null, starts: null, lengths: null, texts: null, ids, size };
  }

  /** Decodes an id strictly: invalid UTF-8 is a `parse` error naming the column (never U+FFFD). */
  private decodeId(bytes: Uint8Array): string {
    try {
      return utf8.decode(bytes);
    } catch {
      throw new ForgetscopeError('parse', `column "${this.meta.path_in_schema.join('.')}": an id is not valid UTF-8`, {
        column: this.meta.path_in_schema.join('.'),
      });
    }
  }

  private readPlainIds(reader: DataReader, count: number): Int32Array {
    const view = reader.view;
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    const ids = new Int32Array(count);
    let offset = reader.offset;
    for (let i = 0; i < count; i++) {
      if (offset + 4 > view.byteLength) throw new Error('parquet data page is truncated');
      const len = view.getUint32(offset, true);
      offset += 4;
      if (offset + len > view.byteLength) throw new Error('parquet data page is truncated');
      ids[i] = this.intern(this.decodeId(bytes.subarray(offset, offset + len)));
      offset += len;
    }
    reader.offset = offset;
    return ids;
  }
}

/** PLAIN INT32/INT64 values as exact decimal text (INT64 through BigInt, as the generic reader does). */
function readPlainIntText(reader: DataReader, type: string, count: number): string[] {
  const view = reader.view;
  const width = type === 'INT64' ? 8 : 4;
  const start = reader.offset;
  if (start + count * width > view.byteLength) throw new Error('parquet data page is truncated');
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++)
    out[i] = width === 8 ? String(view.getBigInt64(start + 8 * i, true)) : String(view.getInt32(start + 4 * i, true));
  reader.offset = start + count * width;
  return out;
}

/** Definition levels (bit width 1: max level 1) → present flags and the count of present values. */
function readPresent(
  reader: DataReader,
  rows: number,
  length: number | undefined,
): { present: Uint8Array | null; count: number } {
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`parquet page of ${rows} values is corrupt`);
  const levels = new Uint8Array(rows);
  readRleBitPackedHybrid(reader, 1, levels, length);
  let count = 0;
  for (let i = 0; i < rows; i++) {
    // As the generic reader: present exactly when the level is the maximum (1).
    const p = levels[i] === 1 ? 1 : 0;
    levels[i] = p;
    count += p;
  }
  return { present: count === rows ? null : levels, count };
}

/** PLAIN values of a numeric physical type as float64 (INT64 through Number, exact below 2^53). */
function readPlainNumbers(reader: DataReader, type: string, count: number): Float64Array {
  const view = reader.view;
  const width = type === 'DOUBLE' || type === 'INT64' ? 8 : 4;
  const start = reader.offset;
  if (start + count * width > view.byteLength) throw new Error('parquet data page is truncated');
  const out = new Float64Array(count);
  if (type === 'DOUBLE') {
    const abs = view.byteOffset + start;
    if (abs % 8 === 0) out.set(new Float64Array(view.buffer, abs, count));
    else new Uint8Array(out.buffer).set(new Uint8Array(view.buffer, abs, count * 8));
  } else if (type === 'FLOAT') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(start + 4 * i, true);
  } else if (type === 'INT32') {
    for (let i = 0; i < count; i++) out[i] = view.getInt32(start + 4 * i, true);
  } else {
    for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(start + 8 * i, true));
  }
  reader.offset = start + count * width;
  return out;
}

/** Value `v` of a decoded page: a page with fewer values than present rows is a malformed file. */
function pageValue(values: Float64Array | Int32Array, v: number): number {
  const x = values[v];
  if (x === undefined) throw new Error('parquet page has fewer values than present rows');
  return x;
}
