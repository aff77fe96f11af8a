import { compileVegaLite, renderSvg } from '../../src/viz/render.js';
import type { VegaLiteSpec } from '../../src/viz/spec.js';
import { markItems } from './helpers.js';

const bars: VegaLiteSpec = {
  data: {
    values: [
      { a: 'x', b: 1 },
      { a: 'y', b: 2 },
      { a: 'z', b: 3 },
    ],
  },
  mark: 'bar',
  encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } },
};

// An unknown aggregate: Vega-Lite warns and drops it.
const withWarning = {
  data: { values: [{ a: 1 }] },
  mark: 'bar',
  encoding: { x: { field: 'a', type: 'quantitative', aggregate: 'nope' } },
} as unknown as VegaLiteSpec;

describe('compileVegaLite and renderSvg', () => {
  test('three bars compile without warnings to Vega and render as an SVG of three rect marks', async () => {
    const { vega, warnings } = await compileVegaLite(bars);
    expect(warnings).toEqual([]);
    expect((vega as { marks: unknown[] }).marks.length).toBeGreaterThan(0);
    const svg = await renderSvg(bars);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(markItems(svg, 'rect')).toBe(3);
  });

  test('compiler warnings are collected, never printed, and passed to onWarning when rendering', async () => {
    const { warnings } = await compileVegaLite(withWarning);
    expect(warnings).toEqual(['Invalid aggregation operator "nope".']);
    const seen: string[] = [];
    await renderSvg(withWarning, { onWarning: (m) => seen.push(m) });
    expect(seen).toEqual(warnings);
  });
});
