import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { createReferenceBackend } from '../../src/linalg/reference.js';
import { analyzeStructure } from '../../src/analysis/analyzeStructure.js';
import { fitTruncatedRanks } from '../../src/analysis/fitTruncatedRanks.js';

// Spec §5 worked cases: the expected numbers are the spec's, given to 6 decimals.
const backend = createReferenceBackend();
const outer = (a: number[], b: number[]) => a.map((x) => b.map((y) => x * y));

describe('spec §5 worked cases', () => {
  test('Z = outer([1,2,3], [0.1,0.2,0,0.4])', async () => {
    const z = ForgettingMatrix.fromRows(outer([1, 2, 3], [0.1, 0.2, 0, 0.4]));
    const a = await analyzeStructure(z, { ranks: 1, backend });
    expect(a.lowRank.r2[0]).toBeCloseTo(1, 12);
    expect(a.multiplicative.r2).toBeCloseTo(1, 12);
    expect(a.additive.r2).toBeCloseTo(0.880952, 6);
    expect(a.row.r2).toBeCloseTo(0.166667, 6);
    expect(a.column.r2).toBeCloseTo(0.714286, 6);
    expect(a.comparison.multiplicativeBeatsAdditive).toBe(true);
  });

  test('Z = r_i + c_j with r = [0,1,2], c = [0,0.5,1,3]', async () => {
    const r = [0, 1, 2];
    const c = [0, 0.5, 1, 3];
    const z = ForgettingMatrix.fromRows(r.map((ri) => c.map((cj) => ri + cj)));
    const fit = await fitTruncatedRanks(z, { ranks: 3, backend });
    expect(fit.singularValues[0]).toBeCloseTo(8.724351, 6);
    expect(fit.singularValues[1]).toBeCloseTo(1.278944, 6);
    expect(fit.singularValues[2]).toBeCloseTo(0, 6);
    expect(fit.r2[0]).toBeCloseTo(0.93058, 6);
    expect(fit.r2[1]).toBeCloseTo(1, 10);
    const a = await analyzeStructure(z, { ranks: 2, backend });
    expect(a.additive.r2).toBeCloseTo(1, 12);
    expect(a.comparison.multiplicativeBeatsAdditive).toBe(false);
  });

  test('Z = I₂: rank-1 R² = 0', async () => {
    const z = ForgettingMatrix.fromRows([
      [1, 0],
      [0, 1],
    ]);
    const fit = await fitTruncatedRanks(z, { ranks: 2, backend });
    expect(fit.r2[0]).toBeCloseTo(0, 12);
    expect(fit.r2[1]).toBeCloseTo(1, 12);
  });

  test('ALS over observed entries gives the same worked-case numbers', async () => {
    const r = [0, 1, 2];
    const c = [0, 0.5, 1, 3];
    const z = ForgettingMatrix.fromRows(r.map((ri) => c.map((cj) => ri + cj)));
    const fit = await fitTruncatedRanks(z, { ranks: 2, backend, method: 'als', init: 'random', seed: 3 });
    expect(fit.method).toBe('als');
    expect(fit.r2[0]).toBeCloseTo(0.93058, 6);
    expect(fit.singularValues[0]).toBeCloseTo(8.724351, 6);
    expect(fit.singularValues[1]).toBeCloseTo(1.278944, 6);
  });
});
