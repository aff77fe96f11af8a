import { ForgetscopeError } from '../../util/errors.js';
import type { ProgressSink } from '../../util/progress.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { ByteInterner, InvalidUtf8Id } from '../long/ByteInterner.js';
import { cutText, quoteText, resolveLimits, type ReadLimits } from '../limits.js';
import { firstInvalidUtf8 } from '../utf8.js';
import { LongTableBuilder } from '../long/LongTableBuilder.js';
import { NOT_A_NUMBER, parseNumberBytes } from '../long/parseNumber.js';
import { locateLongColumns, type LongColumnIndices } from '../long/locateColumns.js';
import { resolveColumns } from '../resolveColumns.js';
import type { ReadOptions, ReadReport } from '../types.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

/** Options of `readDelimitedLongTable`. */
export interface DelimitedReadOptions extends ReadOptions {
  /** Name for error messages. */
  file: string;
  /** Field delimiter (one ASCII character). */
  delimiter: string;
  /** Total input size in bytes, when known (for progress). */
  totalBytes?: number;
}

/**
 * Reads a long table from delimited text (CSV, TSV) arriving in chunks, into a matrix. RFC 4180:
 * a header line, fields optionally quoted with `"` (a quote inside a quoted field is doubled; quoted
 * fields may hold delimiters and newlines), LF or CRLF line ends, an optional UTF-8 BOM. Blank lines are
 * skipped. Memory is bounded by the output matrix plus one chunk.
 *
 * Hand-written byte-level parser: it interns ids and parses numbers without making a string per field,
 * which is what lets a 10-million-row table load in seconds (see bench/io).
 */
export async function readDelimitedLongTable(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: DelimitedReadOptions,
): Promise<{ matrix: ForgettingMatrix; report: ReadReport }> {
  const parser = new DelimitedLongTableParser(options);
  for await (const chunk of chunks) parser.push(chunk);
  return parser.end();
}

/** Incremental form of `readDelimitedLongTable`: `push` chunks, then `end()`. */
export class DelimitedLongTableParser {
  private readonly file: string;
  private readonly delim: number;
  private readonly options: DelimitedReadOptions;
  private progress: ProgressSink | undefined;
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private consumed = 0;
  private line = 1;
  private lineStart = 0;
  private started = false;
  private header: string[] | null = null;
  private cols: LongColumnIndices | null = null;
  /** Extra columns of the header (neither ids nor values): field index and metadata column. */
  private extras: { field: number; meta: number }[] = [];
  private readonly metaDecoder = new TextDecoder('utf-8', { fatal: true });
  private readonly tasks = new ByteInterner();
  private readonly examples = new ByteInterner();
  private readonly builder: LongTableBuilder;
  private readonly nanAsMissing: boolean;
  private readonly limits: ReadLimits;
  /** First pass of a two-pass read: only split records and intern ids (see `startSecondPass`). */
  private idsOnly = false;
  /** In the first pass, the number of fields to split before skipping to the end of the line (0 = all). */
  private idsOnlyLastField = 0;
  /** Position of the next quote in `buf` at or after the last lookup (-1: none in this buffer). */
  private nextQuote = 0;
  // Fields of the current record: start, end, which buffer (0 input, 1 scratch), 1-based column.
  private fieldStart: Int32Array = new Int32Array(16);
  private fieldEnd: Int32Array = new Int32Array(16);
  private fieldInScratch = new Uint8Array(16);
  private fieldColumn: Int32Array = new Int32Array(16);
  private fieldCount = 0;
  private scratch = new Uint8Array(256);
  private scratchUsed = 0;

  constructor(options: DelimitedReadOptions) {
    this.options = options;
    this.file = options.file;
    if (options.delimiter.length !== 1 || options.delimiter.charCodeAt(0) > 127 || options.delimiter === '"' || options.delimiter === '\n' || options.delimiter === '\r') {
      throw new ForgetscopeError('usage', `delimiter must be one ASCII character other than a quote or a line break, not ${JSON.stringify(options.delimiter)}`);
    }
    this.delim = options.delimiter.charCodeAt(0);
    this.progress = options.progress;
    this.nanAsMissing = options.nanAsMissing ?? false;
    this.limits = resolveLimits(options.limits);
    this.builder = new LongTableBuilder({
      file: this.file,
      ...(options.duplicates ? { duplicates: options.duplicates } : {}),
      ...(options.dtype ? { dtype: options.dtype } : {}),
      describe: (t, e) => `task "${this.tasks.strings[t]}", example "${this.examples.strings[e]}"`,
    });
  }

  /** Parses every complete record of the data so far. */
  push(chunk: Uint8Array): void {
    // A plain Uint8Array view: subarray() on a Node Buffer is several times slower.
    if (chunk.constructor !== Uint8Array) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.pos < this.buf.length) {
      const rest = this.buf.length - this.pos;
      const joined = new Uint8Array(rest + chunk.length);
      joined.set(this.buf.subarray(this.pos), 0);
      joined.set(chunk, rest);
      this.lineStart -= this.pos;
      this.buf = joined;
    } else {
      this.lineStart -= this.buf.length;
      this.buf = chunk;
    }
    this.pos = 0;
    this.nextQuote = 0;
    this.parse(false);
    // What is left is one incomplete record: bounded, so a 200 MB line fails early instead of being
    // joined chunk after chunk.
    if (this.buf.length - this.pos > this.limits.maxLineBytes) {
      throw new ForgetscopeError('parse', `line longer than ${this.limits.maxLineBytes} bytes (limits.maxLineBytes)`, { file: this.file, line: this.line, column: 1 });
    }
    this.progress?.(this.consumed + this.pos, this.options.totalBytes, 'reading');
  }

  /**
   * Two-pass reading of a file that can be read twice: call `startFirstPass()`, push the whole input,
   * call `startSecondPass()`, push it again, then `end()`. The first pass only counts ids, so the second
   * writes straight into the final matrix (peak memory ≈ matrix + line numbers, no growth copies).
   */
  startFirstPass(): void {
    this.idsOnly = true;
  }

  /** Replaces the progress sink (e.g. between the two passes). */
  setProgress(progress: ProgressSink | undefined): void {
    this.progress = progress;
  }

  /** Ends the first pass (see `startFirstPass`) and rewinds for the second. */
  startSecondPass(): void {
    this.parse(true);
    if (!this.header) throw new ForgetscopeError('empty', 'the file is empty (expected a header line)', { file: this.file, line: 1, column: 1 });
    this.idsOnly = false;
    this.idsOnlyLastField = 0;
    this.nextQuote = 0;
    this.header = null;
    this.cols = null;
    this.buf = new Uint8Array(0);
    this.pos = 0;
    this.consumed = 0;
    this.line = 1;
    this.lineStart = 0;
    this.started = false;
    this.builder.report.rows = 0;
    if (this.tasks.size > 0 && this.examples.size > 0) this.builder.presize(this.tasks.size, this.examples.size);
  }

  /** Parses the rest and builds the matrix. */
  end(): { matrix: ForgettingMatrix; report: ReadReport } {
    this.parse(true);
    if (!this.header) throw new ForgetscopeError('empty', 'the file is empty (expected a header line)', { file: this.file, line: 1, column: 1 });
    const matrix = this.builder.finish(this.tasks.strings, this.examples.strings);
    this.progress?.(this.consumed + this.pos, this.consumed + this.pos, 'reading');
    return { matrix, report: this.builder.report };
  }

  private parse(final: boolean): void {
    if (!this.started) {
      if (this.buf.length < 3 && !final) return;
      this.started = true;
      if (this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) {
        this.pos = 3;
        this.lineStart = 3;
      }
    }
    const buf = this.buf;
    const len = buf.length;
    for (;;) {
      if (this.pos >= len) break;
      const c = buf[this.pos]!;
      if (c === LF || c === CR) {
        // Blank line: skipped, as in every CSV reader.
        if (c === CR && this.pos + 1 >= len && !final) break;
        this.pos += c === CR && buf[this.pos + 1] === LF ? 2 : 1;
        this.line++;
        this.lineStart = this.pos;
        continue;
      }
      const recordLine = this.line;
      const recordLineStart = this.lineStart;
      const next = this.parseRecord(final);
      if (next < 0) {
        this.line = recordLine;
        this.lineStart = recordLineStart;
        break;
      }
      if (next - this.pos > this.limits.maxLineBytes) {
        throw new ForgetscopeError('parse', `line longer than ${this.limits.maxLineBytes} bytes (limits.maxLineBytes)`, { file: this.file, line: recordLine, column: 1 });
      }
      this.handleRecord(recordLine);
      this.pos = next;
      this.line++;
      this.lineStart = next;
    }
    if (this.pos > 0 && this.pos >= len) {
      this.consumed += this.pos;
      this.lineStart -= this.pos;
      this.buf = new Uint8Array(0);
      this.pos = 0;
    }
  }

  /** Splits the record at `this.pos` into fields; returns the offset after it, or -1 when incomplete. */
  private parseRecord(final: boolean): number {
    const buf = this.buf;
    const len = buf.length;
    const delim = this.delim;
    let p = this.pos;
    this.fieldCount = 0;
    this.scratchUsed = 0;
    for (;;) {
      let start: number;
      let end: number;
      let inScratch = 0;
      const column = p - this.lineStart + 1;
      if (p < len && buf[p] === QUOTE) {
        const scratchStart = this.scratchUsed;
        let q = p + 1;
        let segment = q;
        let escaped = false;
        let closing: number;
        for (;;) {
          const idx = buf.indexOf(QUOTE, q);
          if (idx < 0) {
            if (!final) return -1;
            throw new ForgetscopeError('parse', 'malformed quoting: a quoted field is never closed', { file: this.file, line: this.line, column });
          }
          if (idx + 1 >= len && !final) return -1;
          if (buf[idx + 1] === QUOTE) {
            escaped = true;
            this.toScratch(buf, segment, idx + 1);
            q = idx + 2;
            segment = q;
            continue;
          }
          closing = idx;
          break;
        }
        if (escaped) {
          this.toScratch(buf, segment, closing);
          start = scratchStart;
          end = this.scratchUsed;
          inScratch = 1;
        } else {
          start = p + 1;
          end = closing;
        }
        this.countLines(p + 1, closing);
        p = closing + 1;
        if (p < len) {
          const c = buf[p]!;
          if (c !== delim && c !== LF && c !== CR) {
            throw new ForgetscopeError('parse', `malformed quoting: unexpected character ${JSON.stringify(String.fromCharCode(c))} after a closing quote`, { file: this.file, line: this.line, column: p - this.lineStart + 1 });
          }
        }
      } else {
        start = p;
        let c = 0;
        while (p < len && (c = buf[p]!) !== delim && c !== LF && c !== CR) {
          if (c === QUOTE) {
            throw new ForgetscopeError('parse', 'malformed quoting: a quote inside an unquoted field (quote the whole field and double the quote)', { file: this.file, line: this.line, column: p - this.lineStart + 1 });
          }
          p++;
        }
        if (p >= len && !final) return -1;
        end = p;
      }
      this.pushField(start, end, inScratch, column);
      if (p >= len) return p;
      const c = buf[p]!;
      if (c === delim && this.fieldCount === this.idsOnlyLastField) {
        // First pass: the id fields are split; skip to the end of the line unless a quote (which could
        // hide a line break) comes first. The second pass checks the rest of the record.
        if (this.nextQuote < p && this.nextQuote !== -1) this.nextQuote = buf.indexOf(QUOTE, p);
        const lf = buf.indexOf(LF, p);
        if (lf >= 0 && (this.nextQuote === -1 || this.nextQuote > lf)) return lf + 1;
        if (lf < 0 && !final && (this.nextQuote === -1 || this.nextQuote >= len)) return -1;
      }
      if (c === delim) {
        p++;
        continue;
      }
      if (c === CR) {
        if (p + 1 >= len && !final) return -1;
        return buf[p + 1] === LF ? p + 2 : p + 1;
      }
      return p + 1; // LF
    }
  }

  private toScratch(buf: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.scratchUsed + n > this.scratch.length) {
      const bigger = new Uint8Array(Math.max(this.scratch.length * 2, this.scratchUsed + n));
      bigger.set(this.scratch.subarray(0, this.scratchUsed));
      this.scratch = bigger;
    }
    this.scratch.set(buf.subarray(from, to), this.scratchUsed);
    this.scratchUsed += n;
  }

  private countLines(from: number, to: number): void {
    const buf = this.buf;
    for (let k = buf.indexOf(LF, from); k >= 0 && k < to; k = buf.indexOf(LF, k + 1)) {
      this.line++;
      this.lineStart = k + 1;
    }
  }

  private pushField(start: number, end: number, inScratch: number, column: number): void {
    const k = this.fieldCount++;
    if (k >= this.limits.maxFields) {
      throw new ForgetscopeError('parse', `more than ${this.limits.maxFields} fields in one record (limits.maxFields)`, { file: this.file, line: this.line, column });
    }
    if (k >= this.fieldStart.length) {
      const size = this.fieldStart.length * 2;
      this.fieldStart = growInt(this.fieldStart, size);
      this.fieldEnd = growInt(this.fieldEnd, size);
      this.fieldColumn = growInt(this.fieldColumn, size);
      const b = new Uint8Array(size);
      b.set(this.fieldInScratch);
      this.fieldInScratch = b;
    }
    this.fieldStart[k] = start;
    this.fieldEnd[k] = end;
    this.fieldInScratch[k] = inScratch;
    this.fieldColumn[k] = column;
  }

  private fieldBytes(k: number): Uint8Array {
    return this.fieldInScratch[k] ? this.scratch : this.buf;
  }

  private handleRecord(line: number): void {
    if (!this.header) {
      const decoder = new TextDecoder('utf-8', { fatal: true });
      this.header = Array.from({ length: this.fieldCount }, (_, k) => {
        const bytes = this.fieldBytes(k).subarray(this.fieldStart[k]!, this.fieldEnd[k]!);
        try {
          return decoder.decode(bytes);
        } catch {
          throw new ForgetscopeError('parse', `the header's field ${k + 1} is not valid UTF-8 (byte ${firstInvalidUtf8(bytes) + 1})`, { file: this.file, line, column: this.fieldColumn[k]! });
        }
      });
      this.cols = locateLongColumns(this.header, resolveColumns(this.options.columns), { file: this.file, line });
      if (this.idsOnly) this.idsOnlyLastField = Math.max(this.cols.task, this.cols.example) + 1;
      const used = new Set([this.cols.task, this.cols.example, this.cols.delta, this.cols.nllBefore, this.cols.nllAfter]);
      this.extras = [];
      this.header.forEach((name, k) => {
        if (!used.has(k) && name !== '') this.extras.push({ field: k, meta: this.builder.metaIndex(name) });
      });
      return;
    }
    const cols = this.cols!;
    const builder = this.builder;
    builder.report.rows++;
    // The first pass may stop splitting after the id fields; the second pass checks the full count.
    if (this.fieldCount !== this.header.length && !(this.idsOnly && this.idsOnlyLastField > 0 && this.fieldCount >= this.idsOnlyLastField)) {
      const k = Math.min(this.fieldCount, this.header.length) - 1;
      throw new ForgetscopeError(
        'parse',
        `wrong column count: expected ${this.header.length} fields (${cutText(this.header.join(','))}), found ${this.fieldCount}`,
        { file: this.file, line, column: this.fieldColumn[Math.max(0, k)]! },
      );
    }
    const t = this.id(cols.task, this.tasks, line);
    const e = this.id(cols.example, this.examples, line);
    if (this.idsOnly) return;
    for (let x = 0; x < this.extras.length; x++) {
      const { field, meta } = this.extras[x]!;
      builder.meta(meta, t, e, this.text(field, line));
    }
    let before = NaN;
    if (cols.nllBefore >= 0) {
      before = this.number(cols.nllBefore, line);
      if (this.status !== OK) {
        if (cols.delta < 0) return this.dropMissing(cols.nllBefore);
      } else builder.setNllBefore(e, before);
    }
    let value: number;
    if (cols.delta >= 0) {
      value = this.number(cols.delta, line);
      if (this.status !== OK) return this.dropMissing(cols.delta);
    } else {
      const after = this.number(cols.nllAfter, line);
      if (this.status !== OK) return this.dropMissing(cols.nllAfter);
      value = after - before;
    }
    builder.add(t, e, value, line);
  }

  private dropMissing(k: number): void {
    this.builder.drop(`${this.status === EMPTY ? 'empty' : 'nan'} ${this.header![k]}`);
  }

  private id(k: number, interner: ByteInterner, line: number): number {
    const s = this.fieldStart[k]!;
    const e = this.fieldEnd[k]!;
    if (s === e) {
      throw new ForgetscopeError('parse', `empty ${this.header![k]} id`, { file: this.file, line, column: this.fieldColumn[k]! });
    }
    try {
      return interner.intern(this.fieldBytes(k), s, e);
    } catch (err) {
      if (err instanceof InvalidUtf8Id) {
        throw new ForgetscopeError('parse', `the ${this.header![k]} id is not valid UTF-8 (byte ${err.offset + 1} of the field)`, { file: this.file, line, column: this.fieldColumn[k]! });
      }
      throw err;
    }
  }

  /** Field k as text (strict UTF-8), or null when empty. */
  private text(k: number, line: number): string | null {
    const s = this.fieldStart[k]!;
    const e = this.fieldEnd[k]!;
    if (s === e) return null;
    const bytes = this.fieldBytes(k).subarray(s, e);
    try {
      return this.metaDecoder.decode(bytes);
    } catch {
      throw new ForgetscopeError('parse', `column ${quoteText(this.header![k]!)}: not valid UTF-8 (byte ${firstInvalidUtf8(bytes) + 1} of the field)`, { file: this.file, line, column: this.fieldColumn[k]! });
    }
  }

  /** Status of the last `number()`: OK, EMPTY (empty field) or MISSING_NAN (NaN with nanAsMissing). */
  private status = OK;

  /** Parses field k as a number, setting `status`. */
  private number(k: number, line: number): number {
    this.status = OK;
    const bytes = this.fieldBytes(k);
    let s = this.fieldStart[k]!;
    let e = this.fieldEnd[k]!;
    while (s < e && bytes[s] === SPACE) s++;
    while (e > s && bytes[e - 1] === SPACE) e--;
    if (s === e) {
      this.status = EMPTY;
      return NaN;
    }
    const v = parseNumberBytes(bytes, s, e);
    if (v === NOT_A_NUMBER) {
      const text = new TextDecoder().decode(bytes.subarray(s, Math.min(e, s + QUOTE_BYTES)));
      throw new ForgetscopeError('parse', `column "${this.header![k]}": ${e - s > QUOTE_BYTES ? `${JSON.stringify(text.slice(0, QUOTE_BYTES))}… (a field of ${e - s} bytes)` : quoteText(text)} is not a number`, { file: this.file, line, column: this.fieldColumn[k]! });
    }
    if (!Number.isFinite(v)) {
      if (Number.isNaN(v) && this.nanAsMissing) {
        this.status = MISSING_NAN;
        return NaN;
      }
      throw new ForgetscopeError('parse', `column "${this.header![k]}": ${String(v)} is not a finite number${Number.isNaN(v) ? ' (pass nanAsMissing to treat NaN as missing)' : ''}`, { file: this.file, line, column: this.fieldColumn[k]! });
    }
    return v;
  }
}

/** Bytes of an offending field a message decodes at most. */
const QUOTE_BYTES = 200;

const OK = 0;
const EMPTY = 1;
const MISSING_NAN = 2;

function growInt(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}
