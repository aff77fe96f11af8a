import * as narrow from '../../../src/methods/narrow-tuning/tokenBias.js';

// Worked tests of seed-000 §4 (numbers from the spec, computed there with numpy).
describe('narrow tuning (seed 000)', () => {
  test('T1 tokenClassMass / massShift from logits', () => {
    const num = Int32Array.of(2, 3);
    const base = narrow.classStatsFromLogits(Float64Array.of(2, 1, 0.5, 0, -1, 0, 0, 3, 0, 0, 1, 0), 6, num);
    const tuned = narrow.classStatsFromLogits(Float64Array.of(2, 1, 1.5, 1, -1, 0, 0, 3, 1, 1, 1, 0), 6, num);
    expect(Math.exp(base.logMass[0]!)).toBeCloseTo(0.187534, 6);
    expect(Math.exp(base.logMass[1]!)).toBeCloseTo(0.0746162, 6);
    expect(base.logMass[0]).toBeCloseTo(-1.67379, 5);
    expect(base.logMass[1]).toBeCloseTo(-2.5954, 4);
    const off = Int32Array.of(0, 2);
    const mb = narrow.tokenClassMass(base.logMass, off);
    const mt = narrow.tokenClassMass(tuned.logMass, off);
    expect(mb[0]).toBeCloseTo(0.131075, 6);
    expect((base.maxProb[0]! + base.maxProb[1]!) / 2).toBeCloseTo(0.0770203, 6);
    expect(Math.exp(tuned.logMass[0]!)).toBeCloseTo(0.385537, 6);
    expect(Math.exp(tuned.logMass[1]!)).toBeCloseTo(0.179778, 6);
    expect(mt[0]).toBeCloseTo(0.282657, 6);
    expect((tuned.maxProb[0]! + tuned.maxProb[1]!) / 2).toBeCloseTo(0.164935, 6);
    expect(narrow.massShift(mb, mt).mean).toBeCloseTo(0.151582, 6);
    expect(() => narrow.tokenClassMass(Float64Array.of(0, 0), Int32Array.of(0, 1))).toThrow(/offsets/);
  });

  test('T2 tokenLogProbShift', () => {
    const r = narrow.tokenLogProbShift(
      { logp: Float32Array.of(-1, -0.5, -2), offsets: Int32Array.of(0, 3) },
      { logp: Float32Array.of(-1.2, -0.4, -3), offsets: Int32Array.of(0, 3) },
    );
    [-0.2, 0.1, -1.0].forEach((v, i) => expect(r.perToken[i]).toBeCloseTo(v, 6));
    expect(r.perExampleNllIncrease[0]).toBeCloseTo(0.366667, 6);
  });
  test('T5 biasForgettingCorrelation', () => {
    expect(
      narrow.biasForgettingCorrelation([0.01, 0.12, 0.03, 0.02, 0.09], [-0.5, -8.0, -1.0, -0.8, -6.0]),
    ).toBeCloseTo(-0.995151, 6);
  });
  test('number tokens', () => {
    for (const t of ['12', 'Ġ42', '▁3rd', '1.5', '1,000', 'seven', 'Twenty', ' hundred'])
      expect(narrow.isNumberToken(t)).toBe(true);
    for (const t of ['a1', '1.2.3', 'Seventy-two', 'SEVEN', '', '1,2,3']) expect(narrow.isNumberToken(t)).toBe(false);
    expect(Array.from(narrow.numberTokenIds({ a: 0, '7': 5, Ġten: 2, x: 9 }))).toEqual([2, 5]);
  });
});
