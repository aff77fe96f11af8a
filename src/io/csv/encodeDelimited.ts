import type { TableColumn } from '../types.js';
import { tableColumns } from '../tableColumns.js';
import { isNumberText } from '../long/parseNumber.js';

/**
 * Encodes named columns as delimited text (RFC 4180): a header line, LF line ends, fields quoted only
 * when they hold the delimiter, a quote, a line break, or leading/trailing spaces, and in the columns
 * named by `options.textColumns` also when they read as a number (`isNumberText`: "2019", "007"), so
 * the readers keep those columns as text (`Table.textColumns`). Numbers are written
 * in the shortest form that reads back to the same double (`String(x)`); NaN as an empty field.
 */
export function encodeDelimited(
  columns: Record<string, TableColumn>,
  delimiter = ',',
  options: { textColumns?: readonly string[] } = {},
): string {
  return [...encodeDelimitedChunks(columns, delimiter, 65536, options)].join('');
}

/** `encodeDelimited` in pieces of about `chunkRows` lines, for writing large tables without one huge string. */
export function* encodeDelimitedChunks(
  columns: Record<string, TableColumn>,
  delimiter = ',',
  chunkRows = 65536,
  options: { textColumns?: readonly string[] } = {},
): Generator<string> {
  const { entries, rows } = tableColumns(columns);
  const names = entries.map(([name]) => name);
  const cols = entries.map(([, col]) => col);
  const text = new Set(options.textColumns ?? []);
  const asText = names.map((name) => text.has(name));
  const quote = (s: string, numericLooking = false) =>
    s.includes(delimiter) ||
    s.includes('"') ||
    s.includes('\n') ||
    s.includes('\r') ||
    /^\s|\s$/.test(s) ||
    (numericLooking && isNumberText(s))
      ? `"${s.replace(/"/g, '""')}"`
      : s;
  const cell = (col: TableColumn, r: number, k: number): string => {
    const v = col[r];
    if (typeof v === 'string') return quote(v, asText[k]);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    return Number.isNaN(v) ? '' : Object.is(v, -0) ? '-0' : String(v);
  };
  yield names.map((name) => quote(name)).join(delimiter) + '\n';
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const lines: string[] = [];
    for (let r = r0; r < Math.min(rows, r0 + chunkRows); r++) {
      lines.push(cols.map((col, k) => cell(col, r, k)).join(delimiter));
    }
    yield lines.join('\n') + '\n';
  }
}
