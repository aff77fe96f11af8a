import { readFileSync } from 'node:fs';
import { REPLAY_DEFAULTS, DEFAULT_REPLAY_RATIO as fromDefaults } from '../../src/replay/defaults.js';
import { DEFAULT_REPLAY_RATIO as fromReplayCount } from '../../src/replay/replayCount.js';
import { REPLAY_POLICY_NAMES } from '../../src/replay/policies/registry.js';

describe('replay defaults', () => {
  it('the Python harness reads the same values (python/forgetscope/defaults.json)', () => {
    const json = JSON.parse(readFileSync(new URL('../../python/forgetscope/defaults.json', import.meta.url), 'utf8'));
    expect(json).toEqual({ ...REPLAY_DEFAULTS });
  });
  it('the ratio is re-exported unchanged and the default policy exists', () => {
    expect(fromReplayCount).toBe(fromDefaults);
    expect(fromDefaults).toBe(1 / 32);
    expect(REPLAY_POLICY_NAMES).toContain(REPLAY_DEFAULTS.policy);
  });
});
