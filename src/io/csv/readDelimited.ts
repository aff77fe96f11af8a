import { ForgetscopeError } from '../../util/errors.js';
import type { ProgressSink } from '../../util/progress.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { ByteInterner, InvalidUtf8Id } from '../long/ByteInterner.js';
import { cutText, quoteText } from '../limits.js';
import { DelimitedTokenizer } from './DelimitedTokenizer.js';
import { firstInvalidUtf8 } from '../utf8.js';
import { LongTableBuilder } from '../long/LongTableBuilder.js';
import { NOT_A_NUMBER, parseNumberBytes } from '../long/parseNumber.js';
import { locateLongColumns, type LongColumnIndices } from '../long/locateColumns.js';
import { resolveColumns } from '../resolveColumns.js';
import type { ReadOptions, ReadReport } from '../types.js';

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
export class DelimitedLongTableParser extends DelimitedTokenizer {
  private readonly options: DelimitedReadOptions;
  private progress: ProgressSink | undefined;
  private header: string[] | null = null;
  private cols: LongColumnIndices | null = null;
  /** Extra columns of the header (neither ids nor values): field index and metadata column. */
  private extras: { field: number; meta: number }[] = [];
  private readonly metaDecoder = new TextDecoder('utf-8', { fatal: true });
  private readonly tasks = new ByteInterner();
  private readonly examples = new ByteInterner();
  private readonly builder: LongTableBuilder;
  private readonly nanAsMissing: boolean;
  /** First pass of a two-pass read: only split records and intern ids (see `startSecondPass`). */
  private idsOnly = false;

  constructor(options: DelimitedReadOptions) {
    super(options);
    this.options = options;
    this.progress = options.progress;
    this.nanAsMissing = options.nanAsMissing ?? false;
    this.builder = new LongTableBuilder({
      file: this.file,
      ...(options.duplicates ? { duplicates: options.duplicates } : {}),
      ...(options.dtype ? { dtype: options.dtype } : {}),
      describe: (t, e) => `task "${this.tasks.strings[t]}", example "${this.examples.strings[e]}"`,
    });
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
    if (!this.header)
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
    this.header = null;
    this.cols = null;
    this.builder.report.rows = 0;
    if (this.tasks.size > 0 && this.examples.size > 0) this.builder.presize(this.tasks.size, this.examples.size);
  }

  /** Parses the rest and builds the matrix. */
  end(): { matrix: ForgettingMatrix; report: ReadReport } {
    this.parseToEnd();
    const matrix = this.builder.finish(this.tasks.strings, this.examples.strings);
    this.progress?.(this.consumed + this.pos, this.consumed + this.pos, 'reading');
    return { matrix, report: this.builder.report };
  }

  protected onRecord(line: number): void {
    if (!this.header) {
      const decoder = new TextDecoder('utf-8', { fatal: true });
      this.header = Array.from({ length: this.fieldCount }, (_, k) => {
        const bytes = this.fieldBytes(k).subarray(this.fieldStart[k]!, this.fieldEnd[k]!);
        try {
          return decoder.decode(bytes);
        } catch {
          throw new ForgetscopeError(
            'parse',
            `the header's field ${k + 1} is not valid UTF-8 (byte ${firstInvalidUtf8(bytes) + 1})`,
            { file: this.file, line, column: this.fieldColumn[k]! },
          );
        }
      });
      this.cols = locateLongColumns(this.header, resolveColumns(this.options.columns), { file: this.file, line });
      if (this.idsOnly) this.idsOnlyLastField = Math.max(this.cols.task, this.cols.example) + 1;
      const used = new Set([
        this.cols.task,
        this.cols.example,
        this.cols.delta,
        this.cols.nllBefore,
        this.cols.nllAfter,
      ]);
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
    if (
      this.fieldCount !== this.header.length &&
      !(this.idsOnly && this.idsOnlyLastField > 0 && this.fieldCount >= this.idsOnlyLastField)
    ) {
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
      const needs = builder.metaNeeds(meta);
      if (needs === 'value') builder.meta(meta, t, e, this.text(field, line));
      else if (needs === 'numeric' && this.fieldStart[field]! < this.fieldEnd[field]!) {
        const bytes = this.fieldBytes(field);
        let s0 = this.fieldStart[field]!;
        let e0 = this.fieldEnd[field]!;
        while (s0 < e0 && bytes[s0] === SPACE) s0++;
        while (e0 > s0 && bytes[e0 - 1] === SPACE) e0--;
        if (s0 < e0 && parseNumberBytes(bytes, s0, e0) === NOT_A_NUMBER) builder.metaNotNumeric(meta);
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
    builder.add(t, e, value, line);
  }

  private dropMissing(k: number): void {
    this.builder.drop(`${this.status === EMPTY ? 'empty' : 'nan'} ${this.header![k]}`);
  }

  private id(k: number, interner: ByteInterner, line: number): number {
    const s = this.fieldStart[k]!;
    const e = this.fieldEnd[k]!;
    if (s === e) {
      throw new ForgetscopeError('parse', `empty ${this.header![k]} id`, {
        file: this.file,
        line,
        column: this.fieldColumn[k]!,
      });
    }
    try {
      return interner.intern(this.fieldBytes(k), s, e);
    } catch (err) {
      if (err instanceof InvalidUtf8Id) {
        throw new ForgetscopeError(
          'parse',
          `the ${this.header![k]} id is not valid UTF-8 (byte ${err.offset + 1} of the field)`,
          { file: this.file, line, column: this.fieldColumn[k]! },
        );
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
      throw new ForgetscopeError(
        'parse',
        `column ${quoteText(this.header![k]!)}: not valid UTF-8 (byte ${firstInvalidUtf8(bytes) + 1} of the field)`,
        { file: this.file, line, column: this.fieldColumn[k]! },
      );
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
      throw new ForgetscopeError(
        'parse',
        `column "${this.header![k]}": ${e - s > QUOTE_BYTES ? `${JSON.stringify(text.slice(0, QUOTE_BYTES))}… (a field of ${e - s} bytes)` : quoteText(text)} is not a number`,
        { file: this.file, line, column: this.fieldColumn[k]! },
      );
    }
    if (!Number.isFinite(v)) {
      if (Number.isNaN(v) && this.nanAsMissing) {
        this.status = MISSING_NAN;
        return NaN;
      }
      throw new ForgetscopeError(
        'parse',
        `column "${this.header![k]}": ${String(v)} is not a finite number${Number.isNaN(v) ? ' (pass nanAsMissing to treat NaN as missing)' : ''}`,
        { file: this.file, line, column: this.fieldColumn[k]! },
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
