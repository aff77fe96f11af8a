/**
 * Byte-level tokenizer of delimited text. Index invariant: every read marked `!` is in range — buffer
 * bytes at positions below `buf.length` by the loop bounds, and field arrays at k < `fieldCount`, which
 * never exceeds their length (they grow before a field is stored).
 * @module
 */
import { ForgetscopeError } from '../../util/errors.js';
import { resolveLimits, type ReadLimits } from '../limits.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The one tokenizer of delimited text (CSV, TSV) in forgetscope: RFC 4180 records from bytes arriving
 * in chunks — a field optionally in `"…"` with `""` for a quote, quoted fields holding delimiters and
 * line breaks, LF or CRLF, an optional UTF-8 BOM, blank lines skipped — with 1-based line and column
 * of every field, and the line and field limits of `ReadLimits`. Fields are byte ranges (no string per
 * field); subclasses read them in `onRecord`: the long-table parser (`DelimitedLongTableParser`) and
 * `splitDelimited` for small tables.
 */
export abstract class DelimitedTokenizer {
  protected readonly file: string;
  protected readonly delim: number;
  protected readonly limits: ReadLimits;
  protected buf: Uint8Array = new Uint8Array(0);
  protected pos = 0;
  protected consumed = 0;
  protected line = 1;
  protected lineStart = 0;
  protected started = false;
  /** When > 0, the number of fields to split before skipping to the end of the line (ids-only first pass). */
  protected idsOnlyLastField = 0;
  /** Position of the next quote in `buf` at or after the last lookup (-1: none in this buffer). */
  protected nextQuote = 0;
  // Fields of the current record: start, end, which buffer (0 input, 1 scratch), 1-based column.
  protected fieldStart: Int32Array = new Int32Array(16);
  protected fieldEnd: Int32Array = new Int32Array(16);
  protected fieldInScratch = new Uint8Array(16);
  protected fieldColumn: Int32Array = new Int32Array(16);
  protected fieldCount = 0;
  private scratch = new Uint8Array(256);
  private scratchUsed = 0;

  constructor(options: { file: string; delimiter: string; limits?: Partial<ReadLimits> }) {
    this.file = options.file;
    if (
      options.delimiter.length !== 1 ||
      options.delimiter.charCodeAt(0) > 127 ||
      options.delimiter === '"' ||
      options.delimiter === '\n' ||
      options.delimiter === '\r'
    ) {
      throw new ForgetscopeError(
        'usage',
        `delimiter must be one ASCII character other than a quote or a line break, not ${JSON.stringify(options.delimiter)}`,
      );
    }
    this.delim = options.delimiter.charCodeAt(0);
    this.limits = resolveLimits(options.limits);
  }

  /** Handles the record just split (fields 0 … fieldCount−1), which started on `line`. */
  protected abstract onRecord(line: number): void;

  /** Splits every complete record of the data so far. */
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
      throw new ForgetscopeError('parse', `line longer than ${this.limits.maxLineBytes} bytes (limits.maxLineBytes)`, {
        file: this.file,
        line: this.line,
        column: 1,
      });
    }
  }

  /** Forgets the input read so far (a second pass over the same file starts here). */
  protected rewind(): void {
    this.idsOnlyLastField = 0;
    this.nextQuote = 0;
    this.buf = new Uint8Array(0);
    this.pos = 0;
    this.consumed = 0;
    this.line = 1;
    this.lineStart = 0;
    this.started = false;
  }

  /** Splits every complete record of `buf` (all of it when `final`), calling `onRecord` for each. */
  protected parse(final: boolean): void {
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
        throw new ForgetscopeError(
          'parse',
          `line longer than ${this.limits.maxLineBytes} bytes (limits.maxLineBytes)`,
          { file: this.file, line: recordLine, column: 1 },
        );
      }
      this.onRecord(recordLine);
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
            throw new ForgetscopeError('parse', 'malformed quoting: a quoted field is never closed', {
              file: this.file,
              line: this.line,
              column,
            });
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
            throw new ForgetscopeError(
              'parse',
              `malformed quoting: unexpected character ${JSON.stringify(String.fromCharCode(c))} after a closing quote`,
              { file: this.file, line: this.line, column: p - this.lineStart + 1 },
            );
          }
        }
      } else {
        start = p;
        let c = 0;
        while (p < len && (c = buf[p]!) !== delim && c !== LF && c !== CR) {
          if (c === QUOTE) {
            throw new ForgetscopeError(
              'parse',
              'malformed quoting: a quote inside an unquoted field (quote the whole field and double the quote)',
              { file: this.file, line: this.line, column: p - this.lineStart + 1 },
            );
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
      throw new ForgetscopeError(
        'parse',
        `more than ${this.limits.maxFields} fields in one record (limits.maxFields)`,
        { file: this.file, line: this.line, column },
      );
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

  /** The buffer that holds field k of the current record (`fieldStart`/`fieldEnd` index into it). */
  protected fieldBytes(k: number): Uint8Array {
    return this.fieldInScratch[k] ? this.scratch : this.buf;
  }

  /**
   * Whether field k of the current record was quoted (`"…"`): a field with a doubled quote was copied
   * to the scratch buffer; any other quoted field starts right after its opening quote, while an
   * unquoted one starts after a delimiter, a line break or at the start of the input.
   */
  protected fieldQuoted(k: number): boolean {
    if (this.fieldInScratch[k]) return true;
    const start = this.fieldStart[k] ?? 0;
    return start > 0 && this.buf[start - 1] === QUOTE;
  }
}

function growInt(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

/** One record of `splitDelimited`: its fields as text, the 1-based line it starts on and each field's 1-based column. */
export interface DelimitedRecord {
  line: number;
  fields: string[];
  columns: number[];
}

class RecordCollector extends DelimitedTokenizer {
  readonly records: DelimitedRecord[] = [];
  private readonly decoder = new TextDecoder();

  protected onRecord(line: number): void {
    const fields: string[] = [];
    const columns: number[] = [];
    for (let k = 0; k < this.fieldCount; k++) {
      fields.push(this.decoder.decode(this.fieldBytes(k).subarray(this.fieldStart[k]!, this.fieldEnd[k]!)));
      columns.push(this.fieldColumn[k]!);
    }
    this.records.push({ line, fields, columns });
  }

  finish(): DelimitedRecord[] {
    this.parse(true);
    return this.records;
  }
}

/**
 * Splits a small delimited table (text or bytes) into records with `DelimitedTokenizer`, the same
 * rules and errors as the long-table reader (quoting, line breaks in quotes, BOM, blank lines skipped).
 * @example
 * splitDelimited('a,b\n"x,1",2\n', { file: 't.csv' }).map((r) => r.fields); // [['a', 'b'], ['x,1', '2']]
 */
export function splitDelimited(
  input: string | Uint8Array,
  options: { file: string; delimiter?: string; limits?: Partial<ReadLimits> },
): DelimitedRecord[] {
  const collector = new RecordCollector({
    file: options.file,
    delimiter: options.delimiter ?? ',',
    ...(options.limits ? { limits: options.limits } : {}),
  });
  collector.push(typeof input === 'string' ? new TextEncoder().encode(input) : input);
  return collector.finish();
}
