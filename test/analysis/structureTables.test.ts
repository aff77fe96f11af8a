import { analyzeStructure } from '../../src/analysis/analyzeStructure.js';
import { auditForgetting } from '../../src/analysis/auditForgetting.js';
import { structureSummary, structureTableNames, structureTables } from '../../src/analysis/structureTables.js';
import { createReferenceBackend } from '../../src/linalg/reference.js';
import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';

// Z = outer([1, 2, 3], [0.1, 0.2, 0, 0.4]): exactly rank 1.
const t = [1, 2, 3];
const e = [0.1, 0.2, 0, 0.4];
const rows = t.map((x) => e.map((y) => x * y));
const withSources = ForgettingMatrix.fromRows(rows, {
  exampleMeta: [{ source: 'web' }, { source: 'code' }, {}, { source: 'web' }],
});

async function tablesOf(z: ForgettingMatrix) {
  const structure = await analyzeStructure(z, { ranks: 1, backend: createReferenceBackend() });
  const audit = auditForgetting(z, { rankOneTask: structure.multiplicative.taskScalars });
  return { structure, audit, tables: structureTables(z, structure, audit, 'source') };
}

describe('the tables of `forgetscope analyze`', () => {
  test('with sources: five tables, the example source column ("" where missing), ids in order', async () => {
    const { tables } = await tablesOf(withSources);
    expect(Object.keys(tables)).toEqual(structureTableNames(true));
    expect(structureTableNames(true)).toEqual(['tasks', 'examples', 'task_factors', 'example_factors', 'sources']);
    expect(tables['tasks']!['task']).toEqual(['t0', 't1', 't2']);
    expect(tables['examples']!['source']).toEqual(['web', 'code', '', 'web']);
    expect(tables['sources']!['source']).toEqual(expect.arrayContaining(['web', 'code']));
  });

  test('the rank-1 factor columns reproduce Z: u1 (scaled by σ₁) times v1 is t_i·e_j', async () => {
    const { tables } = await tablesOf(withSources);
    const u = tables['task_factors']!['u1'] as Float64Array;
    const v = tables['example_factors']!['v1'] as Float64Array;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) expect(u[i]! * v[j]!).toBeCloseTo(rows[i]![j]!, 12);
  });

  test('the task means are the row means of Z: 0.7/4 per unit of t', async () => {
    const { tables } = await tablesOf(withSources);
    const mean = tables['tasks']!['mean'] as Float64Array;
    t.forEach((x, i) => expect(mean[i]).toBeCloseTo((0.7 / 4) * x, 14));
  });

  test('without sources: four tables and no source column', async () => {
    const { tables } = await tablesOf(ForgettingMatrix.fromRows(rows));
    expect(Object.keys(tables)).toEqual(structureTableNames(false));
    expect(tables['examples']!['source']).toBeUndefined();
  });

  test('the summary carries the contract keys: R² by rank (1 here), singular values and the most forgotten', async () => {
    const { structure, audit } = await tablesOf(withSources);
    const s = structureSummary({ report: null, source: 'z.csv', format: 'csv' }, structure, audit, 'source', []);
    expect((s['r2'] as { ranks: Float64Array }).ranks[0]).toBeCloseTo(1, 12);
    // σ₁ = ‖t‖·‖e‖ = √14 · √0.21
    expect((s['singularValues'] as Float64Array)[0]).toBeCloseTo(Math.sqrt(14 * 0.21), 12);
    const top = s['topForgotten'] as { example: string; source?: string }[];
    expect(top[0]).toMatchObject({ example: 'e3', source: 'web' });
  });
});
