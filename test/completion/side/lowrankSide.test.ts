import { fitLowrank } from '../../../src/completion/methods/lowrank/lowrank.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { SeededNormal } from '../../../src/linalg/random.js';
import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { sideRowOf, selectSideRows, type SideMatrix } from '../../../src/matrix/sideMatrices.js';
import { ForgetscopeError } from '../../../src/util/errors.js';
import { hasNumpy, numpyJson, NUMPY_CENTRED_SVD } from '../lowrankHelpers.js';

/** Z_i = a_i + b + γ_i·S_i (+ optional rank-1 term u_i·v), S Gaussian: the side row carries the task-specific pattern. */
function sideCase(
  m: number,
  n: number,
  seed: number,
  gammas: (i: number) => number,
  rank1 = 0,
  centreOver = 0,
  withB = true,
) {
  const g = new SeededNormal(seed);
  const s = new Float64Array(m * n);
  for (let k = 0; k < s.length; k++) s[k] = g.normal();
  // optionally centre the side columns over the first `centreOver` rows (the train rows)
  for (let j = 0; centreOver > 0 && j < n; j++) {
    let mean = 0;
    for (let i = 0; i < centreOver; i++) mean += s[i * n + j]! / centreOver;
    for (let i = 0; i < m; i++) s[i * n + j]! -= mean;
  }
  const b = Float64Array.from({ length: n }, () => (withB ? g.normal() : 0));
  const v = Float64Array.from({ length: n }, () => g.normal());
  const z = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const a = g.normal();
    const u = g.normal() * rank1;
    for (let j = 0; j < n; j++) z[i * n + j] = a + b[j]! + gammas(i) * s[i * n + j]! + u * v[j]!;
  }
  const matrix = new ForgettingMatrix({
    values: z,
    taskIds: Array.from({ length: m }, (_, i) => `t${i}`),
    exampleIds: Array.from({ length: n }, (_, j) => `e${j}`),
  });
  const side: SideMatrix = { name: 'first_order', rows: m, cols: n, data: s };
  return { matrix, side };
}

describe('lowrank with side matrices', () => {
  test('a row that the side row explains exactly (Z_i = a_i + 2·S_i, S centred over the train rows) is recovered from 8 probes', async () => {
    // train column means are mean(a) (no side pattern in them) and every train row's slope on its side
    // row is exactly 2 (the prior's mean), so the new row is offset + intercept + 2·s exactly
    const { matrix, side } = sideCase(12, 60, 3, () => 2, 0, 10, false);
    const trainRows = Int32Array.from({ length: 10 }, (_, i) => i);
    const train = matrix.selectRows(trainRows);
    const fitted = await fitLowrank(train, {
      backend: createReferenceBackend(),
      side: selectSideRows([side], trainRows),
    });
    const columns = Int32Array.from([1, 7, 13, 22, 30, 41, 50, 58]);
    for (const t of [10, 11]) {
      const row = matrix.row(t);
      const { prediction, lower, upper } = await fitted.predictRow({
        columns,
        values: Float64Array.from(columns, (c) => row[c]!),
        side: sideRowOf([side], t),
      });
      for (let j = 0; j < 60; j++) expect(Math.abs(prediction[j]! - row[j]!)).toBeLessThan(1e-8);
      expect(lower).toBeDefined();
      for (let j = 0; j < 60; j++) expect(upper![j]!).toBeGreaterThanOrEqual(lower![j]!);
    }
    expect(fitted.decide(columns).hyper.side).toBeDefined();
  });

  test('without side the same row is not recovered (the side row is what carries it)', async () => {
    const { matrix } = sideCase(12, 60, 3, () => 2, 0, 10, false);
    const train = matrix.selectRows({ start: 0, end: 10 });
    const fitted = await fitLowrank(train, { backend: createReferenceBackend(), intervals: false });
    const columns = Int32Array.from([1, 7, 13, 22, 30, 41, 50, 58]);
    const row = matrix.row(10);
    const { prediction } = await fitted.predictRow({ columns, values: Float64Array.from(columns, (c) => row[c]!) });
    let sse = 0;
    for (let j = 0; j < 60; j++) sse += (prediction[j]! - row[j]!) ** 2;
    expect(Math.sqrt(sse / 60)).toBeGreaterThan(0.5);
  });

  test('fixed (variant, k, α, α_s): predictions equal a numpy float64 Bayesian ridge on the side-residualised basis to 1e-9', async () => {
    if (!hasNumpy()) return;
    const { matrix, side } = sideCase(14, 50, 11, (i) => 0.5 + 0.3 * i, 1.5);
    const trainRows = Int32Array.from({ length: 12 }, (_, i) => i);
    const train = matrix.selectRows(trainRows);
    const trainSide = selectSideRows([side], trainRows);
    const columns = [0, 4, 9, 15, 21, 26, 33, 38, 44, 49];
    const t = 13;
    const row = matrix.row(t);
    const values = columns.map((c) => row[c]!);
    const cases = [
      { variant: 'additive', k: 2, alpha: 1, side: 1 },
      { variant: 'column', k: 3, alpha: 0.3, side: 4 },
      { variant: 'uncentered', k: 1, alpha: 3, side: 0.25 },
    ] as const;
    const expected = numpyJson<number[][]>(
      `
import sys, json, numpy as np
d = json.load(sys.stdin)
Z = np.array(d['train']); S = np.array(d['side']); s = np.array(d['sideRow']); K = np.array(d['columns']); y = np.array(d['values'])
M, N = Z.shape
slopes = np.array([np.cov(Z[i], S[i], bias=True)[0, 1] / S[i].var() for i in range(M)])
gbar = slopes.mean(); tau2 = max(slopes.var(), 1e-6 * gbar**2, 1e-300)
Z = Z - slopes[:, None] * S   # the basis and offsets come from the train rows without their own side part
out = []
for c in d['cases']:
  v, k, a, asd = c['variant'], c['k'], c['alpha'], c['side']${NUMPY_CENTRED_SVD}
  cols = [s[:, None], V]; pen = [asd * sig2 / tau2] + list(a * sig2 * M / sv[:k]**2); shift = [gbar] + [0.0] * k
  if v == 'additive': cols = [np.ones((N, 1))] + cols; pen = [0.0] + pen; shift = [0.0] + shift
  X = np.hstack(cols); shift = np.array(shift)
  delta = np.linalg.solve(X[K].T @ X[K] + np.diag(pen), X[K].T @ (y - off[K] - X[K] @ shift))
  out.append((off + X @ (shift + delta)).tolist())
print(json.dumps(out))
`,
      {
        train: Array.from({ length: 12 }, (_, i) => Array.from(train.row(i))),
        side: Array.from({ length: 12 }, (_, i) => Array.from(trainSide[0]!.data.subarray(i * 50, (i + 1) * 50))),
        sideRow: Array.from(side.data.subarray(t * 50, (t + 1) * 50)),
        columns,
        values,
        cases,
      },
    );
    for (let c = 0; c < cases.length; c++) {
      const fitted = await fitLowrank(train, {
        backend: createReferenceBackend(),
        side: trainSide,
        hyper: cases[c]!,
        intervals: false,
      });
      const { prediction } = await fitted.predictRow({
        columns: Int32Array.from(columns),
        values: Float64Array.from(values),
        side: sideRowOf([side], t),
      });
      for (let j = 0; j < 50; j++) expect(Math.abs(prediction[j]! - expected[c]![j]!)).toBeLessThan(1e-9);
    }
  });

  test('a model fitted with side needs the new task side row, by name and length', async () => {
    const { matrix, side } = sideCase(8, 30, 5, () => 1);
    const rows = Int32Array.from({ length: 7 }, (_, i) => i);
    const fitted = await fitLowrank(matrix.selectRows(rows), {
      side: selectSideRows([side], rows),
      hyper: { variant: 'additive', k: 1, alpha: 1, side: 1 },
    });
    const known = { columns: Int32Array.from([0, 5, 9]), values: Float64Array.from([1, 2, 3]) };
    await expect(fitted.predictRow(known)).rejects.toThrow(/needs the new task's side row/);
    await expect(fitted.predictRow({ ...known, side: { other: new Float64Array(30) } })).rejects.toThrow(
      /no row for side matrix "first_order"/,
    );
    await expect(fitted.predictRow({ ...known, side: { first_order: new Float64Array(29) } })).rejects.toThrow(
      ForgetscopeError,
    );
  });

  test('exchangeable tasks: 90 % side-aware intervals cover 0.85–0.95 of the unmeasured entries', async () => {
    const m = 48;
    const n = 240;
    const g = new SeededNormal(21);
    const { matrix, side } = sideCase(m, n, 17, (i) => 0.5 + 0.05 * i, 1.2);
    // plus per-entry noise, so that the intervals have something to cover
    const noisy = Float64Array.from(matrix.values, (v) => v + 0.3 * g.normal());
    const z = new ForgettingMatrix({ values: noisy, taskIds: matrix.taskIds, exampleIds: matrix.exampleIds });
    const trainRows = Int32Array.from({ length: 36 }, (_, i) => i);
    const fitted = await fitLowrank(z.selectRows(trainRows), { side: selectSideRows([side], trainRows) });
    let inside = 0;
    let total = 0;
    for (let s = 0; s < 3; s++) {
      const columns = Int32Array.from({ length: 30 }, (_, t) => (t * 8 + s * 3) % n).sort();
      const measured = new Set(columns);
      for (let t = 36; t < m; t++) {
        const row = z.row(t);
        const { lower, upper } = await fitted.predictRow({
          columns,
          values: Float64Array.from(columns, (c) => row[c]!),
          side: sideRowOf([side], t),
        });
        for (let j = 0; j < n; j++) {
          if (measured.has(j)) continue;
          if (row[j]! >= lower![j]! && row[j]! <= upper![j]!) inside++;
          total++;
        }
      }
    }
    expect(fitted.decide(Int32Array.from({ length: 30 }, (_, t) => (t * 8) % n).sort()).hyper.side).toBeDefined();
    expect(inside / total).toBeGreaterThan(0.85);
    expect(inside / total).toBeLessThan(0.95);
  });
});
