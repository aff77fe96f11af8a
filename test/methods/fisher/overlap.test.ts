import { diagonalFisher } from '../../../src/methods/fisher/diagonalFisher.js';
import { ewcPenalty, fisherCosine, topImportanceOverlap } from '../../../src/methods/fisher/overlap.js';
import { Fa, Fb, G } from './seed002.js';
import { numpyAvailable, runPython } from '../pythonRef.js';
import { mulberry } from '../rng.js';

// Worked tests of seed-002 §4.
describe('Fisher importance (seed 002)', () => {
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
