/** Small HTML helpers for the report: escaping, tables, number formatting, SVG id scoping. */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Formats a number for a table cell: `digits` significant digits, "—" for null / non-finite. */
export function cell(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return x.toLocaleString('en-US');
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

/** Formats a fraction as a percentage with one decimal. */
export function percent(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return `${(100 * x).toFixed(1)} %`;
}

/** A column of `table`: header, cell renderer (returns already-escaped HTML), numeric alignment. */
export interface Column<T> {
  header: string;
  html: (row: T) => string;
  numeric?: boolean;
}

/** Renders rows as an HTML table (cells are trusted HTML produced by the column renderers). */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[], caption?: string): string {
  const head = columns.map((c) => `<th${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.header)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${columns.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${c.html(r)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>${caption ? `<caption>${escapeHtml(caption)}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/**
 * Makes the ids inside one SVG unique within the page (Vega names gradients and clip paths
 * `gradient_0`, `clip1` … in every SVG, and inline SVGs share one id space): prefixes every `id`
 * and every `url(#…)` / `href="#…"` reference with `prefix`.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}${id}"`);
}
