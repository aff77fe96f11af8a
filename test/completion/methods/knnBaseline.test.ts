import { knnBaseline } from '../../../src/completion/methods/knnBaseline.js';
import { expectReferenceRow } from './referenceRow.js';

describe('knn-baseline reproduces the reference predictions (dev data, seed 0, first test row)', () => {
  test('to 1e-9', async () => {
    await expectReferenceRow('knn-baseline', knnBaseline());
  });
});
