import { createReferenceBackend } from '../../src/linalg/reference.js';
import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { assembleReport } from '../../src/report/assemble.js';

// Z = outer([1, 2, 3], [0.1, 0.2, 0, 0.4]): sum 6 · 0.7 = 4.2 over 12 cells, the e2 column is 0.
const z = ForgettingMatrix.fromRows(
  [1, 2, 3].map((t) => [0.1, 0.2, 0, 0.4].map((e) => t * e)),
  { exampleMeta: [{ source: 'web' }, { source: 'code' }, { source: 'web' }, { source: 'web' }] },
);
const provenance = { version: 'test', command: 'forgetscope report z.csv', createdAt: '2026-01-01T00:00:00Z' };

describe('assembleReport', () => {
  test('without a split or a replay task: the audit part, the dataset summary by hand, and what is left out', async () => {
    const steps: string[] = [];
    const r = await assembleReport(z, {
      name: 'z.csv',
      provenance,
      ranks: 1,
      backend: createReferenceBackend(),
      onStep: (stage) => steps.push(stage),
    });
    expect(steps).toEqual(['analyze']);
    expect(r.data.title).toBe('Forgetting audit');
    expect(r.data.dataset).toMatchObject({ name: 'z.csv', tasks: 3, examples: 4, observed: 12, min: 0 });
    // 3 · 0.4 in float64
    expect(r.data.dataset.max).toBeCloseTo(1.2, 15);
    expect(r.data.dataset.mean).toBeCloseTo(0.35, 14);
    // 9 of the 12 cells are positive (the e2 column is 0).
    expect(r.data.dataset.fractionForgotten).toBeCloseTo(0.75, 14);
    expect(r.structure.lowRank.r2[0]).toBeCloseTo(1, 12);
    expect([r.evaluation, r.curve, r.replay]).toEqual([null, null, null]);
    expect(r.data.missing).toEqual([
      'completion evaluation and predicted-vs-true plot: no --train-rows / --test-rows given',
      'replay plan: no held-out task chosen',
    ]);
    expect(Object.keys(r.timings)).toEqual(['analyze']);
    expect(r.data.provenance).toEqual(provenance);
  });
});
