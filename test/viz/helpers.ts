import { compileVegaLite, renderSvg, type VegaLiteSpec } from '../../src/viz/index.js';

/** Compiles without a single Vega-Lite warning and renders to an SVG with marks. */
export async function renderClean(spec: VegaLiteSpec): Promise<string> {
  const { warnings } = await compileVegaLite(spec);
  expect(warnings).toEqual([]);
  const svg = await renderSvg(spec);
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('role-mark');
  return svg;
}

/** Number of drawn items of a mark type in a Vega SVG (`<g class="mark-rect role-mark" …>` groups). */
export function markItems(svg: string, mark: string): number {
  let count = 0;
  const re = new RegExp(`<g class="mark-${mark} role-mark[^"]*"[^>]*>(.*?)</g>`, 'gs');
  for (const m of svg.matchAll(re)) count += (m[1]!.match(/<(path|line|text)\b/g) ?? []).length;
  return count;
}

/** The inline data rows of a single-view spec. */
export const dataOf = (spec: VegaLiteSpec): any[] => (spec as any).data.values;

/** Six examples; the plan may draw the three highest scores (weight 1/3 each), example 5 is held out. */
export const sixExamplePlan = {
  weights: Float64Array.of(1 / 3, 1 / 3, 1 / 3, 0, 0, 0),
  scores: Float64Array.of(0.5, 0.9, 0.7, 0.2, 0.4, 1.5),
  selected: Int32Array.of(2, 1),
  excluded: Uint8Array.of(0, 0, 0, 0, 0, 1),
  exampleIds: ['a', 'b', 'c', 'd', 'e', 'f'],
};
