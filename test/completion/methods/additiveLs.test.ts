import { additiveLs } from '../../../src/completion/methods/additiveLs.js';
import { fitLowrank } from '../../../src/completion/methods/lowrank/lowrank.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { hasNumpy, numpyJson, randomColumns, syntheticMatrix, toRows } from '../lowrankHelpers.js';

/** numpy: the exact joint least squares of μ + a_i + b_j over train entries + the known entries. */
const NUMPY_ADDITIVE_LS = `
import sys, json, numpy as np
d = json.load(sys.stdin)
Z = np.array(d['train'], dtype=float); mask = np.array(d['mask'], dtype=bool)
M, N = Z.shape
cols = d['columns']; vals = d['values']
rows_i, rows_j, y = [], [], []
for i in range(M):
    for j in range(N):
        if mask[i, j]:
            rows_i.append(i); rows_j.append(j); y.append(Z[i, j])
for j, v in zip(cols, vals):
    rows_i.append(M); rows_j.append(j); y.append(v)
X = np.zeros((len(y), 1 + (M + 1) + N))
for r, (i, j) in enumerate(zip(rows_i, rows_j)):
    X[r, 0] = 1; X[r, 1 + i] = 1; X[r, 2 + M + j] = 1
beta = np.linalg.lstsq(X, np.array(y), rcond=None)[0]
pred = beta[0] + beta[1 + M] + beta[2 + M:]
print(json.dumps(pred.tolist()))
`;

describe('additive-ls', () => {
  test('hand-worked case: column means plus the mean measured offset, measured cells shrunk by 1/(M+1)', async () => {
    // train column means (2, 2, 2); measured (4, 2) at columns 0, 1 → a_new = mean(2, 0) = 1
    const train = ForgettingMatrix.fromRows([
      [1, 2, 3],
      [3, 2, 1],
    ]);
    const fitted = await additiveLs.fit(train);
    const { prediction } = await fitted.predictRow({ columns: Int32Array.of(0, 1), values: Float64Array.of(4, 2) });
    expect(prediction[2]).toBeCloseTo(3, 14);
    expect(prediction[0]).toBeCloseTo(3 + 1 / 3, 14); // 3 + (4 − 3)/(M + 1)
    expect(prediction[1]).toBeCloseTo(3 - 1 / 3, 14);
  });

  test('no measured entries: the column means', async () => {
    const train = ForgettingMatrix.fromRows([
      [1, 5],
      [3, 7],
    ]);
    const { prediction } = await (await additiveLs.fit(train)).predictRow({
      columns: new Int32Array(0),
      values: new Float64Array(0),
    });
    expect(Array.from(prediction)).toEqual([2, 6]);
  });

  test('equals lowrank with the additive centring and k = 0', async () => {
    const z = syntheticMatrix({ rows: 9, cols: 40, rank: 2, seed: 3, additive: true, noise: () => 0.3 });
    const train = z.selectRows({ start: 0, end: 8 });
    const columns = randomColumns(40, 7, 1);
    const known = { columns, values: Float64Array.from(columns, (j) => z.get(8, j)) };
    const a = (await (await additiveLs.fit(train)).predictRow(known)).prediction;
    const lr = await fitLowrank(train, { hyper: { variant: 'additive', k: 0, alpha: 0 }, intervals: false });
    const b = (await lr.predictRow(known)).prediction;
    const skip = new Set(columns);
    for (let j = 0; j < 40; j++) if (!skip.has(j)) expect(b[j]).toBeCloseTo(a[j]!, 12);
  });

  test('rejects duplicate or out-of-range measured columns', async () => {
    const fitted = await additiveLs.fit(ForgettingMatrix.fromRows([[1, 2, 3]]));
    await expect(fitted.predictRow({ columns: Int32Array.of(1, 1), values: Float64Array.of(1, 1) })).rejects.toThrow(
      /twice/,
    );
    await expect(fitted.predictRow({ columns: Int32Array.of(3), values: Float64Array.of(1) })).rejects.toThrow(
      /out of range/,
    );
  });

  if (hasNumpy()) {
    test('equals the exact least-squares solution of the stacked matrix (numpy lstsq), complete train rows', async () => {
      const z = syntheticMatrix({ rows: 7, cols: 25, rank: 2, seed: 11, additive: true, noise: () => 0.5 });
      const train = z.selectRows({ start: 0, end: 6 });
      const columns = randomColumns(25, 6, 4);
      const values = Float64Array.from(columns, (j) => z.get(6, j));
      const ours = (await (await additiveLs.fit(train)).predictRow({ columns, values })).prediction;
      const ref = numpyJson<number[]>(NUMPY_ADDITIVE_LS, {
        train: toRows(train),
        mask: toRows(train).map((r) => r.map(() => 1)),
        columns: Array.from(columns),
        values: Array.from(values),
      });
      for (let j = 0; j < 25; j++) expect(ours[j]).toBeCloseTo(ref[j]!, 10);
    });

    test('equals numpy lstsq over the observed entries when train rows have missing entries (backfitting)', async () => {
      const z = syntheticMatrix({ rows: 6, cols: 12, rank: 1, seed: 5, additive: true, noise: () => 0.4 });
      const observed = new Uint8Array(5 * 12).fill(1);
      for (const k of [3, 8, 14, 20, 33, 41, 50, 57]) observed[k] = 0;
      const train = new ForgettingMatrix({
        values: Float64Array.from(z.values.subarray(0, 60)),
        observed,
        taskIds: z.taskIds.slice(0, 5),
        exampleIds: z.exampleIds,
      });
      const columns = Int32Array.of(0, 4, 7);
      const values = Float64Array.from(columns, (j) => z.get(5, j));
      const ours = (await (await additiveLs.fit(train)).predictRow({ columns, values })).prediction;
      const rows = Array.from({ length: 5 }, (_, i) =>
        Array.from({ length: 12 }, (_, j) => (observed[i * 12 + j] ? z.get(i, j) : 0)),
      );
      const mask = Array.from({ length: 5 }, (_, i) => Array.from(observed.subarray(i * 12, (i + 1) * 12)));
      const ref = numpyJson<number[]>(NUMPY_ADDITIVE_LS, {
        train: rows,
        mask,
        columns: Array.from(columns),
        values: Array.from(values),
      });
      for (let j = 0; j < 12; j++) expect(ours[j]).toBeCloseTo(ref[j]!, 7);
    });
  }
});
