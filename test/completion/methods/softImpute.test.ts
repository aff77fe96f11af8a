import { fitSoftImpute } from '../../../src/completion/methods/softImpute.js';
import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { hasNumpy, numpyJson, syntheticMatrix } from '../lowrankHelpers.js';

describe('soft-impute', () => {
  test('fixed λ: equals a numpy float64 soft-impute (SVD of the stacked centred rows each iteration) to 1e-9', async () => {
    if (!hasNumpy()) return;
    const z = syntheticMatrix({ rows: 10, cols: 40, rank: 2, seed: 4, noise: () => 0.1 });
    const train = z.selectRows({ start: 0, end: 9 });
    const columns = [0, 3, 8, 11, 17, 25, 31, 38];
    const row = z.row(9);
    const values = columns.map((c) => row[c]!);
    const expected = numpyJson<number[]>(
      `
import sys, json, numpy as np
d = json.load(sys.stdin)
Z = np.array(d['train']); K = np.array(d['columns']); vals = np.array(d['values'])
mu = Z.mean(0); R = Z - mu; lam = d['frac'] * np.linalg.svd(R, compute_uv=False)[0]
y = np.zeros(Z.shape[1]); y[K] = vals - mu[K]; unk = np.ones(Z.shape[1], bool); unk[K] = False
for it in range(d['iters']):
  U, s, Vt = np.linalg.svd(np.vstack([R, y]), full_matrices=False)
  y[unk] = ((U * np.maximum(s - lam, 0)) @ Vt)[-1, unk]
print(json.dumps((y + mu).tolist()))
`,
      { train: Array.from({ length: 9 }, (_, i) => Array.from(train.row(i))), columns, values, frac: 0.1, iters: 60 },
    );
    const fitted = await fitSoftImpute(train, {
      backend: createReferenceBackend(),
      lambda: 0.1,
      lambdas: [0.1],
      maxIter: 60,
      tol: 1e-300,
    });
    const { prediction } = await fitted.predictRow({
      columns: Int32Array.from(columns),
      values: Float64Array.from(values),
    });
    for (let j = 0; j < 40; j++) expect(Math.abs(prediction[j]! - expected[j]!)).toBeLessThan(1e-9);
  });

  test('a known rank-2 matrix: new rows recovered far better than the column means (λ by leave-one-task-out; soft-thresholding keeps a small shrinkage bias)', async () => {
    const z = syntheticMatrix({ rows: 14, cols: 80, rank: 2, seed: 9 });
    const train = z.selectRows({ start: 0, end: 12 });
    const fitted = await fitSoftImpute(train, { backend: createReferenceBackend(), maxIter: 500, tol: 1e-10 });
    const columns = Int32Array.from([2, 9, 17, 23, 31, 40, 47, 55, 63, 71]);
    for (const t of [12, 13]) {
      const row = z.row(t);
      const { prediction } = await fitted.predictRow({ columns, values: Float64Array.from(columns, (c) => row[c]!) });
      let sse = 0;
      let base = 0;
      for (let j = 0; j < 80; j++) {
        if (columns.includes(j)) continue;
        let cm = 0;
        for (let i = 0; i < 12; i++) cm += train.get(i, j) / 12;
        sse += (prediction[j]! - row[j]!) ** 2;
        base += (cm - row[j]!) ** 2;
      }
      expect(Math.sqrt(sse / base)).toBeLessThan(0.25);
    }
    const chosen = await fitted.decide(columns);
    expect(chosen.lambda).toBeGreaterThan(0);
    expect(Number.isFinite(chosen.looRmse)).toBe(true);
  });
});
