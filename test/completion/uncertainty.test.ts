import { fitLowrank } from '../../src/completion/methods/lowrank/lowrank.js';
import { calibrationColumns } from '../../src/completion/conformal.js';
import { randomColumns, syntheticMatrix } from './lowrankHelpers.js';

/** Pooled coverage and mean width of lowrank's intervals over the test rows' unmeasured columns. */
async function coverage(level: number, seed: number): Promise<{ coverage: number; width: number }> {
  // exchangeable tasks: train and test rows come from the same additive + rank-3 model with
  // column-dependent noise, so a calibrated interval should cover about `level` of the cells
  const z = syntheticMatrix({
    rows: 80,
    cols: 300,
    rank: 3,
    seed,
    additive: true,
    noise: (j) => 0.1 + (0.4 * ((j * 37) % 11)) / 10,
  });
  const train = z.selectRows({ start: 0, end: 40 });
  const fitted = await fitLowrank(train, { level, maxRank: 8 });
  const columns = randomColumns(300, 30, seed + 1);
  const skip = new Set(columns);
  let inside = 0;
  let count = 0;
  let width = 0;
  for (let t = 40; t < 80; t++) {
    const { prediction, lower, upper } = await fitted.predictRow({
      columns,
      values: Float64Array.from(columns, (j) => z.get(t, j)),
    });
    expect(lower).toBeDefined();
    for (let j = 0; j < 300; j++) {
      if (skip.has(j)) continue;
      expect(lower![j]!).toBeLessThanOrEqual(prediction[j]!);
      expect(upper![j]!).toBeGreaterThanOrEqual(prediction[j]!);
      const y = z.get(t, j);
      if (y >= lower![j]! && y <= upper![j]!) inside++;
      width += upper![j]! - lower![j]!;
      count++;
    }
  }
  return { coverage: inside / count, width: width / count };
}

describe('lowrank prediction intervals', () => {
  test('a 90% interval covers 85–95% of held-out cells on exchangeable synthetic tasks', async () => {
    for (const seed of [1, 2]) {
      const { coverage: c } = await coverage(0.9, seed);
      process.stderr.write(`coverage 0.9 seed ${seed}: ${c}\n`);
      expect(c).toBeGreaterThanOrEqual(0.85);
      expect(c).toBeLessThanOrEqual(0.95);
    }
  });

  test('a 50% interval is narrower and covers 40–60%', async () => {
    const wide = await coverage(0.9, 3);
    const narrow = await coverage(0.5, 3);
    expect(narrow.width).toBeLessThan(wide.width);
    expect(narrow.coverage).toBeGreaterThanOrEqual(0.4);
    expect(narrow.coverage).toBeLessThanOrEqual(0.6);
  });

  test('intervals can be switched off and the level must lie in (0, 1)', async () => {
    const z = syntheticMatrix({ rows: 6, cols: 20, rank: 1, seed: 1, noise: () => 0.1 });
    const fitted = await fitLowrank(z, { intervals: false });
    const out = await fitted.predictRow({ columns: Int32Array.of(1, 2, 3), values: Float64Array.of(0, 0, 0) });
    expect(out.lower).toBeUndefined();
    await expect(fitLowrank(z, { level: 1 })).rejects.toThrow(/level/);
  });

  test('intervals stay finite and of the data scale when k uses every component (in-sample residuals vanish)', async () => {
    const z = syntheticMatrix({ rows: 30, cols: 200, rank: 2, seed: 8, additive: true, noise: () => 0.3 });
    const train = z.selectRows({ start: 0, end: 10 });
    const fitted = await fitLowrank(train, { hyper: { variant: 'additive', k: 9, alpha: 1 } });
    const columns = randomColumns(200, 30, 2);
    let inside = 0;
    let count = 0;
    for (let t = 10; t < 30; t++) {
      const { lower, upper } = await fitted.predictRow({
        columns,
        values: Float64Array.from(columns, (j) => z.get(t, j)),
      });
      for (let j = 0; j < 200; j++) {
        const width = upper![j]! - lower![j]!;
        expect(Number.isFinite(width)).toBe(true);
        expect(width).toBeLessThan(20);
        if (columns.includes(j)) continue;
        if (z.get(t, j) >= lower![j]! && z.get(t, j) <= upper![j]!) inside++;
        count++;
      }
    }
    expect(inside / count).toBeGreaterThan(0.75);
  });

  test('calibration columns are evenly spread and distinct', () => {
    expect(Array.from(calibrationColumns(10, 4))).toEqual([1, 3, 6, 8]);
    expect(Array.from(calibrationColumns(3, 4))).toEqual([0, 1, 2]);
  });
});
