import { trainStats } from '../../../src/completion/loo/basis.js';
import { prepareFolds } from '../../../src/completion/loo/folds.js';
import { selectHyper } from '../../../src/completion/loo/select.js';
import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { syntheticMatrix } from '../lowrankHelpers.js';

const backend = createReferenceBackend();

// Four train rows, five columns; the measured columns are 0 and 2.
const rows = [
  [1, 2, 0, -1, 3],
  [0, 1, 2, 2, -2],
  [2, -1, 1, 0, 1],
  [-1, 0, 3, 1, 0],
];
const K = Int32Array.of(0, 2);
const unknown = [1, 3, 4];

/** The leave-one-task-out RMSE of a rank-0 model, by hand: each held-out row predicted by `predict(r, j)`. */
function rank0Rmse(predict: (r: number, j: number) => number): number {
  let sse = 0;
  for (let r = 0; r < rows.length; r++) for (const j of unknown) sse += (rows[r]![j]! - predict(r, j)) ** 2;
  return Math.sqrt(sse / (rows.length * unknown.length));
}

describe('lowrank model selection by leave-one-task-out', () => {
  test('rank 0, uncentred: the prediction is 0, so the LOO RMSE is the RMS of the unmeasured entries', async () => {
    const stats = await trainStats(ForgettingMatrix.fromRows(rows), backend);
    const folds = prepareFolds(stats, ['uncentered'], 3, 10);
    const s = selectHyper(stats, folds, K, { variants: ['uncentered'], ranks: [0], alphas: [1] });
    expect(s.hyper).toEqual({ variant: 'uncentered', k: 0, alpha: 1 });
    expect(s.looRmse).toBeCloseTo(
      rank0Rmse(() => 0),
      12,
    );
  });

  test('rank 0, column-centred: the prediction is the column mean of the other rows', async () => {
    const stats = await trainStats(ForgettingMatrix.fromRows(rows), backend);
    const folds = prepareFolds(stats, ['column'], 3, 10);
    const s = selectHyper(stats, folds, K, { variants: ['column'], ranks: [0], alphas: [1] });
    const othersMean = (r: number, j: number) =>
      rows.reduce((acc, row, i) => (i === r ? acc : acc + row[j]!), 0) / (rows.length - 1);
    expect(s.looRmse).toBeCloseTo(rank0Rmse(othersMean), 12);
  });

  test('an exactly additive + rank-1 matrix: the chosen setting expresses it, with a LOO RMSE of rounding size', async () => {
    const z = syntheticMatrix({ rows: 12, cols: 40, rank: 1, seed: 5, additive: true });
    const stats = await trainStats(z, backend);
    const grid = { variants: ['uncentered', 'column', 'additive'] as const, ranks: [0, 1, 2], alphas: [1e-6] };
    const folds = prepareFolds(stats, grid.variants, 3, 12);
    const s = selectHyper(stats, folds, Int32Array.of(0, 5, 10, 15, 20, 25, 30, 35), grid);
    expect(s.looRmse).toBeLessThan(1e-4);
    // additive k ≥ 1 and column k = 2 express Z exactly; uncentred needs rank 3
    expect([
      ['additive', 1],
      ['additive', 2],
      ['column', 2],
    ]).toContainEqual([s.hyper.variant, s.hyper.k]);
  });
});
