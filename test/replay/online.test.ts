import { onlineReplaySchedule } from '../../src/replay/online.js';

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
