import { fitEnsemble, nnlsSmall } from '../../../src/completion/methods/ensemble.js';
import { additiveLs } from '../../../src/completion/methods/additiveLs.js';
import { knn } from '../../../src/completion/methods/knn.js';
import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { SeededNormal } from '../../../src/linalg/random.js';

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
});
