import { exampleFeatures, MAX_EMBEDDING_COVARIATES } from '../../../src/completion/effects/exampleFeatures.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';

/** A 2×n matrix with the given example metadata and base NLL. */
function withExamples(meta: Record<string, string | number>[], nllBefore?: number[]): ForgettingMatrix {
  const n = meta.length;
  return new ForgettingMatrix({
    values: new Float64Array(2 * n),
    taskIds: ['t0', 't1'],
    exampleIds: meta.map((_, j) => `e${j}`),
    exampleMeta: meta,
    ...(nllBefore ? { nllBefore: Float64Array.from(nllBefore) } : {}),
  });
}

const column = (f: ReturnType<typeof exampleFeatures>, name: string) => {
  if (!f) throw new Error('no features');
  const i = f.names.indexOf(name);
  return Array.from(f.data.subarray(i * f.n, (i + 1) * f.n));
};

describe('exampleFeatures', () => {
  test('groups, text shares (standardised) and base NLL; a covariate the earlier ones explain is left out', () => {
    // shares: upper [1,0,0,0], lower [0,1,0,0], digit [0,0,1,0], space = punct [0,0,0,½], other 0 (constant)
    const f = exampleFeatures(
      withExamples(
        [
          { source: 'a', text: 'AB' },
          { source: 'a', text: 'ab' },
          { source: 'b', text: '12' },
          { source: 'b', text: ' !' },
        ],
        [1, 2, 3, 4],
      ),
    );
    // In R⁴: a, b and upper are independent; lower = a − upper (left out); digit is the fourth direction;
    // space, punct and base_nll then lie in the span of the four.
    expect(f?.names).toEqual(['source=a', 'source=b', 'text.upper', 'text.digit']);
    expect(f?.p).toBe(4);
    expect(column(f, 'source=a')).toEqual([1, 1, 0, 0]);
    // upper: mean ¼, population sd √(3/16)
    const sd = Math.sqrt(3 / 16);
    const expected = [0.75 / sd, -0.25 / sd, -0.25 / sd, -0.25 / sd];
    column(f, 'text.upper').forEach((v, j) => {
      expect(v).toBeCloseTo(expected[j] ?? NaN, 12);
    });
  });

  test('without text: the groups and the standardised base NLL', () => {
    const meta = Array.from({ length: 6 }, (_, j) => ({ source: j < 3 ? 'x' : 'y' }));
    const f = exampleFeatures(withExamples(meta, [1, 2, 3, 1, 2, 6]));
    expect(f?.names).toEqual(['source=x', 'source=y', 'base_nll']);
    // mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 + 0.25 + 12.25 = 17.5: population sd √(17.5/6)
    const sd = Math.sqrt(17.5 / 6);
    column(f, 'base_nll').forEach((v, j) => {
      expect(v).toBeCloseTo(([1, 2, 3, 1, 2, 6][j]! - 2.5) / sd, 12);
    });
  });

  test('embedding.<i> keys: numeric on every example, standardised, in the order of i; others ignored', () => {
    const meta: Record<string, string | number>[] = [
      { source: 'x', 'embedding.10': 4, 'embedding.2': 1, 'embedding.note': 'not a number', 'embedding.3': 5 },
      { source: 'x', 'embedding.10': 0, 'embedding.2': 3, 'embedding.note': 'a', 'embedding.3': 5 },
      { source: 'y', 'embedding.10': 2, 'embedding.2': 2, 'embedding.note': 'b', 'embedding.3': 5 },
      { source: 'y', 'embedding.10': 2, 'embedding.2': 6, 'embedding.note': 'c' },
    ];
    const f = exampleFeatures(withExamples(meta));
    // embedding.3 is missing on one example and embedding.note is a string: neither is a covariate
    expect(f?.names).toEqual(['source=x', 'source=y', 'embedding.2', 'embedding.10']);
    // embedding.2 = [1, 3, 2, 6]: mean 3, squared deviations 4 + 0 + 1 + 9 = 14, population sd √3.5
    const sd = Math.sqrt(3.5);
    column(f, 'embedding.2').forEach((v, j) => {
      expect(v).toBeCloseTo(([1, 3, 2, 6][j]! - 3) / sd, 12);
    });
    // embedding.10 = [4, 0, 2, 2]: mean 2, sd √2
    column(f, 'embedding.10').forEach((v, j) => {
      expect(v).toBeCloseTo(([4, 0, 2, 2][j]! - 2) / Math.SQRT2, 12);
    });
  });

  test(`at most MAX_EMBEDDING_COVARIATES embedding columns, the first in the order of i`, () => {
    const rng = (j: number, i: number) => Math.sin(1 + j * 12.9898 + i * 78.233) * 43758.5453;
    const n = MAX_EMBEDDING_COVARIATES + 30;
    const meta = Array.from({ length: n }, (_, j) => {
      const row: Record<string, number> = {};
      for (let i = MAX_EMBEDDING_COVARIATES + 5; i >= 0; i--) row[`embedding.${i}`] = rng(j, i) - Math.floor(rng(j, i));
      return row;
    });
    const f = exampleFeatures(withExamples(meta));
    expect(f?.names).toEqual(Array.from({ length: MAX_EMBEDDING_COVARIATES }, (_, i) => `embedding.${i}`));
    // a constant key is no covariate and does not use up the cap
    meta.forEach((row) => {
      row['embedding.0'] = 7;
    });
    expect(exampleFeatures(withExamples(meta))?.names).toEqual(
      Array.from({ length: MAX_EMBEDDING_COVARIATES }, (_, i) => `embedding.${i + 1}`),
    );
  });

  test('values whose sums overflow (1e308) are standardised as their scaled copy, never to NaN', () => {
    const big = [1e308, -1e308, 5e307, 0];
    const small = [1, -1, 0.5, 0];
    const f = exampleFeatures(withExamples(big.map((v) => ({ 'embedding.0': v }))));
    const g = exampleFeatures(withExamples(small.map((v) => ({ 'embedding.0': v }))));
    const expected = column(g, 'embedding.0');
    column(f, 'embedding.0').forEach((v, j) => {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeCloseTo(expected[j] ?? NaN, 12);
    });
  });

  test('an embedding column that the groups explain is left out like any other', () => {
    const meta = [0, 1, 2, 3].map((j) => ({ source: j < 2 ? 'x' : 'y', 'embedding.0': j < 2 ? 1 : -1 }));
    expect(exampleFeatures(withExamples(meta))?.names).toEqual(['source=x', 'source=y']);
  });

  test('nothing to use: null (no metadata, one group, too many groups, missing text)', () => {
    expect(exampleFeatures(withExamples([{}, {}, {}]))).toBeNull();
    expect(exampleFeatures(withExamples([{ source: 'a' }, { source: 'a' }, { source: 'a' }]))).toBeNull();
    const many = Array.from({ length: 40 }, (_, j) => ({ source: `s${j}` }));
    expect(exampleFeatures(withExamples(many))).toBeNull();
    // one example without text: no text shares
    expect(exampleFeatures(withExamples([{ text: 'ab' }, { text: 'AB' }, {}]))).toBeNull();
  });

  test('another metadata key as the groups', () => {
    const meta = [{ lang: 'en' }, { lang: 'de' }, { lang: 'en' }];
    expect(exampleFeatures(withExamples(meta), { groupKey: 'lang' })?.names).toEqual(['lang=de', 'lang=en']);
  });
});
