import type { TopLevelSpec } from 'vega-lite';

/** A Vega-Lite specification (plain JSON), as returned by every spec builder in this folder. */
export type VegaLiteSpec = TopLevelSpec;

/** The Vega-Lite JSON schema every spec declares (lets notebooks and editors validate it). */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * Shared look of forgetscope's charts: one font stack that exists on most systems (and that the
 * PNG rasteriser can find), no chart border, white background so PNGs and printed pages read well.
 */
export const CHART_CONFIG = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  background: 'white',
  view: { stroke: null },
  title: { anchor: 'start', fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555' },
  axis: { labelFontSize: 10, titleFontSize: 11 },
  legend: { labelFontSize: 10, titleFontSize: 11 },
} as const;

/** Colour of "forgotten" (Z > 0) marks and of "remembered / improved" (Z ≤ 0) marks. */
export const FORGOTTEN_COLOUR = '#b2182b';
/** Neutral colour for bars and points that carry no sign. */
export const NEUTRAL_COLOUR = '#4c78a8';

/** Rounds to a fixed number of significant digits for titles and labels. */
export function formatNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e5) return String(Number(x.toPrecision(digits)));
  return x.toExponential(digits - 1);
}

/**
 * Makes a short, single-line, printable snippet of an example's text for labels and tables:
 * newlines become "⏎", tabs "⇥", other control characters "·"; runs of spaces collapse; cut to
 * `maxChars` characters with an ellipsis.
 */
export function textSnippet(text: string, maxChars = 48): string {
  let s = text
    .replace(/\r\n|\r|\n/g, '⏎')
    .replace(/\t/g, '⇥')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '·')
    .replace(/ {2,}/g, ' ');
  const chars = Array.from(s);
  if (chars.length > maxChars) s = chars.slice(0, Math.max(1, maxChars - 1)).join('') + '…';
  return s;
}
