import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import type { CompletionMethod, KnownEntries } from '../../src/completion/types.js';
import { planReplayFromScores, planOfflineReplay } from '../../src/replay/offline.js';
import { replayLogits, softmaxWeights } from '../../src/replay/softmax.js';
import { sampleWithoutReplacement } from '../../src/replay/sample.js';
import { createCompletionMethod } from '../../src/completion/registry.js';
import { REPLAY_POLICY_NAMES } from '../../src/replay/policies/registry.js';

/**
 * A simple row completion used only to test the replay maths: the new row is modelled as c · (mean of
 * the train rows), c fitted by least squares on the measured columns (rank-1 projection).
 */
const meanProfile: CompletionMethod = {
  name: 'mean-profile',
  async fit(train) {
    const m = train.rows;
    const n = train.cols;
    const profile = new Float64Array(n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) profile[j]! += train.get(i, j) / m;
    return {
      async predictRow(known: KnownEntries) {
        let num = 0;
        let den = 0;
        known.columns.forEach((j, t) => {
          num += profile[j]! * known.values[t]!;
          den += profile[j]! ** 2;
        });
        const c = num / den;
        return { prediction: profile.map((v) => c * v) };
      },
    };
  },
};

describe('planOfflineReplay', () => {
  const train = ForgettingMatrix.fromRows(
    [
      [0.1, 0.2, 0.4, 0.0, 0.3, 0.1],
      [0.3, 0.2, 0.2, 0.2, 0.1, 0.1],
    ],
    { taskIds: ['t1', 't2'], exampleIds: ['e0', 'e1', 'e2', 'e3', 'e4', 'e5'] },
  );

  it('completes the row, keeps measured values as scores, and draws int(n·ratio)+1 examples', async () => {
    // profile = [0.2, 0.2, 0.3, 0.1, 0.2, 0.1]; known e0 = 0.4, e2 = 0.6 → c = (0.08 + 0.18) / (0.04 + 0.09) = 2
    const known = { columns: Int32Array.of(0, 2), values: Float64Array.of(0.4, 0.6) };
    const plan = await planOfflineReplay({
      train,
      known,
      completion: meanProfile,
      nFineTune: 100,
      ratio: 1 / 32,
      seed: 1,
      policy: 'softmax',
    });
    const expectedScores = [0.4, 0.4, 0.6, 0.2, 0.4, 0.2];
    Array.from(plan.scores).forEach((s, j) => expect(s).toBeCloseTo(expectedScores[j]!, 12));
    const w = softmaxWeights(expectedScores, 0.1);
    Array.from(plan.weights).forEach((x, j) => expect(x).toBeCloseTo(w[j]!, 12));
    expect(plan.replayN).toBe(4); // int(100/32) + 1
    expect(plan.selected.length).toBe(4);
    expect(plan.method).toBe('mean-profile');
    expect(Array.from(plan.measured!)).toEqual([1, 0, 1, 0, 0, 0]);
    expect(plan.exampleIds).toEqual(train.exampleIds);
  });

  it('accepts a predicted row and honours exclusions', async () => {
    const predicted = Float64Array.of(5, 0, 0, 0, 0, 0);
    const exclude = Uint8Array.of(1, 0, 0, 0, 0, 0);
    const plan = await planOfflineReplay({ train, predicted, nFineTune: 64, ratio: 1 / 32, exclude, seed: 0 });
    expect(plan.weights[0]).toBe(0);
    expect(plan.weights[1]).toBeCloseTo(0.2, 14);
    expect(Array.from(plan.selected)).not.toContain(0);
    expect(plan.method).toBe('given');
  });

  it('is deterministic given the seed', () => {
    const scores = Float64Array.from({ length: 50 }, (_, j) => (j % 5) / 10);
    const ids = Array.from({ length: 50 }, (_, j) => `x${j}`);
    const a = planReplayFromScores(scores, ids, { nFineTune: 320, seed: 4 });
    const b = planReplayFromScores(scores, ids, { nFineTune: 320, seed: 4 });
    expect(Array.from(a.selected)).toEqual(Array.from(b.selected));
    expect(a.selected.length).toBe(11);
  });
});

const ids = (n: number): string[] => Array.from({ length: n }, (_, j) => `e${j}`);

describe('replay policies: the plan and its draw', () => {
  const scores = Float64Array.from({ length: 40 }, (_, j) => Math.cos(j * 1.7) * 0.3);
  const exclude = new Uint8Array(40);
  exclude[3] = 1;
  exclude[7] = 1;

  it('softmax through the policy is bit-for-bit the path with only a temperature', () => {
    const a = planReplayFromScores(scores, ids(40), { nFineTune: 200, seed: 4, exclude, temperature: 0.1 });
    const b = planReplayFromScores(scores, ids(40), { nFineTune: 200, seed: 4, exclude, policy: 'softmax' });
    expect(Array.from(b.weights)).toEqual(Array.from(softmaxWeights(scores, 0.1, exclude)));
    expect(Array.from(b.selected)).toEqual(
      Array.from(sampleWithoutReplacement(replayLogits(scores, 0.1, exclude), 7, { seed: 4 })),
    );
    expect(Array.from(a.selected)).toEqual(Array.from(b.selected));
    expect(a.policy).toBe('softmax');
    const auto = planReplayFromScores(scores, ids(40), { nFineTune: 200, seed: 4, temperature: 'auto' });
    expect(auto.policy).toBe('auto');
  });

  it('every policy is deterministic per seed and never draws an excluded example', async () => {
    const train = ForgettingMatrix.fromRows(
      Array.from({ length: 6 }, (_, i) => Array.from({ length: 40 }, (_, j) => Math.sin(i + j * 0.3) * 0.2 + 0.1 * i)),
      { taskIds: ids(6).map((x) => `t${x}`), exampleIds: ids(40) },
    );
    const known = { columns: Int32Array.of(0, 5, 9, 20, 33), values: Float64Array.of(0.1, 0.2, -0.1, 0.3, 0.05) };
    for (const policy of REPLAY_POLICY_NAMES) {
      const plan = async (seed: number) => {
        const k =
          policy === 'oracle' ? { columns: Int32Array.from({ length: 40 }, (_, j) => j), values: scores } : known;
        return planOfflineReplay({
          train,
          known: k,
          completion: createCompletionMethod('lowrank'),
          nFineTune: 160,
          seed,
          exclude,
          policy,
          side: scores,
          factorRank: 3,
        });
      };
      const a = await plan(1);
      const b = await plan(1);
      expect(a.policy).toBe(policy);
      expect(Array.from(a.selected)).toEqual(Array.from(b.selected));
      expect(a.selected).toHaveLength(6);
      expect(new Set(a.selected).size).toBe(6);
      for (const j of a.selected) expect(exclude[j]).toBe(0);
      expect(a.weights.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
      expect(a.weights[3]).toBe(0);
    }
    const u1 = await planOfflineReplay({
      train,
      known,
      completion: createCompletionMethod('lowrank'),
      nFineTune: 160,
      seed: 1,
      policy: 'uniform',
    });
    const u2 = await planOfflineReplay({
      train,
      known,
      completion: createCompletionMethod('lowrank'),
      nFineTune: 160,
      seed: 2,
      policy: 'uniform',
    });
    expect(Array.from(u1.selected)).not.toEqual(Array.from(u2.selected));
  });
});
