import { createWorkerRunner } from '../../../src/linalg/cpu/nodeWorkers.js';
import { createInlineRunner } from '../../../src/linalg/cpu/runner.js';
import { randomDense } from '../helpers.js';

describe('the worker-thread runner', () => {
  test('two workers compute the hand-worked dot [[14, 32], [32, 77]] and the same products as the inline runner', async () => {
    const workers = createWorkerRunner({ threads: 2, minWork: 0, simd: 'never' });
    const inline = createInlineRunner({ simd: 'never' });
    try {
      expect(workers.threads).toBe(2);
      const x = Float64Array.of(1, 2, 3, 4, 5, 6);
      expect(Array.from(await workers.dot(x, 3, x, 3, 0, 3, 2, 2, true))).toEqual([14, 32, 32, 77]);
      // 40 rows × 300 columns: enough 4-row blocks for both workers; the same float64 sums in the same order.
      const a = randomDense(40, 300, 9);
      const got = await workers.dot(a.data, 300, a.data, 300, 0, 300, 40, 40, true);
      const want = await inline.dot(a.data, 300, a.data, 300, 0, 300, 40, 40, true);
      expect(Array.from(got)).toEqual(Array.from(want));
    } finally {
      await workers.dispose();
      await inline.dispose();
    }
  });
});
