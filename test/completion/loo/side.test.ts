import { LOWRANK_VARIANTS, trainStats } from '../../../src/completion/loo/basis.js';
import { foldKnown, prepareFolds } from '../../../src/completion/loo/folds.js';
import { nestedSquaredErrors, nestedWorkspace, solveRidge } from '../../../src/completion/loo/ridge.js';
import { foldSideNormal, rawHeldOut, residualizeTrain, sideAt, sideStats } from '../../../src/completion/loo/side.js';
import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { SeededNormal } from '../../../src/linalg/random.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';

/**
 * The side columns of the one ridge against a direct float64 computation: for a held-out train row,
 * the closed-form squared error over the unmeasured columns (`nestedSquaredErrors` from the fold's
 * normal equations and its all-N side products, no pass over N) equals Σ_{j∉K} (c_j − x_jᵀβ)² summed
 * column by column, with x_j = [1?, s_hj…, v_j…] formed explicitly over all N columns, c the held-out
 * row's raw values and β the ridge solution at the measured columns.
 */
describe('one ridge with side columns', () => {
  const m = 12;
  const n = 40;
  const g = new SeededNormal(7);
  const s1 = Float64Array.from({ length: m * n }, () => g.normal());
  const s2 = Float64Array.from({ length: m * n }, () => g.normal());
  const b = Float64Array.from({ length: n }, () => g.normal());
  const v = Float64Array.from({ length: n }, () => g.normal());
  const z = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const [a, u, gamma] = [g.normal(), g.normal(), 0.5 + 0.1 * i];
    for (let j = 0; j < n; j++)
      z[i * n + j] = a + b[j]! + gamma * s1[i * n + j]! - 0.3 * s2[i * n + j]! + u * v[j]! + 0.1 * g.normal();
  }
  const train = new ForgettingMatrix({
    values: z,
    taskIds: Array.from({ length: m }, (_, i) => `t${i}`),
    exampleIds: Array.from({ length: n }, (_, j) => `e${j}`),
  });
  const side = [
    { name: 'a', rows: m, cols: n, data: s1 },
    { name: 'b', rows: m, cols: n, data: s2 },
  ];
  const columns = Int32Array.of(1, 4, 9, 13, 17, 22, 26, 31, 35, 38);
  const all = Int32Array.from({ length: n }, (_, j) => j);

  for (const residualized of [false, true])
    test(`closed-form fold errors equal the column-by-column sum (${residualized ? 'residualised' : 'raw'} train rows)`, async () => {
      const backend = createReferenceBackend();
      const raw = await trainStats(train, backend);
      const rawSide = await sideStats(raw, side, backend);
      const stats = residualized
        ? await trainStats(
            new ForgettingMatrix({
              values: residualizeTrain(raw, rawSide),
              taskIds: train.taskIds,
              exampleIds: train.exampleIds,
            }),
            backend,
          )
        : raw;
      const sideOf = residualized
        ? { ...(await sideStats(stats, side, backend)), slope: rawSide.slope, residualized: true }
        : rawSide;
      const folds = prepareFolds(stats, LOWRANK_VARIANTS, 6, 4);
      const work = nestedWorkspace();
      const ranks = [0, 1, 3, 6];
      const out = new Float64Array(ranks.length);
      let compared = 0;
      for (const fold of folds)
        for (const variant of LOWRANK_VARIANTS) {
          const fv = fold.variants.get(variant)!;
          const intercept = variant === 'additive';
          const ridge = { ...foldSideNormal(stats, sideOf, fold, variant, columns), fv, n, intercept };
          // the held-out row's raw values and its design over all N columns
          const whole = foldKnown(stats, fold, fv, all);
          const sAll = sideAt(sideOf.data, fold.heldOut, n, all);
          rawHeldOut(sideOf, fold.heldOut, whole.cK, sAll);
          for (const [alpha, alphaSide] of [
            [1, 1],
            [0.1, 4],
          ] as const) {
            nestedSquaredErrors(ridge, ranks, { alpha, alphaSide }, work, out);
            ranks.forEach((k, ki) => {
              if (k > fv.basis.r) return;
              const sol = solveRidge(ridge.normal, fv.basis, n, { k, alpha, intercept, alphaSide })!;
              let direct = 0;
              for (let j = 0; j < n; j++) {
                if (columns.includes(j)) continue;
                let fit = 0;
                sol.index.forEach((ix, x) => {
                  const value = ix === 0 ? 1 : ix <= 2 ? sAll[j * 2 + ix - 1]! : whole.vk[j * fv.basis.r + ix - 3]!;
                  fit += sol.beta[x]! * value;
                });
                direct += (whole.cK[j]! - fit) ** 2;
              }
              expect(Math.abs(out[ki]! - direct)).toBeLessThanOrEqual(1e-9 * direct);
              compared++;
            });
          }
        }
      expect(compared).toBe(4 * 3 * 2 * 4);
    });
});
