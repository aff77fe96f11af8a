import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import type { CompletionMethod, KnownEntries } from '../../src/completion/types.js';
import { planOfflineReplay, planReplayFromScores } from '../../src/replay/offline.js';
import { onlineReplaySchedule } from '../../src/replay/online.js';
import { softmaxWeights } from '../../src/replay/softmax.js';
import { replayPlanTable } from '../../src/replay/planTable.js';

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

describe('onlineReplaySchedule', () => {
  it('is uniform for the first 10 % of steps, then measures 30 probes and switches', () => {
    const exclude = new Uint8Array(200);
    for (let j = 0; j < 40; j++) exclude[j] = 1;
    const s = onlineReplaySchedule({ totalSteps: 120, examples: 200, exclude, seed: 3 });
    expect(s.uniformUntilStep).toBe(12);
    expect(s.measureAtStep).toBe(12);
    expect(s.predictedFromStep).toBe(12);
    expect(s.probeColumns.length).toBe(30);
    expect(new Set(s.probeColumns).size).toBe(30);
    for (let t = 1; t < 30; t++) expect(s.probeColumns[t]!).toBeGreaterThan(s.probeColumns[t - 1]!);
    for (const j of s.probeColumns) expect(exclude[j]).toBe(0);
    const again = onlineReplaySchedule({ totalSteps: 120, examples: 200, exclude, seed: 3 });
    expect(Array.from(again.probeColumns)).toEqual(Array.from(s.probeColumns));
    expect(onlineReplaySchedule({ totalSteps: 95, examples: 200 }).uniformUntilStep).toBe(10);
  });

  it('takes given probe columns and rejects excluded ones', () => {
    const s = onlineReplaySchedule({ totalSteps: 10, examples: 5, probeColumns: Int32Array.of(3, 1, 3) });
    expect(Array.from(s.probeColumns)).toEqual([1, 3]);
    expect(() =>
      onlineReplaySchedule({
        totalSteps: 10,
        examples: 5,
        probeColumns: Int32Array.of(1),
        exclude: Uint8Array.of(0, 1, 0, 0, 0),
      }),
    ).toThrow(/excluded/);
  });
});

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
