/** The one plain-text table printer (CLI tables, report summaries). */

/** Layout of `textTable`. */
export interface TextTableOptions {
  /** Text before every line (default none). */
  indent?: string;
  /** Between columns (default two spaces). */
  gap?: string;
  /** `first-left` (default): first column left-aligned, the others right-aligned; `left`: all left. */
  align?: 'first-left' | 'left';
  /** A dashed rule under the header (default true). */
  rule?: boolean;
  /** Minimum column widths. */
  minWidths?: readonly number[];
  /** Trim trailing spaces of each line (default false). */
  trimEnd?: boolean;
}

/**
 * An aligned text table: the header, an optional rule, the rows; every line ends with a newline.
 * @example
 * textTable(['tensor', 'size'], [['w', '12']]); // "tensor  size\n------  ----\nw         12\n"
 */
export function textTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  options: TextTableOptions = {},
): string {
  const gap = options.gap ?? '  ';
  const indent = options.indent ?? '';
  const w = head.map((h, c) =>
    Math.max(h.length, options.minWidths?.[c] ?? 0, ...rows.map((r) => (r[c] ?? '').length)),
  );
  const left = (c: number) => c === 0 || options.align === 'left';
  const line = (r: readonly string[]) => {
    const text = indent + r.map((x, c) => (left(c) ? x.padEnd(w[c] ?? 0) : x.padStart(w[c] ?? 0))).join(gap);
    return (options.trimEnd ? text.trimEnd() : text) + '\n';
  };
  const rule = options.rule === false ? '' : line(w.map((n) => '-'.repeat(n)));
  return line(head) + rule + rows.map(line).join('');
}

/**
 * A text table of `records`, one column per `[header, cell]` pair (as `textTable`).
 * @example
 * columnTable([{ n: 'w', k: 12 }], [['tensor', (r) => r.n], ['size', (r) => String(r.k)]]); // "tensor  size\n------  ----\nw         12\n"
 */
export function columnTable<T>(
  records: readonly T[],
  columns: readonly (readonly [header: string, cell: (record: T) => string])[],
  options: TextTableOptions = {},
): string {
  return textTable(
    columns.map(([header]) => header),
    records.map((r) => columns.map(([, cell]) => cell(r))),
    options,
  );
}
