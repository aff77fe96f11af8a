/**
 * Flag parsing shared by `evaluate` and `predict`: row lists (`0-45,50` inclusive ranges, indices or
 * task ids), integer lists (`0-9`), and the method list.
 */
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { ForgetscopeError } from '../../util/errors.js';
import { completionMethods, OPT_IN_METHODS } from '../../completion/registry.js';

/**
 * `0-45,50` (inclusive ranges and single indices) or task ids, comma-separated, in the order given
 * (repeats removed). A numeric token that is also a task id means that task.
 */
export function parseRowList(spec: string, matrix: ForgettingMatrix, flag: string): number[] {
  const rows: number[] = [];
  const ids = new Map(matrix.taskIds.map((t, i) => [t, i]));
  for (const part of spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const byId = ids.get(part);
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (byId !== undefined) {
      rows.push(byId);
    } else if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (a > b || b >= matrix.rows) throw new ForgetscopeError('usage', `${flag}: range ${part} is outside 0-${matrix.rows - 1}`);
      for (let i = a; i <= b; i++) rows.push(i);
    } else if (/^\d+$/.test(part)) {
      const i = Number(part);
      if (i >= matrix.rows) throw new ForgetscopeError('usage', `${flag}: row ${i} is outside 0-${matrix.rows - 1}`);
      rows.push(i);
    } else {
      throw new ForgetscopeError('usage', `${flag}: "${part}" is neither a row index, a range (a-b) nor a task id`);
    }
  }
  if (rows.length === 0) throw new ForgetscopeError('usage', `${flag} selects no rows`);
  return [...new Set(rows)];
}

/** `0-9,12`: non-negative integers and inclusive ranges. */
export function parseIntList(spec: string, flag: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (a > b) throw new ForgetscopeError('usage', `${flag}: empty range ${part}`);
      if (b - a > 100000) throw new ForgetscopeError('usage', `${flag}: range ${part} is too long`);
      for (let i = a; i <= b; i++) out.push(i);
    } else if (/^\d+$/.test(part) && Number.isSafeInteger(Number(part))) {
      out.push(Number(part));
    } else {
      throw new ForgetscopeError('usage', `${flag}: "${part}" is not a non-negative integer or a range a-b`);
    }
  }
  if (out.length === 0) throw new ForgetscopeError('usage', `${flag} is empty`);
  return [...new Set(out)];
}

/** A positive integer flag value. */
export function parsePositiveInt(text: string, flag: string): number {
  const v = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(v) || v < 1) {
    throw new ForgetscopeError('usage', `${flag} must be a positive integer, got "${text}"`);
  }
  return v;
}

/** Comma-separated registered method names (usage error naming the unknown one and the choices). */
export function parseMethodList(spec: string | undefined): string[] {
  const names = spec === undefined ? Object.keys(completionMethods).filter((m) => !OPT_IN_METHODS.includes(m)) : spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new ForgetscopeError('usage', '--methods is empty');
  for (const name of names) {
    if (!completionMethods[name]) {
      throw new ForgetscopeError('usage', `--methods: unknown method "${name}"; available: ${Object.keys(completionMethods).join(', ')}`);
    }
  }
  return [...new Set(names)];
}
