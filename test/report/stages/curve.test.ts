import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { curveStage } from '../../../src/report/stages/curve.js';
import { evaluationSetup } from '../../../src/report/stages/evaluation.js';
import { stageContext } from './stageContext.js';

// Z = a_i + b_j exactly: additive-ls completes every row without error from any number of probes.
const a = [0, 0.5, -1, 2, 1.5, -0.5];
const b = [0.1, 0.4, -0.2, 0.3, 0, 0.6, -0.4, 0.2];
const z = ForgettingMatrix.fromRows(a.map((ai) => b.map((bj) => ai + bj)));

describe('the RMSE-versus-k stage of a report', () => {
  test('random (a band over the seeds) and active probes per k; k outside 1..N is left out; exact data gives RMSE 0', async () => {
    const ctx = stageContext(z);
    const setup = evaluationSetup(ctx, {
      trainRows: [0, 1, 2, 3],
      testRows: [4, 5],
      seeds: [0, 1],
      plotMethod: 'additive-ls',
    });
    const points = await curveStage(ctx, [1, 3, 0, 99], setup);
    expect(ctx.steps).toEqual(['curve']);
    expect(points.map((p) => [p.k, p.select, p.method])).toEqual([
      [1, 'random', 'additive-ls'],
      [1, 'active', 'additive-ls'],
      [3, 'random', 'additive-ls'],
      [3, 'active', 'additive-ls'],
    ]);
    for (const p of points) expect(p.rmse).toBeLessThan(1e-12);
    expect(points.filter((p) => p.lower !== undefined).map((p) => p.select)).toEqual(['random', 'random']);
  });
});
