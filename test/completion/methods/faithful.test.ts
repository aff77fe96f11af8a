import { loadDevMatrix, loadReference } from '../helpers/devData.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { additive } from '../../../src/completion/methods/additive.js';
import { knn } from '../../../src/completion/methods/knn.js';
import { knnBaseline } from '../../../src/completion/methods/knnBaseline.js';
import { knownEntriesOf } from '../../../src/completion/protocol/evaluate.js';
import { defaultRng } from '../../../src/completion/protocol/generator.js';
import { pairwiseSum } from '../../../src/completion/methods/surpriseTrainset.js';
import type { CompletionMethod } from '../../../src/completion/types.js';

const entries = (cols: number[], vals: number[]) => ({
  columns: Int32Array.from(cols),
  values: Float64Array.from(vals),
});

describe('faithful methods: hand-worked cases', () => {
  test('spec §5 KNN case (MSD similarity, user-based)', async () => {
    const train = ForgettingMatrix.fromRows([
      [0.2, 0.4, 0.1, 0.3],
      [0, 0.1, 0, 0.2],
    ]);
    const { prediction } = await (await knn().fit(train)).predictRow(entries([0, 1], [0.25, 0.5]));
    expect(prediction[2]).toBeCloseTo(0.0524793, 7);
    expect(prediction[3]).toBeCloseTo(0.2524793, 7);
  });

  test('KNN: k nearest only, non-positive similarities and missing train cells skipped', async () => {
    // Row 0 is identical to the known values (sim 1), row 1 far (sim 1/(1+4) = 0.2), row 2 has no
    // common column (sim 0: never a neighbour).
    const train = new ForgettingMatrix({
      values: Float64Array.from([1, 1, 5, 3, 3, 7, 0, 0, 9]),
      observed: Uint8Array.from([1, 1, 1, 1, 1, 1, 0, 0, 1]),
      taskIds: ['a', 'b', 'c'],
      exampleIds: ['x', 'y', 'z'],
    });
    const known = entries([0, 1], [1, 1]);
    expect((await (await knn().fit(train)).predictRow(known)).prediction[2]).toBeCloseTo((1 * 5 + 0.2 * 7) / 1.2, 14);
    expect((await (await knn({ k: 1 }).fit(train)).predictRow(known)).prediction[2]).toBeCloseTo(5, 14);
  });

  test('additive SGD, one epoch by hand', async () => {
    // Trainset order: (u0,i0,1), (u0,i1,3), then the test row (u1,i0,2). μ = 2.
    const train = ForgettingMatrix.fromRows([[1, 3]]);
    const lr = 0.1;
    const reg = 0.5;
    let bu0 = 0,
      bu1 = 0,
      bi0 = 0,
      bi1 = 0;
    let err = 1 - (2 + bu0 + bi0);
    bu0 += lr * (err - reg * bu0);
    bi0 += lr * (err - reg * bi0);
    err = 3 - (2 + bu0 + bi1);
    bu0 += lr * (err - reg * bu0);
    bi1 += lr * (err - reg * bi1);
    err = 2 - (2 + bu1 + bi0);
    bu1 += lr * (err - reg * bu1);
    bi0 += lr * (err - reg * bi0);
    const fitted = await additive({ epochs: 1, learningRate: lr, reg }).fit(train);
    const { prediction } = await fitted.predictRow(entries([0], [2]));
    // Values worked out by hand: bu0 = −0.1 then −0.086 ... checked against the loop above.
    expect(bi0).toBeCloseTo(-0.1 + 0.1 * (0.1 - 0.5 * -0.1), 14);
    expect(prediction[0]).toBeCloseTo(2 + bu1 + bi0, 14);
    expect(prediction[1]).toBeCloseTo(2 + bu1 + bi1, 14);
  });

  test('pairwise sum equals exact sums on integers and numpy-style blocking on small arrays', () => {
    const a = Float64Array.from({ length: 1001 }, (_, k) => k);
    expect(pairwiseSum(a, 0, a.length)).toBe((1000 * 1001) / 2);
    expect(pairwiseSum(Float64Array.of(1, 2, 3), 0, 3)).toBe(6);
  });

  test('bad known entries are usage errors', async () => {
    const fitted = await additive().fit(ForgettingMatrix.fromRows([[1, 2, 3]]));
    await expect(fitted.predictRow(entries([2, 1], [0, 0]))).rejects.toThrow(/ascending/);
    await expect(fitted.predictRow(entries([5], [0]))).rejects.toThrow(/out of range/);
  });
});

describe('faithful methods reproduce the reference predictions (dev data, seed 0, first test row)', () => {
  const z = loadDevMatrix();
  const ref = loadReference();
  const train = z.selectRows(Int32Array.from(ref.trainRows));
  const t = ref.testRows[0]!;
  const known = knownEntriesOf(defaultRng(0).choice(z.cols, ref.known), z.row(t), null);
  const cases: [string, CompletionMethod][] = [
    ['additive', additive()],
    ['knn', knn()],
    ['knn-baseline', knnBaseline()],
  ];
  test.each(cases)('%s to 1e-9', async (name, method) => {
    const expected = ref.predictionsSeed0FirstTestRow[name]![String(t)]!;
    expect(expected).toHaveLength(z.cols);
    const { prediction } = await (await method.fit(train)).predictRow(known);
    let maxDiff = 0;
    for (let j = 0; j < z.cols; j++) maxDiff = Math.max(maxDiff, Math.abs(prediction[j]! - expected[j]!));
    expect(maxDiff).toBeLessThan(1e-9);
  });
});

describe('svd with the reference seeding (numpy RandomState(seed) init) reproduces the reference', () => {
  test('seed 0: pooled metrics over all test rows to 1e-9', async () => {
    const { evaluate } = await import('../../../src/completion/protocol/evaluate.js');
    const { svd } = await import('../../../src/completion/methods/svd.js');
    const z = loadDevMatrix();
    const ref = loadReference();
    const r = await evaluate(z, { trainRows: ref.trainRows, testRows: ref.testRows, seeds: [0], methods: [svd()] });
    const got = r.methods['svd']!.perSeed[0]!;
    const want = ref.methods['svd']!.perSeed[0]!;
    for (const key of ['rmse', 'f1', 'precision', 'recall', 'auc'] as const) {
      expect(Math.abs((got[key] as number) - (want[key] as number))).toBeLessThan(1e-9);
    }
  }, 600_000);
});
