import { fitLowrank } from '../../../src/completion/methods/lowrank/lowrank.js';
import { LOWRANK_VARIANTS } from '../../../src/completion/loo/basis.js';
import { knownLooResidualSq } from '../../../src/completion/loo/intervals.js';
import { knownNormal, solveRidge } from '../../../src/completion/loo/ridge.js';
import { predictiveSd } from '../oracles.js';
import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { randomColumns, syntheticMatrix } from '../lowrankHelpers.js';

describe('lowrank without the N×k basis', () => {
  test('a prediction with intervals equals the one from the full right singular vectors and the per-column predictive sd (1e-11 of the row scale)', async () => {
    const z = syntheticMatrix({ rows: 13, cols: 150, rank: 3, seed: 17, additive: true, noise: () => 0.2 });
    const train = z.selectRows({ start: 0, end: 12 });
    const columns = randomColumns(150, 20, 9);
    const values = Float64Array.from(columns, (j) => z.get(12, j));
    for (const variant of LOWRANK_VARIANTS) {
      for (const [k, alpha] of [
        [0, 1],
        [3, 0.3],
        [8, 0],
      ] as const) {
        const fitted = await fitLowrank(train, {
          backend: createReferenceBackend(),
          hyper: { variant, k, alpha },
          calibration: 'train',
        });
        const got = await fitted.predictRow({ columns, values });
        const kappa = fitted.decide(columns).kappa;
        // the old path: V from the full basis, V_K, the ridge factor, then predictiveSd per column
        const basis = await fitted.basis(variant);
        const n = 150;
        const r = basis.r;
        const vk = new Float64Array(columns.length * r);
        const cK = Float64Array.from(columns, (j, t) => values[t]! - basis.offset[j]!);
        columns.forEach((j, t) => {
          for (let c = 0; c < r; c++) vk[t * r + c] = basis.v[c * n + j]!;
        });
        const sol = solveRidge(knownNormal(vk, cK, r), basis, n, {
          k: Math.min(k, r),
          alpha: alpha,
          intercept: variant === 'additive',
        })!;
        // the row's probe scale ρ from the fit's leave-one-column-out residuals r_t/(1 − h_t) at the
        // measured columns, computed directly: A = L·Lᵀ rebuilt from the factor, h_t = x_tᵀA⁻¹x_t by
        // Gaussian elimination
        const q0 = sol.index.length;
        const A = Array.from({ length: q0 }, (_, i) =>
          Array.from({ length: q0 }, (_, j) => {
            let v = 0;
            for (let t = 0; t <= Math.min(i, j); t++) v += sol.factor[i * q0 + t]! * sol.factor[j * q0 + t]!;
            return v;
          }),
        );
        const solve = (b: number[]): number[] => {
          const m = A.map((row, i) => [...row, b[i]!]);
          for (let c = 0; c < q0; c++) {
            for (let i = c + 1; i < q0; i++) {
              const f = m[i]![c]! / m[c]![c]!;
              for (let j = c; j <= q0; j++) m[i]![j]! -= f * m[c]![j]!;
            }
          }
          const y = new Array<number>(q0).fill(0);
          for (let i = q0 - 1; i >= 0; i--) {
            let v = m[i]![q0]!;
            for (let j = i + 1; j < q0; j++) v -= m[i]![j]! * y[j]!;
            y[i] = v / m[i]![i]!;
          }
          return y;
        };
        let residualSq = 0;
        columns.forEach((_j, t) => {
          const x = Array.from(sol.index, (ix) => (ix === 0 ? 1 : vk[t * r + ix - 1]!));
          const fit = x.reduce((acc, v, q) => acc + sol.beta[q]! * v, 0);
          const y = solve(x);
          const h = x.reduce((acc, v, q) => acc + v * y[q]!, 0);
          residualSq += ((cK[t]! - fit) / Math.max(1 - h, 0.05)) ** 2;
        });
        expect(Math.abs(knownLooResidualSq(vk, r, cK, sol) - residualSq)).toBeLessThanOrEqual(
          1e-9 * Math.max(residualSq, 1e-12),
        );
        const sigma2 = basis.energy / (basis.rows * n);
        const q = sol.index.length;
        const rho = Math.sqrt((residualSq + q * sigma2) / ((columns.length + q) * sigma2));
        let scale = 0;
        for (let j = 0; j < n; j++) scale = Math.max(scale, Math.abs(got.prediction[j]!));
        for (let j = 0; j < n; j++) {
          let pred = basis.offset[j]!;
          const x = new Float64Array(sol.index.length);
          sol.index.forEach((ix, q) => {
            const v = ix === 0 ? 1 : basis.v[(ix - 1) * n + j]!;
            pred += sol.beta[q]! * v;
            x[q] = v;
          });
          const sd = kappa * rho * predictiveSd(sol, basis, n, basis.colEnergy[j]!, x);
          expect(Math.abs(got.prediction[j]! - pred)).toBeLessThanOrEqual(1e-11 * scale);
          expect(Math.abs(got.upper![j]! - (pred + sd))).toBeLessThanOrEqual(1e-11 * scale);
          expect(Math.abs(got.lower![j]! - (pred - sd))).toBeLessThanOrEqual(1e-11 * scale);
        }
      }
    }
  });
});
