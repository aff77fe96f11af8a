import {
  compileVegaLite,
  forgettingHeatmapSpec,
  sourceForgettingSpec,
  textSnippet,
  topReplayedSpec,
} from '../../src/viz/index.js';
import type { VegaLiteSpec } from '../../src/viz/index.js';
import { renderClean } from './helpers.js';

describe('textSnippet', () => {
  it('makes control characters visible and truncates with an ellipsis', () => {
    expect(textSnippet('a\r\nb\tc\u0001  d')).toBe('a⏎b⇥c· d');
    expect(textSnippet('abcdef', 4)).toBe('abc…');
  });
});

describe('ids are data, never Vega expression text', () => {
  // U+2028 ends a line in a JavaScript string literal; quotes and backslashes would end or escape one
  const hostile = ['t\u2028a', 't"b', "t'c", 't\\d', 'e\u2029f'];
  /** Every expression string of the compiled Vega spec (expr, calculate, filter, test, signal, update). */
  const expressions = async (spec: VegaLiteSpec): Promise<string[]> => {
    const out: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (typeof x === 'string' && ['expr', 'calculate', 'filter', 'test', 'signal', 'update'].includes(k))
            out.push(x);
          else if (k !== 'values') walk(x);
        }
      }
    };
    walk((await compileVegaLite(spec)).vega);
    return out;
  };
  const mentionsAnId = (exprs: string[]): boolean =>
    exprs.some((e) => hostile.some((id) => e.includes(id) || e.includes(JSON.stringify(id).slice(1, -1))));

  it('heat map: task ids with line separators, quotes and backslashes render and label the rows', async () => {
    const rows = hostile.length;
    const values = Float64Array.from({ length: rows * 3 }, (_, k) => (k % 7) / 7 - 0.3);
    const spec = forgettingHeatmapSpec({ values, rows, cols: 3, taskIds: hostile });
    expect(mentionsAnId(await expressions(spec))).toBe(false);
    const svg = await renderClean(spec);
    expect(svg).toContain('t&quot;b');
    expect(svg).toContain('t\u2028a');
  });

  it('sources and top-replayed bars: hostile source names and example ids', async () => {
    const sources = hostile.map((source, i) => ({
      source,
      mean: 0.1 * (i + 1),
      fractionForgotten: 0.5,
      share: 0.2,
      examples: 3,
    }));
    expect(mentionsAnId(await expressions(sourceForgettingSpec(sources)))).toBe(false);
    await renderClean(sourceForgettingSpec(sources));
    const weights = Float64Array.of(0.1, 0.4, 0.2, 0.2, 0.1);
    const spec = topReplayedSpec(
      { weights, exampleIds: hostile, exampleMeta: hostile.map((source) => ({ source })) },
      { top: 5 },
    );
    expect(mentionsAnId(await expressions(spec))).toBe(false);
    const svg = await renderClean(spec);
    expect(svg).toContain('t&quot;b');
  });
});
