import { ForgetscopeError } from '../../util/errors.js';
import type { ExampleMeta, MetaValue, TaskMeta } from '../../matrix/ForgettingMatrix.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { parseNpy } from '../npy/parseNpy.js';
import { matrixFromNpy } from '../npy/matrixFromNpy.js';
import type { ReadReport } from '../types.js';
import { DEFAULT_LIMITS, quoteText } from '../limits.js';
import { decodeUtf8 } from '../utf8.js';
import { jsonId, parseJsonLimited } from '../json/parseJsonLimited.js';
import { itemAt } from '../../util/checked.js';

/** The files of a dataset folder, already loaded. Names are used in error messages. */
export interface DatasetParts {
  /** Bytes of Z.npy (float32/float64, M×N). */
  z: Uint8Array;
  /** tasks.json (text, or bytes decoded as strict UTF-8): an array with one object per row of Z, each with an `id`. */
  tasksJson: string | Uint8Array;
  /** examples.jsonl (text or bytes, as tasks.json): one object per column of Z, each with an `id` (and usually `source`, `text`). */
  examplesJsonl: string | Uint8Array;
  /** Bytes of base_nll.npy (N values), when present. */
  baseNll?: Uint8Array;
  /** Names of the files for messages (defaults: Z.npy, tasks.json, examples.jsonl, base_nll.npy). */
  names?: { z?: string; tasks?: string; examples?: string; baseNll?: string };
  nanAsMissing?: boolean;
  dtype?: 'float64' | 'float32';
  /** Deepest JSON nesting accepted in tasks.json and examples.jsonl (default 256). */
  maxJsonDepth?: number;
}

/**
 * Builds the matrix of a dataset folder (the layout of `fixtures/real-dev-v1/`): values from Z.npy,
 * task ids and metadata from tasks.json, example ids, sources and texts from examples.jsonl, and
 * `nllBefore` from base_nll.npy. Counts must agree with the shape of Z.
 */
export function readDataset(parts: DatasetParts): { matrix: ForgettingMatrix; report: ReadReport } {
  const names = {
    z: 'Z.npy',
    tasks: 'tasks.json',
    examples: 'examples.jsonl',
    baseNll: 'base_nll.npy',
    ...(parts.names ?? {}),
  };
  const depth = parts.maxJsonDepth ?? DEFAULT_LIMITS.maxJsonDepth;
  const text = (t: string | Uint8Array, file: string) => (typeof t === 'string' ? t : decodeUtf8(t, file));
  const tasks = parseTasks(text(parts.tasksJson, names.tasks), names.tasks, depth);
  const examples = parseExamples(text(parts.examplesJsonl, names.examples), names.examples, depth);
  const z = parseNpy(parts.z, names.z);
  if (z.shape.length === 2) {
    if (z.shape[0] !== tasks.ids.length) {
      throw new ForgetscopeError(
        'shape',
        `${names.z} has ${z.shape[0]} rows but ${names.tasks} lists ${tasks.ids.length} tasks`,
        { file: names.tasks },
      );
    }
    if (z.shape[1] !== examples.ids.length) {
      throw new ForgetscopeError(
        'shape',
        `${names.z} has ${z.shape[1]} columns but ${names.examples} lists ${examples.ids.length} examples`,
        { file: names.examples },
      );
    }
  }
  let nllBefore: Float64Array | undefined;
  if (parts.baseNll) {
    const b = parseNpy(parts.baseNll, names.baseNll);
    if (!(b.data instanceof Float32Array || b.data instanceof Float64Array)) {
      throw new ForgetscopeError('dtype', `expected float32 or float64, found ${JSON.stringify(b.descr)}`, {
        file: names.baseNll,
      });
    }
    if (b.data.length !== examples.ids.length) {
      throw new ForgetscopeError(
        'shape',
        `${names.baseNll} has ${b.data.length} values for ${examples.ids.length} examples`,
        { file: names.baseNll },
      );
    }
    if (b.shape.length !== 1) {
      throw new ForgetscopeError(
        'shape',
        `${names.baseNll} has shape (${b.shape.join(', ')}); expected one value per example (${examples.ids.length})`,
        { file: names.baseNll },
      );
    }
    nllBefore = Float64Array.from(b.data);
    let finite = 0;
    for (const [k, v] of nllBefore.entries()) {
      if (Number.isFinite(v)) finite++;
      else if (!Number.isNaN(v)) {
        throw new ForgetscopeError(
          'parse',
          `value ${k + 1} (example ${quoteText(itemAt(examples.ids, k, 'example'), 80)}) is ${String(v)}, not a finite number`,
          { file: names.baseNll },
        );
      }
    }
    // NaN marks an example without a base NLL; a file of nothing but NaN measures nothing.
    if (finite === 0)
      throw new ForgetscopeError('empty', `no observed value: all ${nllBefore.length} values are NaN`, {
        file: names.baseNll,
      });
  }
  return matrixFromNpy(z, {
    file: names.z,
    idFiles: { tasks: names.tasks, examples: names.examples },
    taskIds: tasks.ids,
    exampleIds: examples.ids,
    taskMeta: tasks.meta,
    exampleMeta: examples.meta,
    ...(nllBefore ? { nllBefore } : {}),
    ...(parts.nanAsMissing ? { nanAsMissing: true } : {}),
    ...(parts.dtype ? { dtype: parts.dtype } : {}),
  });
}

function toMeta(obj: Record<string, unknown>): Record<string, MetaValue> {
  const meta: Record<string, MetaValue> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'id') continue;
    meta[k] =
      v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
  }
  return meta;
}

function idOf(
  obj: unknown,
  raw: string,
  file: string,
  at: () => { line?: number; column?: number },
  what: string,
  k: number,
): string {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new ForgetscopeError('parse', `expected a JSON object for ${what} ${k}`, { file, ...at() });
  }
  // Number ids keep their exact digits (a 20-digit id is not rounded to a double).
  const id = jsonId((obj as Record<string, unknown>)['id'], raw, 'id');
  if (id === null) {
    throw new ForgetscopeError('missing-column', `${what} ${k} has no "id" (string or number)`, { file, ...at() });
  }
  if (id === '') throw new ForgetscopeError('parse', `${what} ${k} has an empty id`, { file, ...at() });
  return id;
}

/** Throws a `duplicate` error naming the file and both places when an id repeats. */
function checkUnique(
  ids: readonly string[],
  file: string,
  what: string,
  lineOf: (k: number) => number | undefined,
): void {
  const seen = new Map<string, number>();
  ids.forEach((id, k) => {
    const prev = seen.get(id);
    if (prev !== undefined) {
      const line = lineOf(k);
      const prevLine = lineOf(prev);
      throw new ForgetscopeError(
        'duplicate',
        `${what} id ${quoteText(id, 80)} repeats ${what} ${prev + 1}${prevLine !== undefined ? ` (line ${prevLine})` : ''}; ids must be unique`,
        { file, ...(line !== undefined ? { line } : {}) },
      );
    }
    seen.set(id, k);
  });
}

/** Parses tasks.json (an array of objects with `id`); everything else becomes task metadata. */
export function parseTasks(
  text: string,
  file = 'tasks.json',
  maxDepth: number = DEFAULT_LIMITS.maxJsonDepth,
): { ids: string[]; meta: TaskMeta[] } {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const data = parseJsonLimited(text, { file, line: 1 }, maxDepth);
  if (!Array.isArray(data))
    throw new ForgetscopeError('parse', 'expected a JSON array of task objects', { file, line: 1 });
  if (data.length === 0) throw new ForgetscopeError('empty', 'the task list is empty', { file, line: 1 });
  const starts = elementStarts(text);
  const where = (k: number): { line?: number; column?: number } => {
    const start = starts[k];
    return start !== undefined ? lineColumn(text, start) : {};
  };
  const elementText = (k: number): string | undefined => {
    const start = starts[k];
    return start !== undefined ? text.slice(start, starts[k + 1] ?? text.length) : undefined;
  };
  const ids = data.map((t, k) => idOf(t, elementText(k) ?? JSON.stringify(t), file, () => where(k), 'task', k + 1));
  checkUnique(ids, file, 'task', (k) => where(k).line);
  return { ids, meta: data.map((t) => toMeta(t as Record<string, unknown>)) };
}

/**
 * Parses examples.jsonl (one object with `id` per line); `source`, `text` etc. become example metadata.
 * `lines` holds each example's 1-based line.
 */
export function parseExamples(
  text: string,
  file = 'examples.jsonl',
  maxDepth: number = DEFAULT_LIMITS.maxJsonDepth,
): { ids: string[]; meta: ExampleMeta[]; lines: number[] } {
  const ids: string[] = [];
  const meta: ExampleMeta[] = [];
  const lines: number[] = [];
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let start = 0;
  for (let k = 0; start <= text.length; k++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const raw = text.slice(start, end);
    start = end + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const obj = parseJsonLimited(line, { file, line: k + 1 }, maxDepth);
    ids.push(idOf(obj, line, file, () => ({ line: k + 1, column: 1 }), 'example', ids.length + 1));
    meta.push(toMeta(obj as Record<string, unknown>));
    lines.push(k + 1);
  }
  if (ids.length === 0) throw new ForgetscopeError('empty', 'the example list is empty', { file, line: 1 });
  checkUnique(ids, file, 'example', (k) => lines[k]);
  return { ids, meta, lines };
}

/** Offsets where each element of the top-level JSON array in `text` starts (strings skipped). */
function elementStarts(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let expect = false;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (expect && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
      if (c !== 0x5d) out.push(k);
      expect = false;
    }
    if (c === 0x22) {
      for (k++; k < text.length; k++) {
        const d = text.charCodeAt(k);
        if (d === 0x5c) k++;
        else if (d === 0x22) break;
      }
      continue;
    }
    if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth === 1 && c === 0x5b) expect = true;
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c && depth === 1) expect = true;
  }
  return out;
}

/** 1-based line and column of offset `at` in `text`. */
function lineColumn(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k >= 0 && k < at; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: at - lineStart + 1 };
}
