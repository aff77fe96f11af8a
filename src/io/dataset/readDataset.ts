import { ForgetscopeError } from '../../util/errors.js';
import type { ExampleMeta, MetaValue, TaskMeta } from '../../matrix/ForgettingMatrix.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { parseNpy } from '../npy/parseNpy.js';
import { matrixFromNpy } from '../npy/matrixFromNpy.js';
import type { ReadReport } from '../types.js';

/** The files of a dataset folder, already loaded. Names are used in error messages. */
export interface DatasetParts {
  /** Bytes of Z.npy (float32/float64, M×N). */
  z: Uint8Array;
  /** Text of tasks.json: an array with one object per row of Z, each with an `id`. */
  tasksJson: string;
  /** Text of examples.jsonl: one object per column of Z, each with an `id` (and usually `source`, `text`). */
  examplesJsonl: string;
  /** Bytes of base_nll.npy (N values), when present. */
  baseNll?: Uint8Array;
  /** Names of the files for messages (defaults: Z.npy, tasks.json, examples.jsonl, base_nll.npy). */
  names?: { z?: string; tasks?: string; examples?: string; baseNll?: string };
  nanAsMissing?: boolean;
  dtype?: 'float64' | 'float32';
}

/**
 * Builds the matrix of a dataset folder (the layout of `fixtures/real-dev-v1/`): values from Z.npy,
 * task ids and metadata from tasks.json, example ids, sources and texts from examples.jsonl, and
 * `nllBefore` from base_nll.npy. Counts must agree with the shape of Z.
 */
export function readDataset(parts: DatasetParts): { matrix: ForgettingMatrix; report: ReadReport } {
  const names = { z: 'Z.npy', tasks: 'tasks.json', examples: 'examples.jsonl', baseNll: 'base_nll.npy', ...(parts.names ?? {}) };
  const tasks = parseTasks(parts.tasksJson, names.tasks);
  const examples = parseExamples(parts.examplesJsonl, names.examples);
  const z = parseNpy(parts.z, names.z);
  if (z.shape.length === 2) {
    if (z.shape[0] !== tasks.ids.length) {
      throw new ForgetscopeError('shape', `${names.z} has ${z.shape[0]} rows but ${names.tasks} lists ${tasks.ids.length} tasks`, { file: names.tasks });
    }
    if (z.shape[1] !== examples.ids.length) {
      throw new ForgetscopeError('shape', `${names.z} has ${z.shape[1]} columns but ${names.examples} lists ${examples.ids.length} examples`, { file: names.examples });
    }
  }
  let nllBefore: Float64Array | undefined;
  if (parts.baseNll) {
    const b = parseNpy(parts.baseNll, names.baseNll);
    if (!(b.data instanceof Float32Array || b.data instanceof Float64Array)) {
      throw new ForgetscopeError('dtype', `expected float32 or float64, found ${JSON.stringify(b.descr)}`, { file: names.baseNll });
    }
    if (b.data.length !== examples.ids.length) {
      throw new ForgetscopeError('shape', `${names.baseNll} has ${b.data.length} values for ${examples.ids.length} examples`, { file: names.baseNll });
    }
    nllBefore = Float64Array.from(b.data);
  }
  return matrixFromNpy(z, {
    file: names.z,
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
    meta[k] = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
  }
  return meta;
}

function idOf(obj: unknown, file: string, line: number, what: string): string {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new ForgetscopeError('parse', `expected a JSON object for ${what} ${line}`, { file, line });
  }
  const id = (obj as Record<string, unknown>)['id'];
  if (typeof id !== 'string' && typeof id !== 'number') {
    throw new ForgetscopeError('missing-column', `${what} ${line} has no "id" (string or number)`, { file, line });
  }
  if (String(id) === '') throw new ForgetscopeError('parse', `${what} ${line} has an empty id`, { file, line });
  return String(id);
}

/** Parses tasks.json (an array of objects with `id`); everything else becomes task metadata. */
export function parseTasks(text: string, file = 'tasks.json'): { ids: string[]; meta: TaskMeta[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ForgetscopeError('parse', `not valid JSON: ${(e as Error).message}`, { file });
  }
  if (!Array.isArray(data)) throw new ForgetscopeError('parse', 'expected a JSON array of task objects', { file, line: 1 });
  if (data.length === 0) throw new ForgetscopeError('empty', 'the task list is empty', { file, line: 1 });
  const ids = data.map((t, k) => idOf(t, file, k + 1, 'task'));
  return { ids, meta: data.map((t) => toMeta(t as Record<string, unknown>)) };
}

/** Parses examples.jsonl (one object with `id` per line); `source`, `text` etc. become example metadata. */
export function parseExamples(text: string, file = 'examples.jsonl'): { ids: string[]; meta: ExampleMeta[] } {
  const ids: string[] = [];
  const meta: ExampleMeta[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, k) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new ForgetscopeError('parse', `not valid JSON: ${(e as Error).message}`, { file, line: k + 1, column: 1 });
    }
    ids.push(idOf(obj, file, k + 1, 'example'));
    meta.push(toMeta(obj as Record<string, unknown>));
  });
  if (ids.length === 0) throw new ForgetscopeError('empty', 'the example list is empty', { file, line: 1 });
  return { ids, meta };
}
