import { itemAt } from '../../util/checked.js';
import { ForgetscopeError } from '../../util/errors.js';
import type { ProgressSink } from '../../util/progress.js';
import { ByteInterner, InvalidUtf8Id } from '../long/ByteInterner.js';
import { cutText, quoteText } from '../limits.js';
import { DelimitedTokenizer } from './DelimitedTokenizer.js';
import { firstInvalidUtf8 } from '../utf8.js';
import type { LongTableBuilder } from '../long/LongTableBuilder.js';
import { startLongTable } from '../long/startLongTable.js';
import { NOT_A_NUMBER, parseNumberBytes } from '../long/parseNumber.js';
import { locateLongColumns, type LongColumnIndices } from '../long/locateColumns.js';
import { sideValueError, locateSideColumns, sideResult } from '../long/sideColumns.js';
import type { LongReadOptions, LongReadResult } from '../long/sideColumns.js';
import type { ColumnNames } from '../types.js';

const SPACE = 0x20;

/** Options of `readDelimitedLongTable`. */
export interface DelimitedReadOptions extends LongReadOptions {
  /** Field delimiter (one ASCII character). */
  delimiter: string;
  /** Total input size in bytes, when known (for progress). */
  totalBytes?: number;
}

/**
 * Reads a long table from delimited text (CSV, TSV) arriving in chunks, into a matrix. RFC 4180:
 * a header line, fields optionally quoted with `"` (a quote inside a quoted field is doubled; quoted
 * fields may hold delimiters and newlines), LF or CRLF line ends, an optional UTF-8 BOM. Blank lines are
 * skipped. Memory is bounded by the output matrix plus one chunk. Side columns (`options.side`) are
 * read in the same pass.
 *
 * Hand-written byte-level parser: it interns ids and parses numbers without making a string per field,
 * which is what lets a 10-million-row table load in seconds (see bench/io).
 */
export async function readDelimitedLongTable(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: DelimitedReadOptions,
): Promise<LongReadResult> {
  const parser = new DelimitedLongTableParser(options);
  for await (const chunk of chunks) parser.push(chunk);
  return parser.end();
}

/** Incremental form of `readDelimitedLongTable`: `push` chunks, then `end()`. */
export class DelimitedLongTableParser extends DelimitedTokenizer {
  private readonly options: DelimitedReadOptions;
  private progress: ProgressSink | undefined;
  /** The header's names and located columns, once the header line is read. */
  private head: { names: string[]; cols: LongColumnIndices } | null = null;
  /** Fields of the side columns (`options.side`), and the current row's side values. */
  private sideFields: number[] = [];
  private readonly sideValues: Float64Array;
  /** The long-table column names to look for in the header. */
  private readonly names: ColumnNames;
  /** Extra columns of the header (neither ids nor values): field index and metadata column. */
  private extras: { field: number; meta: number }[] = [];
  private readonly metaDecoder = new TextDecoder('utf-8', { fatal: true });
  private readonly tasks: ByteInterner;
  private readonly examples: ByteInterner;
  private readonly builder: LongTableBuilder;
  /** Names cell (t, e) by its ids. */
  private readonly cell: (t: number, e: number) => string;
  private readonly nanAsMissing: boolean;
  /** First pass of a two-pass read: only split records and intern ids (see `startSecondPass`). */
  private idsOnly = false;

  constructor(options: DelimitedReadOptions) {
    super(options);
    this.options = options;
    this.progress = options.progress;
    this.nanAsMissing = options.nanAsMissing ?? false;
    const state = startLongTable(this.options, () => new ByteInterner(), 'line');
    this.tasks = state.tasks;
    this.examples = state.examples;
    this.builder = state.builder;
    this.cell = state.cell;
    this.sideValues = state.sideValues;
    this.names = state.names;
  }

  /** Parses every complete record of the data so far. */
  override push(chunk: Uint8Array): void {
    super.push(chunk);
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

  /** Parses what is buffered to the end of the input, which must have had a header line. */
  private parseToEnd(): void {
    this.parse(true);
    if (!this.head)
      throw new ForgetscopeError('empty', 'the file is empty (expected a header line)', {
        file: this.file,
        line: 1,
        column: 1,
      });
  }

  /** Ends the first pass (see `startFirstPass`) and rewinds for the second. */
  startSecondPass(): void {
    this.parseToEnd();
    this.idsOnly = false;
    this.rewind();
    this.head = null;
    this.builder.report.rows = 0;
    if (this.tasks.size > 0 && this.examples.size > 0) this.builder.presize(this.tasks.size, this.examples.size);
  }

  /** Parses the rest and builds the matrix. */
  end(): LongReadResult {
    this.parseToEnd();
    const matrix = this.builder.finish(this.tasks.strings, this.examples.strings);
    this.progress?.(this.consumed + this.pos, this.consumed + this.pos, 'reading');
    return { matrix, report: this.builder.report, ...sideResult(this.builder, this.options.side, matrix) };
  }

  /** The header's field k (< the header's length). */
  private name(k: number): string {
    return itemAt(this.head?.names ?? [], k, 'header field');
  }

  /** Where field k of the current record starts in `fieldBytes(k)` (k < fieldCount). */
  private fieldFrom(k: number): number {
    return itemAt(this.fieldStart, k, 'field');
  }

  /** Where field k of the current record ends in `fieldBytes(k)` (k < fieldCount). */
  private fieldTo(k: number): number {
    return itemAt(this.fieldEnd, k, 'field');
  }

  /** The 1-based column field k of the current record starts at (k < fieldCount). */
  private fieldCol(k: number): number {
    return itemAt(this.fieldColumn, k, 'field');
  }

  protected onRecord(line: number): void {
    if (!this.head) {
      this.readHeader(line);
      return;
    }
    const { names, cols } = this.head;
    const builder = this.builder;
    builder.report.rows++;
    // The first pass may stop splitting after the id fields; the second pass checks the full count.
    if (
      this.fieldCount !== names.length &&
      !(this.idsOnly && this.idsOnlyLastField > 0 && this.fieldCount >= this.idsOnlyLastField)
    ) {
      const k = Math.min(this.fieldCount, names.length) - 1;
      throw new ForgetscopeError(
        'parse',
        `wrong column count: expected ${names.length} fields (${cutText(names.join(','))}), found ${this.fieldCount}`,
        { file: this.file, line, column: this.fieldCol(Math.max(0, k)) },
      );
    }
    const t = this.id(cols.task, this.tasks, line);
    const e = this.id(cols.example, this.examples, line);
    if (this.idsOnly) return;
    for (const { field, meta } of this.extras) {
      const needs = builder.metaNeeds(meta);
      if (needs === 'value') {
        // quoted text is text, even when it looks like a number ("2019", "007")
        if (this.fieldQuoted(field) && this.fieldFrom(field) < this.fieldTo(field)) builder.metaIsText(meta);
        builder.meta(meta, t, e, this.text(field, line));
      } else if (needs === 'number') {
        // an embedding coordinate, parsed from the bytes (no string per field)
        const x = this.fieldNumber(field);
        if (x === NOT_A_NUMBER) builder.metaNotNumeric(meta);
        else if (x !== null) builder.metaNumber(meta, t, e, x);
      } else if (needs === 'numeric' && this.fieldNumber(field) === NOT_A_NUMBER) {
        builder.metaNotNumeric(meta);
      }
    }
    let before = NaN;
    if (cols.nllBefore >= 0) {
      before = this.number(cols.nllBefore, line);
      if (this.status !== OK) {
        if (cols.delta < 0) {
          this.dropMissing(cols.nllBefore);
          return;
        }
      } else builder.setNllBefore(e, before);
    }
    let value: number;
    if (cols.delta >= 0) {
      value = this.number(cols.delta, line);
      if (this.status !== OK) {
        this.dropMissing(cols.delta);
        return;
      }
    } else {
      const after = this.number(cols.nllAfter, line);
      if (this.status !== OK) {
        this.dropMissing(cols.nllAfter);
        return;
      }
      value = after - before;
    }
    if (this.sideFields.length > 0) this.readSide(t, e, line);
    builder.add(t, e, value, line, this.sideValues);
  }

  /** Reads the header line: column names (strict UTF-8), the long-table and side columns, the extras. */
  private readHeader(line: number): void {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const names = Array.from({ length: this.fieldCount }, (_, k) => {
      const bytes = this.fieldBytes(k).subarray(this.fieldFrom(k), this.fieldTo(k));
      try {
        return decoder.decode(bytes);
      } catch {
        throw new ForgetscopeError(
          'parse',
          `the header's field ${k + 1} is not valid UTF-8 (byte ${firstInvalidUtf8(bytes) + 1})`,
          { file: this.file, line, column: this.fieldCol(k) },
        );
      }
    });
    const cols = locateLongColumns(names, this.names, { file: this.file, line });
    this.head = { names, cols };
    this.sideFields = locateSideColumns(names, this.options.side ?? [], { file: this.file, line });
    if (this.idsOnly) this.idsOnlyLastField = Math.max(cols.task, cols.example) + 1;
    const used = new Set([cols.task, cols.example, cols.delta, cols.nllBefore, cols.nllAfter, ...this.sideFields]);
    this.extras = [];
    names.forEach((name, k) => {
      if (!used.has(k) && name !== '') this.extras.push({ field: k, meta: this.builder.metaIndex(name) });
    });
  }

  /** Reads the side values of a kept row into `sideValues`: each must be a finite number. */
  private readSide(t: number, e: number, line: number): void {
    for (let k = 0; k < this.sideFields.length; k++) {
      const field = itemAt(this.sideFields, k, 'side column');
      const x = this.parseField(field, line);
      if (x === null || x - x !== 0)
        throw sideValueError(x, this.name(field), this.cell(t, e), {
          file: this.file,
          line,
          column: this.fieldCol(field),
        });
      this.sideValues[k] = x;
    }
  }

  private dropMissing(k: number): void {
    this.builder.drop(`${this.status === EMPTY ? 'empty' : 'nan'} ${this.name(k)}`);
  }

  private id(k: number, interner: ByteInterner, line: number): number {
    const s = this.fieldFrom(k);
    const e = this.fieldTo(k);
    if (s === e) {
      throw new ForgetscopeError('parse', `empty ${this.name(k)} id`, {
        file: this.file,
        line,
        column: this.fieldCol(k),
      });
    }
    try {
      return interner.intern(this.fieldBytes(k), s, e);
    } catch (err) {
      if (err instanceof InvalidUtf8Id) {
        throw new ForgetscopeError(
          'parse',
          `the ${this.name(k)} id is not valid UTF-8 (byte ${err.offset + 1} of the field)`,
          { file: this.file, line, column: this.fieldCol(k) },
        );
      }
      throw err;
    }
  }

  /** Field k as text (strict UTF-8), or null when empty. */
  private text(k: number, line: number): string | null {
    const s = this.fieldFrom(k);
    const e = this.fieldTo(k);
    if (s === e) return null;
    const bytes = this.fieldBytes(k).subarray(s, e);
    try {
      return this.metaDecoder.decode(bytes);
    } catch {
      throw new ForgetscopeError(
        'parse',
        `column ${quoteText(this.name(k))}: not valid UTF-8 (byte ${firstInvalidUtf8(bytes) + 1} of the field)`,
        { file: this.file, line, column: this.fieldCol(k) },
      );
    }
  }

  /** Field k as a number without the spaces around it (any double), null when blank, NOT_A_NUMBER for other text. */
  private fieldNumber(k: number): number | null | typeof NOT_A_NUMBER {
    const bytes = this.fieldBytes(k);
    let s = this.fieldFrom(k);
    let e = this.fieldTo(k);
    while (s < e && bytes[s] === SPACE) s++;
    while (e > s && bytes[e - 1] === SPACE) e--;
    return s === e ? null : parseNumberBytes(bytes, s, e);
  }

  /** Status of the last `number()`: OK, EMPTY (empty field) or MISSING_NAN (NaN with nanAsMissing). */
  private status = OK;

  /**
   * Field k as a number, any double (NaN and infinities included), or null when it is empty or blank;
   * text that is not a number is an error at the field.
   */
  private parseField(k: number, line: number): number | null {
    const bytes = this.fieldBytes(k);
    let s = this.fieldFrom(k);
    let e = this.fieldTo(k);
    while (s < e && bytes[s] === SPACE) s++;
    while (e > s && bytes[e - 1] === SPACE) e--;
    if (s === e) return null;
    const v = parseNumberBytes(bytes, s, e);
    if (v === NOT_A_NUMBER) {
      const text = new TextDecoder().decode(bytes.subarray(s, Math.min(e, s + QUOTE_BYTES)));
      throw new ForgetscopeError(
        'parse',
        `column "${this.name(k)}": ${e - s > QUOTE_BYTES ? `${JSON.stringify(text.slice(0, QUOTE_BYTES))}… (a field of ${e - s} bytes)` : quoteText(text)} is not a number`,
        { file: this.file, line, column: this.fieldCol(k) },
      );
    }
    return v;
  }

  /** Parses field k as a finite number, setting `status` (NaN when the field is missing). */
  private number(k: number, line: number): number {
    this.status = OK;
    const v = this.parseField(k, line);
    if (v === null) {
      this.status = EMPTY;
      return NaN;
    }
    if (!Number.isFinite(v)) {
      if (Number.isNaN(v) && this.nanAsMissing) {
        this.status = MISSING_NAN;
        return NaN;
      }
      throw new ForgetscopeError(
        'parse',
        `column "${this.name(k)}": ${String(v)} is not a finite number${Number.isNaN(v) ? ' (pass nanAsMissing to treat NaN as missing)' : ''}`,
        { file: this.file, line, column: this.fieldCol(k) },
      );
    }
    return v;
  }
}

/** Bytes of an offending field a message decodes at most. */
const QUOTE_BYTES = 200;

const OK = 0;
const EMPTY = 1;
const MISSING_NAN = 2;
