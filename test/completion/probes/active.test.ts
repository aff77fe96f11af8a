import { fitLowrank, type FittedLowrank } from '../../../src/completion/methods/lowrank/lowrank.js';
import { selectActiveProbes } from '../../../src/completion/probes/active.js';
import type { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { randomColumns, syntheticMatrix, unknownRmse } from '../lowrankHelpers.js';

/**
 * Synthetic forgetting with uneven columns: a rank-4 signal whose loading size varies over the
 * columns (many examples barely react to any task) plus noise — the situation where choosing which
 * examples to measure should matter.
 */
function unevenMatrix(seed: number): ForgettingMatrix {
  return syntheticMatrix({
    rows: 50,
    cols: 400,
    rank: 4,
    seed,
    additive: true,
    columnScale: (j) => (j % 7 === 0 ? 2 : 0.15),
    noise: () => 0.1,
  });
}

async function rmseWith(
  z: ForgettingMatrix,
  fitted: FittedLowrank,
  trainRows: number,
  columns: Int32Array,
): Promise<number> {
  let se = 0;
  let count = 0;
  for (let t = trainRows; t < z.rows; t++) {
    const { prediction } = await fitted.predictRow({ columns, values: Float64Array.from(columns, (j) => z.get(t, j)) });
    const e = unknownRmse(z.row(t), prediction, columns);
    se += e.se;
    count += e.count;
  }
  return Math.sqrt(se / count);
}

describe('selectActiveProbes', () => {
  test('returns k distinct ascending in-range columns, identical on every call and for every seed', async () => {
    const z = unevenMatrix(1);
    const train = z.selectRows({ start: 0, end: 30 });
    const a = await selectActiveProbes(train, 12);
    const b = await selectActiveProbes(train, 12, { seed: 99 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a.length).toBe(12);
    expect(new Set(a).size).toBe(12);
    for (let t = 1; t < a.length; t++) expect(a[t]!).toBeGreaterThan(a[t - 1]!);
    for (const j of a) expect(j >= 0 && j < 400).toBe(true);
  });

  test('greedy picks are nested: the first k of a larger design are the k-design', async () => {
    const train = unevenMatrix(2).selectRows({ start: 0, end: 30 });
    const small = new Set(await selectActiveProbes(train, 5));
    const large = new Set(await selectActiveProbes(train, 15));
    for (const j of small) expect(large.has(j)).toBe(true);
  });

  test('on uneven synthetic low-rank data, active probes beat random probes of the same size (lowrank completion)', async () => {
    for (const seed of [3, 4]) {
      const z = unevenMatrix(seed);
      const train = z.selectRows({ start: 0, end: 30 });
      const fitted = await fitLowrank(train, { intervals: false });
      const active = await rmseWith(z, fitted, 30, await selectActiveProbes(train, 12));
      const random: number[] = [];
      for (let s = 0; s < 8; s++) random.push(await rmseWith(z, fitted, 30, randomColumns(400, 12, 100 + s)));
      const meanRandom = random.reduce((x, y) => x + y, 0) / random.length;
      expect(active).toBeLessThan(0.8 * meanRandom);
      expect(active).toBeLessThan(Math.min(...random));
    }
  });

  test('rejects a k outside 1..N', async () => {
    const train = unevenMatrix(5).selectRows({ start: 0, end: 10 });
    await expect(selectActiveProbes(train, 0)).rejects.toThrow(/k must be/);
    await expect(selectActiveProbes(train, 401)).rejects.toThrow(/k must be/);
  });
});
