import { splitDelimited } from './csv/DelimitedTokenizer.js';

/** Where a value was found: the 1-based line and the 1-based column (field number, or key for JSON Lines). */
export interface FieldLocation {
  line: number;
  column: number | string;
}

/**
 * Finds the first data line whose field `column` equals `value` in a delimited table with a header
 * (`csv`, `tsv`) or in JSON Lines. An error-path helper: readers drop line numbers once a matrix is
 * built, so a caller that rejects a value afterwards (e.g. an unknown example id) re-scans the text
 * to point at it. Returns null when the column or the value is not there, or for other formats.
 *
 * @example locateFieldValue('example,value\ne1,0.1\nnope,2\n', 'csv', 'example', 'nope'); // { line: 3, column: 1 }
 */
export function locateFieldValue(text: string, format: string, column: string, value: string): FieldLocation | null {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (format === 'jsonl') {
    for (const [i, raw] of lines.entries()) {
      const line = raw.trim();
      if (line === '') continue;
      try {
        const record = JSON.parse(line) as Record<string, unknown>;
        if (record !== null && typeof record === 'object' && String(record[column]) === value)
          return { line: i + 1, column };
      } catch {
        // a line the reader would have rejected first
      }
    }
    return null;
  }
  if (format !== 'csv' && format !== 'tsv') return null;
  let records;
  try {
    records = splitDelimited(text, { file: '<text>', delimiter: format === 'tsv' ? '\t' : ',' });
  } catch {
    return null; // text the reader would have rejected first
  }
  const head = records[0];
  if (!head) return null;
  const index = head.fields.findIndex((f) => f.trim() === column);
  if (index < 0) return null;
  for (const r of records.slice(1)) {
    if (r.fields[index]?.trim() === value) return { line: r.line, column: index + 1 };
  }
  return null;
}
