import { replayCount } from '../../src/replay/replayCount.js';
import { ForgetscopeError } from '../../src/util/errors.js';

describe('replayCount', () => {
  it('is int(n·ratio) + 1 (spec §5: n = 1000, ratio 1/32 → 32)', () => {
    expect(replayCount(1000, 1 / 32)).toBe(32);
    expect(replayCount(1000)).toBe(32);
    expect(replayCount(1000, 1 / 8)).toBe(126);
    expect(replayCount(31, 1 / 32)).toBe(1);
    expect(replayCount(0, 1 / 32)).toBe(1);
  });
  it('rejects negative or fractional n', () => {
    expect(() => replayCount(-1)).toThrow(ForgetscopeError);
    expect(() => replayCount(2.5)).toThrow(ForgetscopeError);
  });
});
