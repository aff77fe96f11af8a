import { fitLowrank } from '../../src/completion/methods/lowrank/lowrank.js';
import { LOWRANK_VARIANTS } from '../../src/completion/loo/basis.js';
import { knownNormal, solveRidge } from '../../src/completion/loo/ridge.js';
import { minConformalScores } from '../../src/completion/conformal.js';
import { createReferenceBackend } from '../../src/linalg/reference.js';
import { randomColumns, syntheticMatrix, fiveNoiseLevels } from './lowrankHelpers.js';
import { predictiveSd } from './oracles.js';

/**
 * The interval of a task calibrated on its own probes, against a brute-force oracle: each probe's
 * leave-one-column-out residual from an actual refit without that column (not the closed form
 * r/(1 − h)), the interval's shape at every column from the full basis (`predictiveSd`), the
 * ⌈0.9·(k + 1)⌉-th smallest residual/shape ratio as the scale.
 */
describe('lowrank intervals calibrated on the task’s own probes', () => {
  test('half-widths equal the brute-force jackknife scale times the shape (1e-8 relative)', async () => {
    const noise = fiveNoiseLevels(0.1, 0.05);
    const z = syntheticMatrix({ rows: 15, cols: 160, rank: 3, seed: 23, additive: true, noise });
    const train = z.selectRows({ start: 0, end: 14 });
    const columns = randomColumns(160, 30, 4);
    const values = Float64Array.from(columns, (j) => z.get(14, j));
    const n = 160;
    for (const variant of LOWRANK_VARIANTS) {
      for (const [k, alpha] of [
        [2, 0.3],
        [5, 1],
      ] as const) {
        const fitted = await fitLowrank(train, { backend: createReferenceBackend(), hyper: { variant, k, alpha } });
        const got = await fitted.predictRow({ columns, values });
        const basis = await fitted.basis(variant);
        const r = basis.r;
        const kk = columns.length;
        const intercept = variant === 'additive';
        const vkOf = (cols: number[]) => {
          const vk = new Float64Array(cols.length * r);
          cols.forEach((j, t) => {
            for (let c = 0; c < r; c++) vk[t * r + c] = basis.v[c * n + j]!;
          });
          return vk;
        };
        const all = Array.from(columns);
        const cK = Float64Array.from(all, (j, t) => values[t]! - basis.offset[j]!);
        const sol = solveRidge(knownNormal(vkOf(all), cK, r), basis, n, {
          k: Math.min(k, r),
          alpha: alpha,
          intercept: intercept,
        })!;
        const design = (j: number) => Float64Array.from(sol.index, (ix) => (ix === 0 ? 1 : basis.v[(ix - 1) * n + j]!));
        const shape = (j: number) => predictiveSd(sol, basis, n, basis.colEnergy[j]!, design(j));
        const scores: number[] = [];
        for (let t = 0; t < kk; t++) {
          const rest = all.filter((_, u) => u !== t);
          const cRest = Float64Array.from(rest, (j) => values[all.indexOf(j)]! - basis.offset[j]!);
          const refit = solveRidge(knownNormal(vkOf(rest), cRest, r), basis, n, {
            k: Math.min(k, r),
            alpha: alpha,
            intercept: intercept,
          })!;
          const x = design(all[t]!);
          let fit = 0;
          for (let a = 0; a < x.length; a++) fit += refit.beta[a]! * x[a]!;
          scores.push(Math.abs(cK[t]! - fit) / shape(all[t]!));
        }
        scores.sort((a, b) => a - b);
        const q = scores[Math.ceil(0.9 * (kk + 1)) - 1]!;
        let worst = 0;
        for (let j = 0; j < n; j++) {
          const half = (got.upper![j]! - got.lower![j]!) / 2;
          worst = Math.max(worst, Math.abs(half - q * shape(j)) / (q * shape(j)));
        }
        expect(worst).toBeLessThan(1e-8);
      }
    }
  });

  test('with fewer probes than the minimum, and with calibration: train, the train rows’ scale is used instead', async () => {
    const z = syntheticMatrix({ rows: 15, cols: 160, rank: 3, seed: 5, additive: true, noise: () => 0.2 });
    const train = z.selectRows({ start: 0, end: 14 });
    const few = randomColumns(160, minConformalScores(0.9) - 1, 2);
    const many = randomColumns(160, minConformalScores(0.9), 2);
    expect(minConformalScores(0.9)).toBe(9);
    expect(minConformalScores(0.5)).toBe(1);
    const hyper = { variant: 'column' as const, k: 2, alpha: 1 };
    const probes = await fitLowrank(train, { backend: createReferenceBackend(), hyper });
    const trained = await fitLowrank(train, { backend: createReferenceBackend(), hyper, calibration: 'train' });
    const row = (cols: Int32Array) => ({ columns: cols, values: Float64Array.from(cols, (j) => z.get(14, j)) });
    const a = await probes.predictRow(row(few));
    const b = await trained.predictRow(row(few));
    expect(Array.from(a.upper!)).toEqual(Array.from(b.upper!));
    const c = await probes.predictRow(row(many));
    const d = await trained.predictRow(row(many));
    expect(Array.from(c.prediction)).toEqual(Array.from(d.prediction));
    expect(Array.from(c.upper!)).not.toEqual(Array.from(d.upper!));
    await expect(fitLowrank(train, { calibration: 'both' as never })).rejects.toThrow(
      /calibration must be probes or train/,
    );
  });
});
