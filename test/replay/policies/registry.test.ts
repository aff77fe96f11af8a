import { replayPolicy, REPLAY_POLICY_NAMES } from '../../../src/replay/policies/registry.js';

describe('the policy registry', () => {
  it('lists every policy of the issue', () => {
    expect([...REPLAY_POLICY_NAMES].sort()).toEqual([
      'auto',
      'blocks',
      'coverage',
      'gradient',
      'neighbour',
      'optimistic',
      'oracle',
      'softmax',
      'stratified',
      'surprise',
      'topk',
      'uniform',
    ]);
    expect(() => replayPolicy('nosuch')).toThrow(/unknown replay policy "nosuch"/);
  });
});
