import type { TableColumn } from '../types.js';
import { tableColumns } from '../tableColumns.js';

/**
 * Encodes named columns as delimited text (RFC 4180): a header line, LF line ends, fields quoted only
 * when they hold the delimiter, a quote, a line break, or leading/trailing spaces. Numbers are written
 * in the shortest form that reads back to the same double (`String(x)`); NaN as an empty field.
 */
export function encodeDelimited(columns: Record<string, TableColumn>, delimiter = ','): string {
  return [...encodeDelimitedChunks(columns, delimiter)].join('');
}

/** `encodeDelimited` in pieces of about `chunkRows` lines, for writing large tables without one huge string. */
export function* encodeDelimitedChunks(
  columns: Record<string, TableColumn>,
  delimiter = ',',
  chunkRows = 65536,
): Generator<string> {
  const { entries, rows } = tableColumns(columns);
  const names = entries.map(([name]) => name);
  const cols = entries.map(([, col]) => col);
  const quote = (s: string) =>
    s.includes(delimiter) || s.includes('"') || s.includes('\n') || s.includes('\r') || /^\s|\s$/.test(s)
      ? `"${s.replace(/"/g, '""')}"`
      : s;
  const cell = (col: TableColumn, r: number): string => {
    const v = col[r];
    if (typeof v === 'string') return quote(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    return Number.isNaN(v) ? '' : Object.is(v, -0) ? '-0' : String(v);
  };
  yield names.map(quote).join(delimiter) + '\n';
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const lines: string[] = [];
    for (let r = r0; r < Math.min(rows, r0 + chunkRows); r++) {
      lines.push(cols.map((col) => cell(col, r)).join(delimiter));
    }
    yield lines.join('\n') + '\n';
  }
}
