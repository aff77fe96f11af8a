import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { compareRecipes } from '../../../src/methods/narrow-tuning/compareRecipes.js';

// Worked tests of seed-000 §4 (numbers from the spec, computed there with numpy).
describe('narrow tuning (seed 000)', () => {
  test('T3 compareRecipes, τ = 0.3', () => {
    const ids = { taskIds: ['t1', 't2'], exampleIds: ['a', 'b', 'c'] };
    const full = ForgettingMatrix.fromRows(
      [
        [0.5, 1.0, 0.2],
        [0.8, 0.1, 0.4],
      ],
      ids,
    );
    const sa = ForgettingMatrix.fromRows(
      [
        [0.05, 0.1, 0.0],
        [0.1, -0.05, 0.02],
      ],
      ids,
    );
    const r = compareRecipes({ full, saProj: sa }, { tau: 0.3 });
    expect(r.perRecipe[0]!.mean).toBeCloseTo(0.5, 12);
    expect(r.perRecipe[0]!.rowMeans[0]).toBeCloseTo(0.566667, 6);
    expect(r.perRecipe[0]!.rowMeans[1]).toBeCloseTo(0.433333, 6);
    expect(r.perRecipe[0]!.fracAbove).toBeCloseTo(0.666667, 6);
    expect(r.perRecipe[1]!.mean).toBeCloseTo(0.0366667, 6);
    expect(r.perRecipe[1]!.rowMeans[1]).toBeCloseTo(0.0233333, 6);
    expect(r.perRecipe[1]!.fracAbove).toBe(0);
    expect(r.pairwise[0]!.meanDiff).toBeCloseTo(0.463333, 6);
    expect(r.pairwise[0]!.spearman).toBeCloseTo(0.985611, 6);
    expect(r.pairwise[0]!.shared).toBe(6);
    // Matching is by ids: a reordered copy gives the same comparison.
    const saReordered = ForgettingMatrix.fromRows(
      [
        [-0.05, 0.02, 0.1],
        [0.1, 0.0, 0.05],
      ],
      { taskIds: ['t2', 't1'], exampleIds: ['b', 'c', 'a'] },
    );
    expect(compareRecipes({ full, saProj: saReordered }).pairwise[0]!.spearman).toBeCloseTo(0.985611, 6);
  });
});
