import {
  compareFisher,
  diagonalFisher,
  ewcPenalty,
  fisherByTensor,
  fisherCosine,
  forgettingConfidence,
  meanGradient,
  rankByConfidence,
  selectForgetSubset,
  topImportanceOverlap,
  unlearnSchedule,
} from '../../src/methods/fisher/index.js';
import type { Dense } from '../../src/linalg/types.js';
import { numpyAvailable, runPython } from './pythonRef.js';
import { mulberry } from './rng.js';

const G: Dense = { rows: 3, cols: 4, data: Float64Array.of(0.1, -0.2, 0, 0.3, 0.2, 0, 0.1, -0.1, -0.1, 0.4, 0, 0.2) };
const close = (got: ArrayLike<number>, want: number[], digits = 6) =>
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));
const Fa = [0.9, 0.1, 0.5, 0.05, 0.7, 0, 0.3, 0.2];
const Fb = [0.8, 0.6, 0.1, 0.05, 0.75, 0.02, 0.01, 0.4];

// Worked tests of seed-002 §4.
describe('Fisher importance (seed 002)', () => {
  test('T1 diagonalFisher, fisherByTensor, the ḡ² pitfall', () => {
    const F = diagonalFisher(G);
    close(F, [0.02, 0.0666667, 0.00333333, 0.0466667]);
    expect(F.reduce((a, b) => a + b, 0)).toBeCloseTo(0.136667, 6);
    const g = meanGradient(G);
    close(g, [0.0666667, 0.0666667, 0.0333333, 0.133333]);
    const pitfall = Array.from(g, (x) => x * x);
    close(pitfall, [0.00444444, 0.00444444, 0.00111111, 0.0177778], 7);
    expect(Math.abs(pitfall[1]! - F[1]!)).toBeGreaterThan(0.05);
    const t = fisherByTensor(F, [
      { name: 't1', offset: 0, size: 2 },
      { name: 't2', offset: 2, size: 2 },
    ]);
    expect(t[0]!.sum).toBeCloseTo(0.0866667, 6);
    expect(t[0]!.mean).toBeCloseTo(0.0433333, 6);
    expect(t[0]!.max).toBeCloseTo(0.0666667, 6);
    expect(t[1]!.sum).toBeCloseTo(0.05, 12);
    expect(t[1]!.mean).toBeCloseTo(0.025, 12);
    expect(t[1]!.max).toBeCloseTo(0.0466667, 6);
    // weights: example 0 counted twice
    close(
      diagonalFisher(G, { weights: Float64Array.of(2, 1, 1) }),
      [(2 * 0.01 + 0.04 + 0.01) / 4, (2 * 0.04 + 0.16) / 4, 0.01 / 4, (2 * 0.09 + 0.01 + 0.04) / 4],
      12,
    );
  });

  test('T2 forgettingConfidence, both variants, selection', () => {
    const F = diagonalFisher(G);
    const C: Dense = { rows: 3, cols: 4, data: Float64Array.of(0.5, 0, -0.5, 0.1, 0, 0.3, 0, 0, 0, 0, 0, 0.5) };
    const a = forgettingConfidence(C, F, { eta: 1 });
    close(a, [0.00315, 0.003, 0.00583333], 7);
    const b = forgettingConfidence(C, F, { eta: 1, gL: meanGradient(G) });
    close(b, [0.00252593, 0.00227593, 0.00333148], 7);
    expect(Array.from(rankByConfidence(a))).toEqual([2, 0, 1]);
    expect(Array.from(rankByConfidence(b))).toEqual([2, 0, 1]);
    expect(Array.from(selectForgetSubset(a, 1 / 3))).toEqual([2]);
    expect(forgettingConfidence(C, F, { eta: 0.1 })[0]).toBeCloseTo(3.15e-5, 10);
    expect(Array.from(selectForgetSubset(Float64Array.of(1, 2, 2), 0.5))).toEqual([1, 2]);
  });

  test('T3 ewcPenalty', () => {
    expect(ewcPenalty(diagonalFisher(G), [0.01, -0.02, 0.05, 0], 100)).toBeCloseTo(0.00185, 9);
  });

  test('T4 topImportanceOverlap and fisherCosine', () => {
    expect(topImportanceOverlap(Fa, Fb, 0.25)).toEqual({ jaccard: 1, overlap: 1 });
    const h = topImportanceOverlap(Fa, Fb, 0.5);
    expect(h.jaccard).toBeCloseTo(0.333333, 6);
    expect(h.overlap).toBe(0.5);
    expect(fisherCosine(Fa, Fb)).toBeCloseTo(0.840498, 6);
  });

  test('T5 unlearnSchedule', () => {
    expect(Array.from(unlearnSchedule(10, 3))).toEqual([3, 6, 9]);
  });

  test('compareFisher: per tensor and overall', () => {
    const a = [
      { name: 'x', data: Float64Array.from(Fa.slice(0, 4)) },
      { name: 'y', data: Float64Array.from(Fa.slice(4)) },
    ];
    const b = [
      { name: 'x', data: Float64Array.from(Fb.slice(0, 4)) },
      { name: 'y', data: Float64Array.from(Fb.slice(4)) },
    ];
    const r = compareFisher(a, b, {
      top: 0.5,
      update: [
        { name: 'x', data: Float64Array.of(1, 0, 0, 0) },
        { name: 'y', data: Float64Array.of(0, 0, 0, 2) },
      ],
      lambda: 2,
    });
    expect(r.overall.jaccard).toBeCloseTo(1 / 3, 12);
    expect(r.overall.cosine).toBeCloseTo(0.840498, 6);
    // x: A top2 {0,2}, B top2 {0,1} → 1/3; y: A {4,6}→{0,2}, B {4,7}→{0,3} → 1/3
    expect(r.tensors[0]!.jaccard).toBeCloseTo(1 / 3, 12);
    expect(r.tensors[1]!.jaccard).toBeCloseTo(1 / 3, 12);
    expect(r.tensors[0]!.ewc).toBeCloseTo(0.9, 12);
    expect(r.tensors[1]!.ewc).toBeCloseTo(0.2 * 4, 12);
    expect(r.overall.ewc).toBeCloseTo(1.7, 12);
    expect(() => compareFisher(a, [b[0]!])).toThrow(/not in the second/);
  });

  const hasNumpy = numpyAvailable();
  (hasNumpy ? test : test.skip)('overlap and cosine match numpy on 1,000 random entries', () => {
    const rng = mulberry(5);
    const fa = Array.from({ length: 1000 }, () => rng() ** 3);
    const fb = fa.map((x) => x * 0.5 + 0.5 * rng() ** 3);
    const ref = runPython(`
import numpy as np, json
a = np.array(${JSON.stringify(fa)}); b = np.array(${JSON.stringify(fb)})
n = int(np.ceil(0.05 * a.size))
A = set(np.argsort(-a, kind='stable')[:n]); B = set(np.argsort(-b, kind='stable')[:n])
print(json.dumps({"j": len(A & B) / len(A | B), "c": float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))}))`) as {
      j: number;
      c: number;
    };
    expect(topImportanceOverlap(fa, fb, 0.05).jaccard).toBeCloseTo(ref.j, 12);
    expect(fisherCosine(fa, fb)).toBeCloseTo(ref.c, 12);
  });
});
