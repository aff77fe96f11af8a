import { svd } from '../../../src/completion/methods/svd.js';
import { evaluate } from '../../../src/completion/protocol/evaluate.js';
import { loadDevMatrix, loadReference } from '../helpers/devData.js';

describe('svd with the reference seeding (numpy RandomState(seed) init) reproduces the reference', () => {
  test('seed 0: pooled metrics over all test rows to 1e-9', async () => {
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
