/** Small helpers shared by the seed-method commands (recipes, subspace, fisher, lora). */
import { readFile } from 'node:fs/promises';
import { ForgetscopeError } from '../../util/errors.js';
import { selectNodeBackend } from '../../linalg/node.js';
import type { BackendKind } from '../../linalg/selectBackend.js';
import type { Backend } from '../../linalg/types.js';
import type { CliContext } from '../context.js';

/** Parses a numeric flag or throws a usage error naming it. */
export function numberOption(value: string, flag: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v)) throw new ForgetscopeError('usage', `${flag} expects a number, got ${JSON.stringify(value)}`);
  return v;
}

/** Reads a UTF-8 text file; a missing file is a usage error naming it. */
export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ForgetscopeError(code === 'ENOENT' ? 'usage' : 'io', code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(e)})`, { file: path });
  }
}

/** A plain aligned text table. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) => r.map((x, c) => (c === 0 ? x.padEnd(w[c]!) : x.padStart(w[c]!))).join('  ') + '\n';
  return line(head) + line(w.map((n) => '-'.repeat(n))) + rows.map(line).join('');
}

/** The `--backend` choice as a linalg backend (warnings go to stderr). */
export async function backendFromFlag(kind: string | undefined, ctx: CliContext, problemSize?: number): Promise<Backend> {
  const k = (kind ?? 'auto') as BackendKind;
  if (k !== 'auto' && k !== 'cpu' && k !== 'webgpu') throw new ForgetscopeError('usage', `--backend must be auto, cpu or webgpu, got ${JSON.stringify(kind)}`);
  return selectNodeBackend(k, { warn: ctx.warn, ...(problemSize !== undefined ? { problemSize } : {}) });
}

/**
 * Parses a small numeric CSV with a header into named columns (every cell must be a finite number;
 * errors name file:line:column).
 */
export function parseNumericCsv(text: string, file: string): Map<string, Float64Array> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) throw new ForgetscopeError('empty', 'the table is empty', { file, line: 1, column: 1 });
  const header = lines[first]!.split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
  const cols: number[][] = header.map(() => []);
  for (let li = first + 1; li < lines.length; li++) {
    if (lines[li]!.trim() === '') continue;
    const f = lines[li]!.split(',');
    if (f.length !== header.length) throw new ForgetscopeError('parse', `row has ${f.length} fields, the header ${header.length}`, { file, line: li + 1, column: Math.min(f.length, header.length) + 1 });
    f.forEach((s, c) => {
      const t = s.trim().replace(/^"(.*)"$/, '$1');
      const v = t === '' ? NaN : Number(t);
      if (!Number.isFinite(v)) throw new ForgetscopeError('parse', `${JSON.stringify(t)} in column "${header[c]}" is not a finite number`, { file, line: li + 1, column: c + 1 });
      cols[c]!.push(v);
    });
  }
  return new Map(header.map((h, c) => [h, Float64Array.from(cols[c]!)]));
}
