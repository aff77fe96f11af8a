import { additive } from '../../../src/completion/methods/additive.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { entries, expectReferenceRow } from './referenceRow.js';

describe('additive: hand-worked cases', () => {
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

  test('bad known entries are usage errors', async () => {
    const fitted = await additive().fit(ForgettingMatrix.fromRows([[1, 2, 3]]));
    await expect(fitted.predictRow(entries([2, 1], [0, 0]))).rejects.toThrow(/ascending/);
    await expect(fitted.predictRow(entries([5], [0]))).rejects.toThrow(/out of range/);
  });
});

describe('additive reproduces the reference predictions (dev data, seed 0, first test row)', () => {
  test('to 1e-9', async () => {
    await expectReferenceRow('additive', additive());
  });
});
