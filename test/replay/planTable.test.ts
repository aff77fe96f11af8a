import { planReplayFromScores } from '../../src/replay/offline.js';
import { replayPlanTable } from '../../src/replay/planTable.js';

describe('replayPlanTable', () => {
  it('has one row per example with the selected flag set for drawn examples', () => {
    const plan = planReplayFromScores(Float64Array.of(0.1, 0.5, 0.2), ['a', 'b', 'c'], {
      nFineTune: 40,
      ratio: 1 / 32,
      seed: 0,
    });
    const t = replayPlanTable(plan);
    expect(Object.keys(t.columns)).toEqual(['example', 'score', 'weight', 'selected']);
    expect(t.columns.example).toEqual(['a', 'b', 'c']);
    const sel = t.columns.selected as boolean[];
    expect(sel.filter(Boolean)).toHaveLength(2);
    plan.selected.forEach((j) => expect(sel[j]).toBe(true));
  });
});
