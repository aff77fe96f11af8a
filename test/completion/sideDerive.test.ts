import { deriveSideMatrices, MAX_SIDE_GROUPS } from '../../src/completion/sideDerive.js';
import type { SideMatrix } from '../../src/matrix/sideMatrices.js';
import { ForgetscopeError } from '../../src/util/errors.js';

describe('derived side matrices', () => {
  test('basic: |s|, centred midranks / N, s × base NLL, s per group, the base NLL — by hand', () => {
    const s: SideMatrix = { name: 'fo', rows: 2, cols: 3, data: Float32Array.of(3, -1, 2, 0, 0, 5) };
    const out = deriveSideMatrices([s], { baseNll: [1, 2, 3], groups: ['a', 'b c', 'a'] });
    expect(out.map((x) => x.name)).toEqual(['fo', 'fo.abs', 'fo.rank', 'fo.nll', 'fo.g-a', 'fo.g-b_c', 'base_nll']);
    const by = Object.fromEntries(out.map((x) => [x.name, Array.from(x.data)]));
    expect(by['fo.abs']).toEqual([3, 1, 2, 0, 0, 5]);
    // row 0 midranks [3, 1, 2] → (r − 2)/3; row 1 [1.5, 1.5, 3] → (r − 2)/3
    const rank = by['fo.rank']!;
    [1 / 3, -1 / 3, 0, -0.5 / 3, -0.5 / 3, 1 / 3].forEach((x, k) => expect(rank[k]!).toBeCloseTo(x, 14));
    expect(by['fo.nll']).toEqual([3, -2, 6, 0, 0, 15]);
    expect(by['fo.g-a']).toEqual([3, 0, 2, 0, 0, 5]);
    expect(by['fo.g-b_c']).toEqual([0, -1, 0, 0, 0, 0]);
    expect(by['base_nll']).toEqual([1, 2, 3, 1, 2, 3]);
  });

  test('candidates that need a missing feature are skipped; none returns the given matrices; bad input is an error', () => {
    const s: SideMatrix = { name: 'fo', rows: 1, cols: 3, data: Float64Array.of(1, 2, 3) };
    const names = (xs: SideMatrix[]) => xs.map((x) => x.name);
    expect(names(deriveSideMatrices([s], { baseNll: [1, NaN, 3], groups: ['a', 'a', 'a'] }))).toEqual([
      'fo',
      'fo.abs',
      'fo.rank',
    ]);
    expect(names(deriveSideMatrices([s], {}, 'none'))).toEqual(['fo']);
    // more groups than MAX_SIDE_GROUPS (an id-like column): not split
    const wide: SideMatrix = {
      name: 'fo',
      rows: 1,
      cols: MAX_SIDE_GROUPS + 1,
      data: new Float64Array(MAX_SIDE_GROUPS + 1),
    };
    const ids = Array.from({ length: MAX_SIDE_GROUPS + 1 }, (_, j) => `id${j}`);
    expect(names(deriveSideMatrices([wide], { groups: ids }))).toEqual(['fo', 'fo.abs', 'fo.rank']);
    expect(names(deriveSideMatrices([wide], { groups: ids.slice(0, -1).concat(['id0']) }))).toHaveLength(
      3 + MAX_SIDE_GROUPS,
    );
    expect(() => deriveSideMatrices([s], { baseNll: [1, 2] })).toThrow(ForgetscopeError);
    expect(() => deriveSideMatrices([s], {}, 'all' as never)).toThrow(ForgetscopeError);
  });
});
