import {
  factorMergeError,
  interpolateLora,
  type LoraPair,
} from '../../../src/methods/interpolated-lora/interpolate.js';
import { expectClose as close } from '../../helpers/close.js';

// Worked tests of seed-004 §4.
describe('interpolated LoRA (seed 004)', () => {
  test('T3 interpolateLora and factorMergeError', async () => {
    const p0: LoraPair = {
      A: { rows: 1, cols: 3, data: Float64Array.of(1, 0, 1) },
      B: { rows: 2, cols: 1, data: Float64Array.of(1, 0) },
      alpha: 2,
    };
    const p1: LoraPair = {
      A: { rows: 1, cols: 3, data: Float64Array.of(0, 2, 1) },
      B: { rows: 2, cols: 1, data: Float64Array.of(0, 1) },
      alpha: 2,
    };
    close((await interpolateLora(p0, p1, 0.5, 'factors')).data, [0.5, 1, 1, 0.5, 1, 1]);
    close((await interpolateLora(p0, p1, 0.5, 'delta')).data, [1, 0, 1, 0, 2, 1]);
    expect(await factorMergeError(p0, p1, 0.5)).toBeCloseTo(1.58114, 5);
    expect(await factorMergeError(p0, p1, 0)).toBeCloseTo(0, 12);
  });
});
