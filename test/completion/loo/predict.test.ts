import { fullBases, trainStats, variantBasis, type LowrankVariant } from '../../../src/completion/loo/basis.js';
import { predictTask, type TaskModel } from '../../../src/completion/loo/predict.js';
import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';

const backend = createReferenceBackend();
const noIntervals = { kappa: Number.NaN, probeLevel: Number.NaN };

async function modelOf(rows: number[][]): Promise<TaskModel> {
  const stats = await trainStats(ForgettingMatrix.fromRows(rows), backend);
  const all = Int32Array.from({ length: stats.m }, (_, i) => i);
  return {
    stats,
    smallBasis: (variant: LowrankVariant) => variantBasis(stats, all, variant, 3),
    fullBasis: async (variant: LowrankVariant) => (await fullBases(stats, [variant], 3, backend)).get(variant)!,
    backend,
  };
}

describe('predictTask', () => {
  // Train rows [[1, 2, 3], [3, 4, 5]]: column means [2, 3, 4]; the centred rows are ∓(1, 1, 1).
  const train = [
    [1, 2, 3],
    [3, 4, 5],
  ];

  test('rank 0, column-centred: the column means, whatever was measured', async () => {
    const model = await modelOf(train);
    const known = { columns: Int32Array.of(0), values: Float64Array.of(10) };
    const p = await predictTask(model, known, { variant: 'column', k: 0, alpha: 1 }, noIntervals);
    expect(Array.from(p.prediction).map((x) => Math.round(x * 1e12) / 1e12)).toEqual([2, 3, 4]);
  });

  test('rank 1, column-centred, tiny ridge: measuring x₀ = 5 sets the score on (1, 1, 1), so the row is [5, 6, 7]', async () => {
    const model = await modelOf(train);
    const known = { columns: Int32Array.of(0), values: Float64Array.of(5) };
    const p = await predictTask(model, known, { variant: 'column', k: 1, alpha: 1e-12 }, noIntervals);
    p.prediction.forEach((x, j) => expect(x).toBeCloseTo(5 + j, 8));
  });

  test('rank 0, additive: the column means plus the measured offset (intercept, unpenalised)', async () => {
    const model = await modelOf(train);
    // measured 4 at column 1, whose mean is 3: offset +1
    const known = { columns: Int32Array.of(1), values: Float64Array.of(4) };
    const p = await predictTask(model, known, { variant: 'additive', k: 0, alpha: 1 }, noIntervals);
    p.prediction.forEach((x, j) => expect(x).toBeCloseTo(3 + j, 10));
  });
});
