import { fitLowrank } from '../../../src/completion/methods/lowrank/lowrank.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { SeededNormal } from '../../../src/linalg/random.js';
import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { sideRowOf, selectSideRows, type SideMatrix } from '../../../src/matrix/sideMatrices.js';
import { randomColumns } from '../lowrankHelpers.js';

/**
 * Exchangeable tasks with a side row: Z_i = a_i + b + γ_i·S_i + u_i·v + noise (per-column noise sd
 * 0.2–0.6), γ_i around 1. With intervals calibrated on each task's own 30 random probes, the share of
 * unmeasured entries inside the 90 % interval over many test tasks is near 0.9.
 */
describe('lowrank + side: intervals calibrated on the task’s own probes', () => {
  test('cover about 90 % of the unmeasured entries of exchangeable test tasks', async () => {
    const m = 70;
    const n = 240;
    const g = new SeededNormal(31);
    const s = Float64Array.from({ length: m * n }, () => g.normal());
    const b = Float64Array.from({ length: n }, () => g.normal());
    const v = Float64Array.from({ length: n }, () => g.normal());
    const z = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      const a = g.normal();
      const gamma = 1 + 0.3 * g.normal();
      const u = g.normal();
      for (let j = 0; j < n; j++)
        z[i * n + j] = a + b[j]! + gamma * s[i * n + j]! + u * v[j]! + (0.2 + 0.1 * (j % 5)) * g.normal();
    }
    const matrix = new ForgettingMatrix({
      values: z,
      taskIds: Array.from({ length: m }, (_, i) => `t${i}`),
      exampleIds: Array.from({ length: n }, (_, j) => `e${j}`),
    });
    const side: SideMatrix = { name: 'first_order', rows: m, cols: n, data: s };
    const trainRows = Int32Array.from({ length: 40 }, (_, i) => i);
    const fitted = await fitLowrank(matrix.selectRows(trainRows), {
      backend: createReferenceBackend(),
      side: selectSideRows([side], trainRows),
    });
    let inside = 0;
    let count = 0;
    for (let t = 40; t < m; t++) {
      // six probe sets, each shared by five tasks (one leave-one-task-out decision per set)
      const columns = randomColumns(n, 30, 100 + (t % 6));
      const row = matrix.row(t);
      const { lower, upper } = await fitted.predictRow({
        columns,
        values: Float64Array.from(columns, (c) => row[c]!),
        side: sideRowOf([side], t),
      });
      const measured = new Set(columns);
      for (let j = 0; j < n; j++) {
        if (measured.has(j)) continue;
        if (row[j]! >= lower![j]! && row[j]! <= upper![j]!) inside++;
        count++;
      }
    }
    expect(fitted.decide(randomColumns(n, 30, 100)).hyper.side).toBeDefined();
    const coverage = inside / count;
    process.stderr.write(`side + probe calibration coverage ${coverage}\n`);
    expect(coverage).toBeGreaterThan(0.86);
    expect(coverage).toBeLessThan(0.94);
  });
});
