import { ForgetscopeError } from '../../util/errors.js';
import { quoteText } from '../limits.js';
import { splitDelimited } from './DelimitedTokenizer.js';
import { itemAt } from '../../util/checked.js';

/**
 * Reads a small numeric table with a header (CSV by default) into named columns. Every cell must be a
 * finite number; errors name file:line:column.
 * @example
 * readNumericColumns('alpha,loss\n0,1.5\n1,1.2\n', { file: 'path.csv' }).get('loss'); // Float64Array [1.5, 1.2]
 */
export function readNumericColumns(
  text: string,
  options: { file: string; delimiter?: string },
): Map<string, Float64Array> {
  const file = options.file;
  const records = splitDelimited(text, { file, delimiter: options.delimiter ?? ',' });
  const [head, ...body] = records;
  if (!head) throw new ForgetscopeError('empty', 'the table is empty', { file, line: 1, column: 1 });
  const header = head.fields.map((h) => h.trim());
  const cols: number[][] = header.map(() => []);
  for (const { line, fields } of body) {
    if (fields.length !== header.length)
      throw new ForgetscopeError('parse', `row has ${fields.length} fields, the header ${header.length}`, {
        file,
        line,
        column: Math.min(fields.length, header.length) + 1,
      });
    fields.forEach((s, c) => {
      const t = s.trim();
      const v = t === '' ? NaN : Number(t);
      if (!Number.isFinite(v))
        throw new ForgetscopeError('parse', `${quoteText(t)} in column "${header[c]}" is not a finite number`, {
          file,
          line,
          column: c + 1,
        });
      itemAt(cols, c, 'column').push(v);
    });
  }
  return new Map(header.map((h, c) => [h, Float64Array.from(itemAt(cols, c, 'column'))]));
}
