import { rankByEnergy, spectrum } from '../../../src/methods/subspace/spectrum.js';
import { W } from './seed001.js';
import { expectClose as close } from '../../helpers/close.js';

// Worked tests of seed-001 §4 (numbers from the spec, computed there with numpy).
describe('adaptive SVD subspaces (seed 001)', () => {
  test('T1 spectrum and rankByEnergy', async () => {
    const s = await spectrum(W);
    close(s.sigma, [3.72756, 1.59925, 1.24406]);
    close(s.energy, [0.771929, 0.142089, 0.0859821], 6);
    close(s.cumEnergy, [0.771929, 0.914018, 1.0], 6);
    expect(s.effRank).toBeCloseTo(2.66609, 5);
    expect(s.stableRank).toBeCloseTo(1.29546, 5);
    expect(rankByEnergy(s, 0.8)).toBe(2);
    expect(rankByEnergy(s, 0.9)).toBe(2);
    expect(rankByEnergy(s, 0.99)).toBe(3);
  });
});
