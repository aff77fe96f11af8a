import { itemAt } from '../../util/checked.js';
import { ForgetscopeError } from '../../util/errors.js';
import { startLongTable } from './startLongTable.js';
import { StringInterner } from './StringInterner.js';
import { sideValueError, locateSideColumns, sideResult } from './sideColumns.js';
import type { LongReadOptions, LongReadResult } from './sideColumns.js';
import { cutText, resolveLimits } from '../limits.js';
import { firstInvalidUtf8 } from '../utf8.js';
import { jsonId, parseJsonLimited } from '../json/parseJsonLimited.js';

/**
 * Reads a long table from JSON Lines (one object per line with the task, example and value fields;
 * ids may be strings or numbers; `null` or a missing value field is a dropped row). Blank lines are
 * skipped. Streams: memory is bounded by the output plus one chunk. Side columns (`options.side`) are
 * fields read in the same pass; the first record must have each.
 */
export async function readJsonLinesLongTable(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: LongReadOptions & { totalBytes?: number },
): Promise<LongReadResult> {
  const file = options.file;
  const state = startLongTable(options, () => new StringInterner(), 'line');
  const { names, tasks, examples, builder, cell, sideValues } = state;
  const sideNames = options.side ?? [];
  const isSide = new Set(sideNames);
  const limits = resolveLimits(options.limits);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 0;
  let bytes = 0;
  let sawData = false;
  let mode: 'delta' | 'nll' | null = null;

  const handle = (text: string) => {
    line++;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') return;
    sawData = true;
    const obj = parseJsonLimited(text, { file, line }, limits.maxJsonDepth);
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new ForgetscopeError('parse', 'expected a JSON object on each line', { file, line, column: 1 });
    }
    const rec = obj as Record<string, unknown>;
    builder.report.rows++;
    if (mode === null) {
      mode = names.delta in rec ? 'delta' : 'nll';
      const missing = [names.task, names.example].filter((n) => !(n in rec));
      if (mode === 'nll' && !(names.nllBefore in rec && names.nllAfter in rec))
        missing.push(`${names.delta} (or ${names.nllBefore} and ${names.nllAfter})`);
      if (missing.length > 0) {
        throw new ForgetscopeError(
          'missing-column',
          `missing field${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}; the first record has ${cutText(
            Object.keys(rec)
              .map((k) => JSON.stringify(k))
              .join(', '),
          )}`,
          { file, line, column: 1 },
        );
      }
      locateSideColumns(Object.keys(rec), sideNames, { file, line });
    }
    const t = tasks.intern(id(rec, names.task, text));
    const e = examples.intern(id(rec, names.example, text));
    for (const key in rec) {
      if (
        key === names.task ||
        key === names.example ||
        key === names.delta ||
        key === names.nllBefore ||
        key === names.nllAfter ||
        isSide.has(key)
      )
        continue;
      const v = rec[key];
      const k = builder.metaIndex(key);
      if (typeof v === 'string' && v !== '') builder.metaIsText(k); // a JSON string is text, even "2019"
      builder.meta(
        k,
        t,
        e,
        v === null || v === undefined
          ? null
          : typeof v === 'string'
            ? v
            : typeof v === 'object'
              ? JSON.stringify(v)
              : String(v),
      );
    }
    let value: number;
    if (mode === 'delta') {
      const v = num(rec, names.delta);
      if (v === null) return builder.drop(`null ${names.delta}`);
      value = v;
      if (names.nllBefore in rec) {
        const b = num(rec, names.nllBefore);
        if (b !== null) builder.setNllBefore(e, b);
      }
    } else {
      const b = num(rec, names.nllBefore);
      const a = num(rec, names.nllAfter);
      if (b === null || a === null) return builder.drop(`null ${b === null ? names.nllBefore : names.nllAfter}`);
      builder.setNllBefore(e, b);
      value = a - b;
    }
    for (let k = 0; k < sideNames.length; k++) {
      const name = itemAt(sideNames, k, 'side column');
      const v = rec[name];
      const x = v === null || v === undefined ? null : typeof v === 'number' ? v : num(rec, name);
      if (x === null || x - x !== 0) throw sideValueError(x, name, cell(t, e), { file, line, column: name });
      sideValues[k] = x;
    }
    builder.add(t, e, value, line, sideValues);
  };

  const id = (rec: Record<string, unknown>, key: string, text: string): string => {
    const v = rec[key];
    // Numbers keep their exact source digits (a 20-digit id is not rounded to a double).
    const got = jsonId(v, text, key);
    if (got === null) {
      throw new ForgetscopeError(
        'parse',
        `field "${key}" must be a string or number id, found ${v === undefined ? 'nothing' : cutText(JSON.stringify(v) ?? String(v))}`,
        { file, line, column: key },
      );
    }
    if (got === '') throw new ForgetscopeError('parse', `empty ${key} id`, { file, line, column: key });
    return got;
  };

  const num = (rec: Record<string, unknown>, key: string): number | null => {
    const v = rec[key];
    if (v === null || v === undefined) return null;
    if (typeof v !== 'number') {
      if (typeof v === 'string' && /^\s*[-+]?nan\s*$/i.test(v) && options.nanAsMissing) return null;
      throw new ForgetscopeError(
        'parse',
        `field "${key}": ${cutText(JSON.stringify(v) ?? String(v))} is not a number`,
        { file, line, column: key },
      );
    }
    if (!Number.isFinite(v))
      throw new ForgetscopeError('parse', `field "${key}": the number overflows to ${v}`, { file, line, column: key });
    return v;
  };

  // Lines are cut at LF in the bytes and each is decoded strictly (invalid UTF-8 is an error at its
  // line, never U+FFFD); a line longer than limits.maxLineBytes is an error before it is buffered whole.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const decodeLine = (bytesOfLine: Uint8Array): string => {
    try {
      return decoder.decode(bytesOfLine);
    } catch {
      const at = firstInvalidUtf8(bytesOfLine);
      throw new ForgetscopeError('parse', 'invalid UTF-8 (text must be UTF-8; ids are compared byte for byte)', {
        file,
        line: line + 1,
        column: at + 1,
      });
    }
  };
  const tooLong = () =>
    new ForgetscopeError('parse', `line longer than ${limits.maxLineBytes} bytes (limits.maxLineBytes)`, {
      file,
      line: line + 1,
      column: 1,
    });
  const takeLine = (tail: Uint8Array) => {
    let whole = tail;
    if (pending.length > 0) {
      whole = new Uint8Array(pendingBytes + tail.length);
      let o = 0;
      for (const p of pending) {
        whole.set(p, o);
        o += p.length;
      }
      whole.set(tail, o);
      pending = [];
      pendingBytes = 0;
    }
    if (whole.length > limits.maxLineBytes) throw tooLong();
    let text = decodeLine(whole);
    if (line === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    handle(text);
  };
  for await (const raw of chunks) {
    const chunk = raw.constructor === Uint8Array ? raw : new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    bytes += chunk.length;
    let start = 0;
    for (let lf = chunk.indexOf(0x0a); lf >= 0; lf = chunk.indexOf(0x0a, start)) {
      takeLine(chunk.subarray(start, lf));
      start = lf + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > limits.maxLineBytes) throw tooLong();
    }
    options.progress?.(bytes, options.totalBytes, 'reading');
  }
  if (pendingBytes > 0) takeLine(new Uint8Array(0));
  if (!sawData)
    throw new ForgetscopeError('empty', 'the file is empty (no JSON records)', { file, line: 1, column: 1 });
  const matrix = builder.finish(tasks.strings, examples.strings);
  return { matrix, report: builder.report, ...sideResult(builder, options.side, matrix) };
}
