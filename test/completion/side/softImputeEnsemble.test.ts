import { fitSoftImpute } from '../../../src/completion/methods/softImpute.js';
import { fitEnsemble, nnlsSmall } from '../../../src/completion/methods/ensemble.js';
import { additiveLs } from '../../../src/completion/methods/additiveLs.js';
import { knn } from '../../../src/completion/methods/knn.js';
import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { SeededNormal } from '../../../src/linalg/random.js';
import { createCompletionMethod, OPT_IN_METHODS } from '../../../src/completion/registry.js';
import { parseMethodList } from '../../../src/cli/flags.js';
import { hasNumpy, numpyJson } from '../lowrankHelpers.js';

function lowRank(m: number, n: number, rank: number, seed: number, noise = 0): ForgettingMatrix {
  const g = new SeededNormal(seed);
  const a = Float64Array.from({ length: m * rank }, () => g.normal());
  const b = Float64Array.from({ length: n * rank }, () => g.normal());
  const z = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let x = 0;
      for (let c = 0; c < rank; c++) x += a[i * rank + c]! * b[j * rank + c]!;
      z[i * n + j] = x + noise * g.normal();
    }
  return new ForgettingMatrix({
    values: z,
    taskIds: Array.from({ length: m }, (_, i) => `t${i}`),
    exampleIds: Array.from({ length: n }, (_, j) => `e${j}`),
  });
}

describe('soft-impute', () => {
  test('fixed λ: equals a numpy float64 soft-impute (SVD of the stacked centred rows each iteration) to 1e-9', async () => {
    if (!hasNumpy()) return;
    const z = lowRank(10, 40, 2, 4, 0.1);
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
    const z = lowRank(14, 80, 2, 9);
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

describe('ensemble', () => {
  test('nnlsSmall: hand-worked — y = 2·p1 exactly gives w = (2, 0); a negative LS weight is clipped to the best non-negative support', () => {
    // P columns p1 = (1, 0, 1), p2 = (0, 1, 1); y = (2, 0, 2)
    const a = Float64Array.from([2, 1, 1, 2]);
    const b = Float64Array.from([4, 2]);
    const r = nnlsSmall(a, b, 8, 2);
    expect(r.w[0]).toBeCloseTo(2, 10);
    expect(r.w[1]).toBeCloseTo(0, 10);
    expect(r.sse).toBeLessThan(1e-12);
    // y = (1, -1, 0): unconstrained w = (1, -1); non-negative optimum w = (1/2, 0) with sse 1.5
    const r2 = nnlsSmall(a, Float64Array.from([1, -1]), 2, 2);
    expect(r2.w[0]).toBeCloseTo(0.5, 12);
    expect(r2.w[1]).toBe(0);
    expect(r2.sse).toBeCloseTo(1.5, 12);
  });

  test('an exactly additive matrix: all weight on additive-ls (exact), none on knn; predictions exact', async () => {
    const g = new SeededNormal(2);
    const m = 12;
    const n = 50;
    const a = Float64Array.from({ length: m }, () => g.normal());
    const b = Float64Array.from({ length: n }, () => g.normal());
    const z = new ForgettingMatrix({
      values: Float64Array.from({ length: m * n }, (_, k) => a[Math.floor(k / n)]! + b[k % n]!),
      taskIds: Array.from({ length: m }, (_, i) => `t${i}`),
      exampleIds: Array.from({ length: n }, (_, j) => `e${j}`),
    });
    const train = z.selectRows({ start: 0, end: 11 });
    const fitted = await fitEnsemble(train, { members: [knn(), additiveLs], backend: createReferenceBackend() });
    expect(fitted.names).toEqual(['knn', 'additive-ls']);
    const columns = Int32Array.from([1, 6, 12, 20, 33, 47]);
    const { weights, looRmse } = await fitted.weights(columns);
    expect(weights[0]).toBe(0);
    expect(weights[1]).toBeCloseTo(1, 9);
    expect(looRmse).toBeLessThan(1e-9);
    const row = z.row(11);
    const { prediction } = await fitted.predictRow({ columns, values: Float64Array.from(columns, (c) => row[c]!) });
    for (let j = 0; j < n; j++) expect(Math.abs(prediction[j]! - row[j]!)).toBeLessThan(1e-9);
  });

  test("soft-impute and ensemble are registered but opt-in: evaluate's default list is unchanged", () => {
    expect(createCompletionMethod('soft-impute').name).toBe('soft-impute');
    expect(createCompletionMethod('ensemble').name).toBe('ensemble');
    expect(parseMethodList(undefined)).toEqual([
      'additive',
      'knn',
      'knn-baseline',
      'svd',
      'lgmf',
      'lgmf-additive',
      'additive-ls',
      'lowrank',
    ]);
    expect(OPT_IN_METHODS).toEqual(['soft-impute', 'ensemble']);
  });
});
