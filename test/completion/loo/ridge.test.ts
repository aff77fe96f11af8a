import { LOWRANK_VARIANTS, trainStats } from '../../../src/completion/loo/basis.js';
import { foldKnown, prepareFolds } from '../../../src/completion/loo/folds.js';
import { defaultGrid, knownNormal, nestedSquaredErrors } from '../../../src/completion/loo/ridge.js';
import { allSquaredError, knownSquaredError, solveRidgeNested } from '../oracles.js';
import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { randomColumns, syntheticMatrix } from '../lowrankHelpers.js';

describe('the nested ridge errors', () => {
  test('the in-place nested errors equal solveRidgeNested with the two error functions, to the bit', async () => {
    const z = syntheticMatrix({ rows: 12, cols: 90, rank: 3, seed: 3, additive: true, noise: () => 0.1 });
    const stats = await trainStats(z, createReferenceBackend());
    const folds = prepareFolds(stats, LOWRANK_VARIANTS, 10, 60);
    const grid = defaultGrid(10);
    const work = {
      a: new Float64Array(0),
      added: new Float64Array(0),
      z: new Float64Array(0),
      beta: new Float64Array(0),
    };
    const out = new Float64Array(grid.ranks.length);
    let compared = 0;
    for (const count of [4, 15]) {
      const columns = randomColumns(90, count, count);
      for (const fold of folds.slice(0, 4)) {
        for (const variant of LOWRANK_VARIANTS) {
          const fv = fold.variants.get(variant)!;
          const known = foldKnown(stats, fold, fv, columns);
          const normal = knownNormal(known.vk, known.cK, fv.basis.r);
          for (const alpha of grid.alphas) {
            const sols = solveRidgeNested(normal, fv.basis, 90, grid.ranks, alpha, variant === 'additive');
            nestedSquaredErrors(
              { normal, fv, n: 90, intercept: variant === 'additive' },
              grid.ranks,
              { alpha },
              work,
              out,
            );
            sols.forEach((sol, ki) => {
              if (!sol) expect(out[ki]).toBeNaN();
              else {
                expect(out[ki]).toBe(allSquaredError(fv, sol, 90) - knownSquaredError(normal, sol));
                compared++;
              }
            });
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
  });
});
