import { fitLowrankCompletion } from '../../../../src/completion/methods/lowrank/lowrank.js';
import { knownEntriesOf } from '../../../../src/completion/protocol/evaluate.js';
import { SeededNormal } from '../../../../src/linalg/random.js';
import { ForgettingMatrix } from '../../../../src/matrix/ForgettingMatrix.js';

/**
 * A forgetting matrix whose rows are a rank-2 pattern plus, per task, its own shift of each of G = 12
 * example groups (the `source` of the example metadata), plus noise. With fewer train rows than groups,
 * the train rows' span cannot hold a new task's group shifts (nor a held-out train row's); its measured
 * entries can.
 */
function groupedMatrix(rows: number, cols: number, seed: number, withMeta = true, shiftSd = 0.6): ForgettingMatrix {
  const g = new SeededNormal(seed);
  const a = Array.from({ length: rows * 2 }, () => g.normal());
  const b = Array.from({ length: cols * 2 }, () => g.normal());
  const shifts = Array.from({ length: rows * G }, () => shiftSd * g.normal());
  const values = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      const lr = a[2 * i]! * b[2 * j]! + a[2 * i + 1]! * b[2 * j + 1]!;
      values[i * cols + j] = lr + shifts[i * G + (j % G)]! + 0.1 * g.normal();
    }
  return new ForgettingMatrix({
    values,
    taskIds: Array.from({ length: rows }, (_, i) => `t${i}`),
    exampleIds: Array.from({ length: cols }, (_, j) => `e${j}`),
    ...(withMeta
      ? { exampleMeta: Array.from({ length: cols }, (_, j) => ({ source: `g${String(j % G).padStart(2, '0')}` })) }
      : {}),
  });
}

const G = 12;
const M = 14;
const N = 480;
const trainRows = Int32Array.from({ length: 10 }, (_, i) => i);
const testRows = [10, 11, 12, 13];
const columns = Int32Array.from({ length: 60 }, (_, t) => (t * 37 + 5) % N);

/** RMSE over the unmeasured entries of the test rows. */
async function testRmse(matrix: ForgettingMatrix, options: Parameters<typeof fitLowrankCompletion>[1]) {
  const fitted = await fitLowrankCompletion(matrix.selectRows(trainRows), options);
  const measured = new Set(columns);
  let se = 0;
  let count = 0;
  for (const t of testRows) {
    const row = matrix.row(t);
    const { prediction } = await fitted.predictRow(knownEntriesOf(columns, row, null));
    for (let j = 0; j < N; j++)
      if (!measured.has(j)) {
        se += (prediction[j]! - row[j]!) ** 2;
        count++;
      }
  }
  return Math.sqrt(se / count);
}

describe('lowrank example effects', () => {
  test('per-task group shifts outside the train span: the effects cut the error by more than a third', async () => {
    const matrix = groupedMatrix(M, N, 3);
    const off = await testRmse(matrix, { exampleEffects: false });
    const on = await testRmse(matrix, {});
    // the group shifts (sd 0.6) dominate what the rank-2 span leaves; noise sd 0.1
    expect(on).toBeLessThan(0.66 * off);
  });

  test('the train scale κ is calibrated on the corrected predictions: narrower than off, still covering', async () => {
    const matrix = groupedMatrix(M, N, 3);
    const measured = new Set(columns);
    const intervals = async (options: Parameters<typeof fitLowrankCompletion>[1]) => {
      const fitted = await fitLowrankCompletion(matrix.selectRows(trainRows), options);
      let width = 0;
      let inside = 0;
      let count = 0;
      for (const t of testRows) {
        const row = matrix.row(t);
        const { lower, upper } = await fitted.predictRow(knownEntriesOf(columns, row, null));
        for (let j = 0; j < N; j++)
          if (!measured.has(j)) {
            width += upper![j]! - lower![j]!;
            if (row[j]! >= lower![j]! && row[j]! <= upper![j]!) inside++;
            count++;
          }
      }
      return { width: width / count, coverage: inside / count };
    };
    // the train calibration (κ from the held-out train rows, times the task's ρ), not the task's own probes
    const off = await intervals({ exampleEffects: false, calibration: 'train' });
    const on = await intervals({ calibration: 'train' });
    // the effects remove most of the group shifts (sd 0.6) from the errors the scale is calibrated on
    expect(on.width).toBeLessThan(0.75 * off.width);
    expect(on.coverage).toBeGreaterThan(0.8);
  });

  test('the decision names the covariates and their learned variances', async () => {
    const matrix = groupedMatrix(M, N, 3);
    const fitted = await fitLowrankCompletion(matrix.selectRows(trainRows), {});
    const d = fitted.decide(columns);
    expect(d.exampleEffects?.names).toEqual(
      Array.from({ length: G }, (_, k) => `source=g${String(k).padStart(2, '0')}`),
    );
    // the τ² estimate what of a task's group shifts (variance 0.36) the span leaves, well above the floor
    const tau2 = d.exampleEffects?.tau2 ?? [];
    expect(tau2.reduce((a, b) => a + b, 0) / G).toBeGreaterThan(0.02);
  });

  test('no example covariates (no metadata): predictions bit-identical to effects off', async () => {
    const matrix = groupedMatrix(M, N, 5, false);
    const a = await fitLowrankCompletion(matrix.selectRows(trainRows), {});
    const b = await fitLowrankCompletion(matrix.selectRows(trainRows), { exampleEffects: false });
    const known = knownEntriesOf(columns, matrix.row(11), null);
    const pa = await a.predictRow(known);
    const pb = await b.predictRow(known);
    expect(pa.prediction).toEqual(pb.prediction);
    expect(pa.lower).toEqual(pb.lower);
    expect(a.decide(columns).exampleEffects).toBeUndefined();
  });

  test('group labels that carry nothing: never worse than off by more than noise', async () => {
    // the rank-2 pattern and noise without group shifts: the group labels say nothing about the data
    const noise = groupedMatrix(M, N, 9, true, 0);
    const off = await testRmse(noise, { exampleEffects: false });
    const on = await testRmse(noise, {});
    expect(on).toBeLessThan(off * 1.02);
  });

  test('reuse: fits with given covariates are never shared, even under the same names', async () => {
    const train = groupedMatrix(M, N, 3).selectRows(trainRows);
    const covariate = (sign: number) => ({
      names: ['x'],
      n: N,
      p: 1,
      data: Float64Array.from({ length: N }, (_, j) => sign * (j % 2 === 0 ? 1 : -1)),
    });
    const a = await fitLowrankCompletion(train, { reuse: true, exampleEffects: covariate(1) });
    const b = await fitLowrankCompletion(train, { reuse: true, exampleEffects: covariate(-1) });
    expect(a).not.toBe(b);
    // the default covariates are part of the key (none given): the same fit comes back
    expect(await fitLowrankCompletion(train, { reuse: true })).toBe(await fitLowrankCompletion(train, { reuse: true }));
  });

  test('covariates of the wrong length: a shape error', async () => {
    const matrix = groupedMatrix(M, N, 3);
    await expect(
      fitLowrankCompletion(matrix.selectRows(trainRows), {
        exampleEffects: { names: ['x'], n: 3, p: 1, data: new Float64Array(3) },
      }),
    ).rejects.toThrow(/example covariates have 3 columns/);
  });
});
