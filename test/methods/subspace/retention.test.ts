import { layerImportance, retentionRanks } from '../../../src/methods/subspace/retention.js';
import type { Dense } from '../../../src/linalg/types.js';
import { W } from './seed001.js';
import { expectClose as close } from '../../helpers/close.js';

// Worked tests of seed-001 §4 (numbers from the spec, computed there with numpy).
describe('adaptive SVD subspaces (seed 001)', () => {
  test('T2 retentionRanks', () => {
    const r = retentionRanks(Float64Array.of(0.2, 0.5, 0.8), Int32Array.of(10, 10, 10));
    close(r.ratio, [0.38, 0.8, 1.22], 12);
    expect(Array.from(r.k)).toEqual([3, 8, 9]);
  });
  test('T4 layerImportance', async () => {
    const X: Dense = { rows: 2, cols: 3, data: Float64Array.of(1, 0, 0, 0, 1, 1) };
    expect(await layerImportance(W, X)).toBeCloseTo(0.907354, 6);
  });
});
