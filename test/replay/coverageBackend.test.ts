import { readForgettingMatrix } from '../../src/io/node/readForgettingMatrix.js';
import { referenceTopSVD } from '../../src/linalg/reference.js';
import { createCpuBackend } from '../../src/linalg/cpu/backend.js';
import { exampleFactors, exampleFactorsWith } from '../../src/replay/policies/factors.js';
import { facilityLocation } from '../../src/replay/policies/builtin.js';
import { planOfflineReplay } from '../../src/replay/offline.js';
import { createCompletionMethod } from '../../src/completion/registry.js';
import { knownEntriesOf } from '../../src/completion/protocol/evaluate.js';
import { defaultRng } from '../../src/completion/protocol/generator.js';
import type { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';

/** The factors as the coverage policy computed them before: the naive float64 reference SVD (the yardstick). */
function referenceFactors(train: ForgettingMatrix, rank: number): { rank: number; data: Float64Array } {
  const m = train.rows;
  const n = train.cols;
  const data = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) data[i * n + j] = train.isObserved(i, j) ? train.get(i, j) : 0;
  const svd = referenceTopSVD({ rows: m, cols: n, data }, rank);
  const out = new Float64Array(n * rank);
  for (let j = 0; j < n; j++) for (let c = 0; c < rank; c++) out[j * rank + c] = svd.v[j * svd.k + c]! * svd.s[c]!;
  return { rank, data: out };
}

/** Largest |a − b| over columns compared up to sign (singular vectors are defined up to sign). */
function maxDiffUpToSign(a: Float64Array, b: Float64Array, n: number, k: number): number {
  let worst = 0;
  for (let c = 0; c < k; c++) {
    let dot = 0;
    for (let j = 0; j < n; j++) dot += a[j * k + c]! * b[j * k + c]!;
    const sign = dot < 0 ? -1 : 1;
    for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(a[j * k + c]! - sign * b[j * k + c]!));
  }
  return worst;
}

describe('coverage: example factors from the backend', () => {
  const FIXTURE = 'fixtures/real-dev-v1';
  let matrix: ForgettingMatrix;
  beforeAll(async () => {
    matrix = (await readForgettingMatrix(FIXTURE)).matrix;
  });

  it('the backend and the synchronous Gram path match the float64 reference SVD on the fixture', async () => {
    const train = matrix.selectRows(Int32Array.from({ length: 30 }, (_, i) => i + 1));
    const ref = referenceFactors(train, 5);
    const cpu = createCpuBackend();
    const viaBackend = await exampleFactorsWith(cpu, train, 5);
    await cpu.dispose();
    const viaGram = exampleFactors(train, 5);
    let scale = 0;
    for (const x of ref.data) scale = Math.max(scale, Math.abs(x));
    expect(viaBackend.rank).toBe(5);
    expect(maxDiffUpToSign(viaBackend.data, ref.data, train.cols, 5) / scale).toBeLessThan(1e-8);
    expect(maxDiffUpToSign(viaGram.data, ref.data, train.cols, 5) / scale).toBeLessThan(1e-8);
  });

  it('the coverage plan selects the same examples as with the reference factors', async () => {
    const task = 0;
    const rows = Int32Array.from({ length: matrix.rows - 1 }, (_, i) => i + 1);
    const train = matrix.selectRows(rows);
    const known = knownEntriesOf(defaultRng(0).choice(matrix.cols, 30), matrix.row(task), matrix.rowMask(task));
    const common = { train, known, nFineTune: 576, seed: 0, policy: 'coverage' as const };
    const cpu = createCpuBackend();
    const plan = await planOfflineReplay({
      ...common,
      completion: createCompletionMethod('lowrank'),
      fitOptions: { backend: cpu },
    });
    const ref = referenceFactors(train, 5);
    const old = await planOfflineReplay({ ...common, predicted: plan.scores, policyInput: { factors: ref } });
    expect(plan.replayN).toBe(19); // int(576 / 32) + 1
    expect([...plan.selected].sort((a, b) => a - b)).toEqual([...old.selected].sort((a, b) => a - b));
    // and the greedy pick order itself
    const order = facilityLocation(plan.scores, await exampleFactorsWith(cpu, train, 5), 19);
    await cpu.dispose();
    expect(Array.from(order)).toEqual(Array.from(facilityLocation(plan.scores, ref, 19)));
  });
});
