/**
 * Reads the measured entries of a new task for `predict`: a CSV (or TSV) file with a header naming
 * `example` and `value` columns, one measured example per line. Every problem is reported as
 * `file:line:column`.
 */
import { readFile } from 'node:fs/promises';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { KnownEntries } from '../../completion/types.js';
import { ForgetscopeError } from '../../util/errors.js';

/** Splits one delimited line, honouring double quotes ("" inside quotes is a quote). */
export function splitDelimitedLine(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let k = 0; k < line.length; k++) {
    const ch = line[k]!;
    if (quoted) {
      if (ch === '"' && line[k + 1] === '"') {
        field += '"';
        k++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

/** Parses the observed-entries text against the matrix's example ids (ascending columns out). */
export function parseObservedEntries(text: string, matrix: ForgettingMatrix, file: string): KnownEntries {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const delimiter = file.toLowerCase().endsWith('.tsv') ? '\t' : ',';
  const header = splitDelimitedLine(lines[0] ?? '', delimiter).map((h) => h.trim());
  const exCol = header.indexOf('example');
  const valCol = header.indexOf('value');
  if (exCol < 0 || valCol < 0) {
    throw new ForgetscopeError('missing-column', `the header must name the columns "example" and "value", got "${lines[0] ?? ''}"`, { file, line: 1, column: 1 });
  }
  const values = new Map<number, number>();
  for (let l = 1; l < lines.length; l++) {
    const line = lines[l]!;
    if (line.trim() === '') continue;
    const fields = splitDelimitedLine(line, delimiter);
    const id = fields[exCol]?.trim();
    const raw = fields[valCol]?.trim();
    if (id === undefined || raw === undefined) {
      throw new ForgetscopeError('parse', `expected ${header.length} fields, got ${fields.length}`, { file, line: l + 1, column: 1 });
    }
    const j = matrix.findExample(id);
    if (j < 0) throw new ForgetscopeError('input', `example "${id}" is not an example of the matrix`, { file, line: l + 1, column: exCol + 1 });
    const v = Number(raw);
    if (raw === '' || !Number.isFinite(v)) {
      throw new ForgetscopeError('parse', `value "${raw}" is not a finite number`, { file, line: l + 1, column: valCol + 1 });
    }
    if (values.has(j)) throw new ForgetscopeError('duplicate', `example "${id}" is listed twice`, { file, line: l + 1, column: exCol + 1 });
    values.set(j, v);
  }
  if (values.size === 0) throw new ForgetscopeError('empty', 'no measured entries', { file, line: 2, column: 1 });
  const columns = Int32Array.from([...values.keys()].sort((a, b) => a - b));
  return { columns, values: Float64Array.from(columns, (c) => values.get(c)!) };
}

/** Reads and parses an observed-entries file. */
export async function readObservedEntries(path: string, matrix: ForgettingMatrix): Promise<KnownEntries> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ForgetscopeError(code === 'ENOENT' ? 'usage' : 'io', code === 'ENOENT' ? 'no such file' : `cannot read: ${(e as Error).message}`, { file: path });
  }
  return parseObservedEntries(text, matrix, path);
}
