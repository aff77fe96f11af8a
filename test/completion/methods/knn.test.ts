import { knn } from '../../../src/completion/methods/knn.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { entries, expectReferenceRow } from './referenceRow.js';

describe('knn: hand-worked cases', () => {
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
});

describe('knn reproduces the reference predictions (dev data, seed 0, first test row)', () => {
  test('to 1e-9', async () => {
    await expectReferenceRow('knn', knn());
  });
});
