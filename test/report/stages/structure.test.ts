import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { structureStage } from '../../../src/report/stages/structure.js';
import { stageContext } from './stageContext.js';

// Z = outer([1, 2, 3], [0.1, 0.2, 0, 0.4]) with sources on three examples and an lr per task.
const z = ForgettingMatrix.fromRows(
  [1, 2, 3].map((t) => [0.1, 0.2, 0, 0.4].map((e) => t * e)),
  {
    taskMeta: [{ lr: 1 }, { lr: 2 }, { lr: 3 }],
    exampleMeta: [{ source: 'web' }, { source: 'code' }, {}, { source: 'web', text: 'x' }],
  },
);

const context = () => stageContext(z, createReferenceBackend());

describe('the structure stage of a report', () => {
  test('an exact rank-1 matrix: R²₁ = 1 in the models table, the sections of the page, no missing note', async () => {
    const ctx = context();
    const { structure, sections } = await structureStage(ctx, { ranks: 2, top: 2 });
    expect(ctx.steps).toEqual(['analyze']);
    expect(structure.lowRank.r2[0]).toBeCloseTo(1, 12);
    const names = sections.structure!.models.map((m) => m.name);
    expect(names).toEqual([
      'rank 1 (multiplicative u·v)',
      'rank 2',
      'additive μ + a_i + b_j',
      'additive (paper code, regularised ALS)',
      'row means only',
      'column means only',
    ]);
    expect(sections.structure!.models[0]!.r2).toBeCloseTo(1, 12);
    // Example means: t̄ = 2 times e, so e3 (0.8) then e1 (0.4) are the two most forgotten.
    expect(sections.topForgotten!.map((e) => [e.example, e.source, e.text])).toEqual([
      ['e3', 'web', 'x'],
      ['e1', 'code', undefined],
    ]);
    // e2 has no source: it is counted under "(none)".
    expect(sections.sources!.map((s) => s.source).sort()).toEqual(['(none)', 'code', 'web']);
    // Task means 0.175·t and the lr column carried as task metadata.
    expect(sections.tasks!.map((t) => [t.task, Math.round(t.mean * 1e12) / 1e12, t.meta?.['lr']])).toEqual([
      ['t0', 0.175, 1],
      ['t1', 0.35, 2],
      ['t2', 0.525, 3],
    ]);
    expect(sections.heatmap!.rows).toBe(3);
    expect(ctx.missing).toEqual([]);
  });

  test('without a source field the per-source tables are left out, with a note naming the key', async () => {
    const ctx = context();
    const { sections } = await structureStage(ctx, { ranks: 1, sourceKey: 'domain' });
    expect(sections.sources).toBeUndefined();
    expect(ctx.missing).toEqual(['per-source tables: no example carries a "domain" field']);
  });
});
