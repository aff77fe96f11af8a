import { ForgetscopeError } from '../../util/errors.js';

/**
 * Splits one line of delimited text into fields: RFC 4180 double quotes (a doubled quote inside quotes
 * is a quote); no embedded line breaks (for small tables read line by line).
 */
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
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === delimiter) {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

/**
 * Reads a small numeric table with a header (CSV by default) into named columns. Every cell must be a
 * finite number; errors name file:line:column.
 * @example
 * readNumericColumns('alpha,loss\n0,1.5\n1,1.2\n', { file: 'path.csv' }).get('loss'); // Float64Array [1.5, 1.2]
 */
export function readNumericColumns(text: string, options: { file: string; delimiter?: string }): Map<string, Float64Array> {
  const file = options.file;
  const delimiter = options.delimiter ?? ',';
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) throw new ForgetscopeError('empty', 'the table is empty', { file, line: 1, column: 1 });
  const header = splitDelimitedLine(lines[first]!, delimiter).map((h) => h.trim());
  const cols: number[][] = header.map(() => []);
  for (let li = first + 1; li < lines.length; li++) {
    if (lines[li]!.trim() === '') continue;
    const f = splitDelimitedLine(lines[li]!, delimiter);
    if (f.length !== header.length) throw new ForgetscopeError('parse', `row has ${f.length} fields, the header ${header.length}`, { file, line: li + 1, column: Math.min(f.length, header.length) + 1 });
    f.forEach((s, c) => {
      const t = s.trim();
      const v = t === '' ? NaN : Number(t);
      if (!Number.isFinite(v)) throw new ForgetscopeError('parse', `${JSON.stringify(t)} in column "${header[c]}" is not a finite number`, { file, line: li + 1, column: c + 1 });
      cols[c]!.push(v);
    });
  }
  return new Map(header.map((h, c) => [h, Float64Array.from(cols[c]!)]));
}
