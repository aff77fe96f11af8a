import { fitLowrank } from '../../../../src/completion/methods/lowrank/lowrank.js';
import { LOWRANK_VARIANTS, trainStats, type LowrankVariant } from '../../../../src/completion/loo/basis.js';
import { prepareFolds } from '../../../../src/completion/loo/folds.js';
import { selectHyper } from '../../../../src/completion/loo/select.js';
import { createReferenceBackend } from '../../../../src/linalg/reference.js';
import { ForgettingMatrix } from '../../../../src/matrix/ForgettingMatrix.js';
import {
  hasNumpy,
  numpyJson,
  randomColumns,
  syntheticMatrix,
  toRows,
  unknownRmse,
  NUMPY_CENTRED_SVD,
  fiveNoiseLevels,
} from '../../lowrankHelpers.js';

/** numpy: lowrank's prediction for fixed (variant, k, α) from np.linalg.svd of the centred train block. */
const NUMPY_LOWRANK = `
import sys, json, numpy as np
doc = json.load(sys.stdin)
out = []
for d in doc['cases']:
  Z = np.array(doc['train'], dtype=float); K = np.array(doc['columns']); y = np.array(doc['values'])
  v, k, alpha = d['variant'], d['k'], d['alpha']
  M, N = Z.shape${NUMPY_CENTRED_SVD}
  pen = alpha * sig2 * M / sv[:k]**2
  X = V[K]
  full = V
  if v == 'additive':
      X = np.hstack([np.ones((len(K), 1)), X]); pen = np.concatenate([[0.0], pen]); full = np.hstack([np.ones((N, 1)), V])
  beta = np.linalg.solve(X.T @ X + np.diag(pen), X.T @ (y - off[K]))
  out.append((off + full @ beta).tolist())
print(json.dumps(out))
`;

describe('lowrank', () => {
  test('an exactly rank-3 matrix: held-out entries recovered to 1e-9 from 3, 5 and 10 probes (LOO-chosen settings)', async () => {
    const z = syntheticMatrix({ rows: 15, cols: 120, rank: 3, seed: 7 });
    const train = z.selectRows({ start: 0, end: 12 });
    const fitted = await fitLowrank(train, { backend: createReferenceBackend(), intervals: false });
    for (const probes of [3, 5, 10]) {
      const columns = randomColumns(120, probes, probes);
      for (let t = 12; t < 15; t++) {
        const { prediction } = await fitted.predictRow({
          columns,
          values: Float64Array.from(columns, (j) => z.get(t, j)),
        });
        let worst = 0;
        for (let j = 0; j < 120; j++) worst = Math.max(worst, Math.abs(prediction[j]! - z.get(t, j)));
        expect(worst).toBeLessThan(1e-9);
      }
    }
  });

  test('an additive + rank-2 matrix is recovered exactly by every centring that can express it', async () => {
    const z = syntheticMatrix({ rows: 11, cols: 80, rank: 2, seed: 9, additive: true });
    const train = z.selectRows({ start: 0, end: 10 });
    const columns = randomColumns(80, 8, 2);
    const values = Float64Array.from(columns, (j) => z.get(10, j));
    // uncentred needs rank 4 (row effect, column effect, 2 factors); column-centred rank 3; additive rank 2
    const needs: Record<LowrankVariant, number> = { uncentered: 4, column: 3, additive: 2 };
    for (const variant of LOWRANK_VARIANTS) {
      const fitted = await fitLowrank(train, { hyper: { variant, k: needs[variant], alpha: 0 }, intervals: false });
      const { prediction } = await fitted.predictRow({ columns, values });
      for (let j = 0; j < 80; j++) expect(Math.abs(prediction[j]! - z.get(10, j))).toBeLessThan(1e-9);
    }
  });

  test('the closed-form leave-one-task-out error equals refitting without each train row', async () => {
    const noise = fiveNoiseLevels(0.2, 0.1);
    const z = syntheticMatrix({ rows: 10, cols: 60, rank: 3, seed: 21, additive: true, noise });
    const backend = createReferenceBackend();
    const stats = await trainStats(z, backend);
    const folds = prepareFolds(stats, LOWRANK_VARIANTS, 9, 60);
    const columns = randomColumns(60, 12, 3);
    for (const variant of LOWRANK_VARIANTS) {
      for (const [k, alpha] of [
        [0, 0],
        [2, 0],
        [3, 1],
        [5, 3],
      ] as const) {
        const closed = selectHyper(stats, folds, columns, { variants: [variant], ranks: [k], alphas: [alpha] });
        let se = 0;
        let count = 0;
        for (let r = 0; r < 10; r++) {
          const others = Array.from({ length: 10 }, (_, i) => i).filter((i) => i !== r);
          const fitted = await fitLowrank(z.selectRows(others), {
            backend,
            hyper: { variant, k, alpha },
            intervals: false,
            maxRank: 9,
          });
          const { prediction } = await fitted.predictRow({
            columns,
            values: Float64Array.from(columns, (j) => z.get(r, j)),
          });
          const e = unknownRmse(z.row(r), prediction, columns);
          se += e.se;
          count += e.count;
        }
        expect(closed.looRmse).toBeCloseTo(Math.sqrt(se / count), 9);
      }
    }
  });

  test('model selection is deterministic and prefers the true rank on noisy low-rank data', async () => {
    const z = syntheticMatrix({ rows: 30, cols: 300, rank: 3, seed: 4, noise: () => 0.05 });
    const a = await fitLowrank(z, { intervals: false });
    const b = await fitLowrank(z, { intervals: false });
    const columns = randomColumns(300, 30, 8);
    expect(a.decide(columns)).toEqual(b.decide(columns));
    expect(a.decide(columns).hyper.k).toBeGreaterThanOrEqual(3);
    expect(a.decide(columns).hyper.k).toBeLessThanOrEqual(6);
  });

  if (hasNumpy()) {
    test('predictions for fixed settings equal numpy float64 (SVD of each centring, Bayesian ridge)', async () => {
      const z = syntheticMatrix({ rows: 9, cols: 50, rank: 2, seed: 13, additive: true, noise: () => 0.3 });
      const train = z.selectRows({ start: 0, end: 8 });
      const columns = randomColumns(50, 10, 6);
      const values = Float64Array.from(columns, (j) => z.get(8, j));
      const cases: { variant: LowrankVariant; k: number; alpha: number }[] = [];
      for (const variant of LOWRANK_VARIANTS)
        for (const [k, alpha] of [
          [1, 0],
          [3, 0.3],
          [6, 10],
        ] as const)
          cases.push({ variant, k, alpha });
      const refs = numpyJson<number[][]>(NUMPY_LOWRANK, {
        train: toRows(train),
        columns: Array.from(columns),
        values: Array.from(values),
        cases,
      });
      for (const [c, { variant, k, alpha }] of cases.entries()) {
        const fitted = await fitLowrank(train, { hyper: { variant, k, alpha }, intervals: false });
        const ours = (await fitted.predictRow({ columns, values })).prediction;
        for (let j = 0; j < 50; j++) expect(ours[j]).toBeCloseTo(refs[c]![j]!, 9);
      }
    });
  }
  test('a float32 train block keeps float32 factors: predictions within float32 rounding of the float64 fit', async () => {
    const z64 = syntheticMatrix({ rows: 14, cols: 300, rank: 3, seed: 11, noise: () => 0.05 });
    const z32 = new ForgettingMatrix({
      values: Float32Array.from(z64.values),
      taskIds: z64.taskIds,
      exampleIds: z64.exampleIds,
    });
    // the float64 copy of the float32 values: both fits see the same numbers
    const zr = new ForgettingMatrix({
      values: Float64Array.from(z32.values),
      taskIds: z64.taskIds,
      exampleIds: z64.exampleIds,
    });
    const columns = randomColumns(300, 30, 5);
    const known = { columns, values: Float64Array.from(columns, (j) => zr.get(13, j)) };
    for (const variant of LOWRANK_VARIANTS) {
      const hyper = { variant, k: 3, alpha: 0.1 };
      const f32 = await fitLowrank(z32.selectRows({ start: 0, end: 13 }), {
        hyper,
        intervals: false,
        backend: createReferenceBackend(),
      });
      const f64 = await fitLowrank(zr.selectRows({ start: 0, end: 13 }), {
        hyper,
        intervals: false,
        backend: createReferenceBackend(),
      });
      expect((await f32.basis(variant)).v).toBeInstanceOf(Float32Array);
      expect((await f64.basis(variant)).v).toBeInstanceOf(Float64Array);
      const a = (await f32.predictRow(known)).prediction;
      const b = (await f64.predictRow(known)).prediction;
      let scale = 0;
      let worst = 0;
      for (let j = 0; j < 300; j++) {
        scale = Math.max(scale, Math.abs(b[j]!));
        worst = Math.max(worst, Math.abs(a[j]! - b[j]!));
      }
      // V rounded to float32 (relative 2⁻²⁴ per entry) moves a prediction by a few 1e-8 of its scale
      expect(worst).toBeLessThan(1e-6 * scale);
      expect(worst).toBeGreaterThan(0);
    }
  });

  test('reuse: true refits of the same train matrix share one fit; without it, other options or another matrix refit, with equal results', async () => {
    const z = syntheticMatrix({ rows: 14, cols: 90, rank: 3, seed: 11 });
    const train = z.selectRows({ start: 0, end: 11 });
    const backend = createReferenceBackend();
    const columns = randomColumns(90, 8, 5);
    const known = { columns, values: Float64Array.from(columns, (j) => z.get(12, j)) };
    const first = await fitLowrank(train, { backend, reuse: true });
    const again = await fitLowrank(train, { backend, reuse: true });
    expect(again).toBe(first);
    // the cache is opt-in: a plain fit is always fresh
    const fresh = await fitLowrank(train, { backend });
    expect(fresh).not.toBe(first);
    expect(await fitLowrank(train, { backend, reuse: false })).not.toBe(first);
    expect(await fitLowrank(train, { backend, intervals: false, reuse: true })).not.toBe(first);
    expect(await fitLowrank(train, { backend, maxRank: 4, reuse: true })).not.toBe(first);
    expect(await fitLowrank(z.selectRows({ start: 0, end: 11 }), { backend, reuse: true })).not.toBe(first);
    const a = await first.predictRow(known);
    const b = await fresh.predictRow(known);
    expect(Array.from(b.prediction)).toEqual(Array.from(a.prediction));
    expect(Array.from(b.upper!)).toEqual(Array.from(a.upper!));
    expect(fresh.decide(columns)).toEqual(first.decide(columns));
    // a prediction from the full basis (formed first) equals one from the leading-k prefix
    const variant = first.decide(columns).hyper.variant;
    const viaFull = await fitLowrank(train, { backend, reuse: false });
    const full = await viaFull.basis(variant);
    expect(viaFull.bases.get(variant)).toBe(full);
    expect(full.v.length).toBe(90 * full.r);
    const c = await viaFull.predictRow(known);
    expect(Array.from(c.prediction)).toEqual(Array.from(a.prediction));
    expect(Array.from(c.lower!)).toEqual(Array.from(a.lower!));
  });
});
