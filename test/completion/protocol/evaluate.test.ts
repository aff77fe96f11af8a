import { evaluate } from '../../../src/completion/protocol/evaluate.js';
import { additive } from '../../../src/completion/methods/additive.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import type { CompletionMethod } from '../../../src/completion/types.js';

/**
 * A real if simple method with intervals: each column's train mean, ± half a unit (± 2 units in
 * column 3), so coverage and width can be worked out by hand.
 */
const meanBand: CompletionMethod = {
  name: 'mean-band',
  async fit(train) {
    const n = train.cols;
    const mean = new Float64Array(n);
    for (let i = 0; i < train.rows; i++) for (let j = 0; j < n; j++) mean[j]! += train.get(i, j) / train.rows;
    return {
      async predictRow() {
        const half = Float64Array.from(mean, (_, j) => (j === 3 ? 2 : 0.5));
        return {
          prediction: mean.slice(),
          lower: Float64Array.from(mean, (x, j) => x - half[j]!),
          upper: Float64Array.from(mean, (x, j) => x + half[j]!),
        };
      },
    };
  },
};

describe('evaluate scores prediction intervals', () => {
  // train rows 0, 1: column means [1, 2, 3, 4]
  const matrix = new ForgettingMatrix({
    values: Float64Array.of(
      0,
      2,
      3,
      4, //
      2,
      2,
      3,
      4, //
      1.4,
      2.6,
      9,
      5.9, // test row 2: |y − mean| = 0.4, 0.6, 6, 1.9
      1,
      2,
      3,
      4, // test row 3: all inside
    ),
    taskIds: ['a', 'b', 'c', 'd'],
    exampleIds: ['e0', 'e1', 'e2', 'e3'],
  });

  test('coverage and mean width pooled over the unmeasured entries of a seed, averaged over seeds', async () => {
    // k = 1: the paper's draw measures one column per seed; work out which from knownColumns
    const result = await evaluate(matrix, {
      trainRows: [0, 1],
      testRows: [2, 3],
      known: 1,
      seeds: [0, 1],
      methods: [meanBand, additive({ epochs: 5 })],
    });
    const m = result.methods['mean-band']!;
    const expected: number[] = [];
    const widths: number[] = [];
    for (const seed of [0, 1]) {
      const measured = result.knownColumns['2']![String(seed)]![0]!;
      // row 2 is inside at columns 0 (0.4 ≤ 0.5) and 3 (1.9 ≤ 2), outside at 1 and 2; row 3 inside everywhere
      const inside2 = [0, 3].filter((j) => j !== measured).length;
      const cells = 2 * 3;
      expected.push((inside2 + 3) / cells);
      const w = [1, 1, 1, 4].filter((_, j) => j !== measured).reduce((a, b) => a + b, 0);
      widths.push((2 * w) / cells);
      const s = m.perSeed.find((p) => p.seed === seed)!;
      expect(s.coverage).toBeCloseTo(expected.at(-1)!, 15);
      expect(s.intervalWidth).toBeCloseTo(widths.at(-1)!, 15);
    }
    expect(m.coverage).toBeCloseTo((expected[0]! + expected[1]!) / 2, 15);
    expect(m.intervalWidth).toBeCloseTo((widths[0]! + widths[1]!) / 2, 15);
    // a method without intervals reports neither key (never a made-up value)
    expect('coverage' in result.methods['additive']!).toBe(false);
    expect('intervalWidth' in result.methods['additive']!).toBe(false);
    expect('coverage' in result.methods['additive']!.perSeed[0]!).toBe(false);
  });
});
