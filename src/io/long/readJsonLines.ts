import { ForgetscopeError } from '../../util/errors.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { LongTableBuilder } from './LongTableBuilder.js';
import { StringInterner } from './StringInterner.js';
import { resolveColumns } from '../resolveColumns.js';
import type { ReadOptions, ReadReport } from '../types.js';

/**
 * Reads a long table from JSON Lines (one object per line with the task, example and value fields;
 * ids may be strings or numbers; `null` or a missing value field is a dropped row). Blank lines are
 * skipped. Streams: memory is bounded by the output plus one chunk.
 */
export async function readJsonLinesLongTable(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ReadOptions & { file: string; totalBytes?: number },
): Promise<{ matrix: ForgettingMatrix; report: ReadReport }> {
  const file = options.file;
  const names = resolveColumns(options.columns);
  const tasks = new StringInterner();
  const examples = new StringInterner();
  const builder = new LongTableBuilder({
    file,
    ...(options.duplicates ? { duplicates: options.duplicates } : {}),
    ...(options.dtype ? { dtype: options.dtype } : {}),
    describe: (t, e) => `task "${tasks.strings[t]}", example "${examples.strings[e]}"`,
  });
  const decoder = new TextDecoder();
  let carry = '';
  let line = 0;
  let bytes = 0;
  let sawData = false;
  let mode: 'delta' | 'nll' | null = null;

  const handle = (text: string) => {
    line++;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') return;
    sawData = true;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new ForgetscopeError('parse', `not valid JSON: ${(e as Error).message}`, { file, line, column: 1 });
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new ForgetscopeError('parse', 'expected a JSON object on each line', { file, line, column: 1 });
    }
    const rec = obj as Record<string, unknown>;
    builder.report.rows++;
    if (mode === null) {
      mode = names.delta in rec ? 'delta' : 'nll';
      const missing = [names.task, names.example].filter((n) => !(n in rec));
      if (mode === 'nll' && !(names.nllBefore in rec && names.nllAfter in rec)) missing.push(`${names.delta} (or ${names.nllBefore} and ${names.nllAfter})`);
      if (missing.length > 0) {
        throw new ForgetscopeError('missing-column', `missing field${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}; the first record has ${Object.keys(rec).map((k) => JSON.stringify(k)).join(', ')}`, { file, line, column: 1 });
      }
    }
    const t = tasks.intern(id(rec, names.task));
    const e = examples.intern(id(rec, names.example));
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
    builder.add(t, e, value, line);
  };

  const id = (rec: Record<string, unknown>, key: string): string => {
    const v = rec[key];
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v !== 'string') {
      throw new ForgetscopeError('parse', `field "${key}" must be a string or number id, found ${v === undefined ? 'nothing' : JSON.stringify(v)}`, { file, line, column: key });
    }
    if (v === '') throw new ForgetscopeError('parse', `empty ${key} id`, { file, line, column: key });
    return v;
  };

  const num = (rec: Record<string, unknown>, key: string): number | null => {
    const v = rec[key];
    if (v === null || v === undefined) return null;
    if (typeof v !== 'number') {
      if (typeof v === 'string' && /^\s*[-+]?nan\s*$/i.test(v) && options.nanAsMissing) return null;
      throw new ForgetscopeError('parse', `field "${key}": ${JSON.stringify(v)} is not a number`, { file, line, column: key });
    }
    if (!Number.isFinite(v)) throw new ForgetscopeError('parse', `field "${key}": the number overflows to ${v}`, { file, line, column: key });
    return v;
  };

  for await (const chunk of chunks) {
    bytes += chunk.length;
    const text = carry + decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    carry = parts.pop()!;
    for (const p of parts) handle(p);
    options.progress?.(bytes, options.totalBytes, 'reading');
  }
  carry += decoder.decode();
  if (carry !== '') handle(carry);
  if (!sawData) throw new ForgetscopeError('empty', 'the file is empty (no JSON records)', { file, line: 1, column: 1 });
  const matrix = builder.finish(tasks.strings, examples.strings);
  return { matrix, report: builder.report };
}
