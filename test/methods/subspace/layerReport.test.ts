import { mulberry } from '../rng.js';
import { layerReport } from '../../../src/methods/subspace/layerReport.js';
import type { Dense } from '../../../src/linalg/types.js';
import { numpyAvailable, runPython } from '../pythonRef.js';
import { G, W } from './seed001.js';

// Worked tests of seed-001 §4 (numbers from the spec, computed there with numpy).
describe('adaptive SVD subspaces (seed 001)', () => {
  test('layerReport: energy rule, fixed k and retention rule', async () => {
    const rows = await layerReport([{ name: 'w', W, dW: G }], { tau: 0.9 });
    expect(rows[0]!.k).toBe(2);
    expect(rows[0]!.rule).toBe('energy');
    expect(rows[0]!.protectedFraction).toBeCloseTo(0.531925, 6);
    expect(rows[0]!.effectiveRank).toBeCloseTo(2.66609, 5);
    const fixed = await layerReport([{ name: 'w', W, dW: G, k: 1 }]);
    expect(fixed[0]!.interference).toBeCloseTo(0.356183, 6);
    // Two layers with inputs: importance I = [0.907354, I2], ratio = mrr + I/mean(I)·(trr−mrr).
    const X: Dense = { rows: 2, cols: 3, data: Float64Array.of(1, 0, 0, 0, 1, 1) };
    const X2: Dense = { rows: 1, cols: 3, data: Float64Array.of(0, 0, 1) };
    const ret = await layerReport([
      { name: 'a', W, dW: G, X },
      { name: 'b', W, dW: G, X: X2 },
    ]);
    // Layer b: W·[0,0,1] = [0,0,1,1], first 3 coords [0,0,1] vs [0,0,1] → cos 1.
    const i1 = 0.907354;
    const mean = (i1 + 1) / 2;
    expect(ret[0]!.importance).toBeCloseTo(i1, 5);
    expect(ret[1]!.importance).toBeCloseTo(1, 12);
    expect(ret[0]!.ratio).toBeCloseTo(0.1 + (i1 / mean) * 0.7, 5);
    expect(ret[0]!.k).toBe(Math.min(Math.floor(Math.min(1, 0.1 + (i1 / mean) * 0.7) * 3), 2));
    expect(ret[1]!.k).toBe(2);
    expect(ret[0]!.rule).toBe('retention');
  });

  const hasNumpy = numpyAvailable();
  (hasNumpy ? test : test.skip)('layerReport matches numpy on a random 30×50 layer', async () => {
    const rng = mulberry(11);
    const w = Float64Array.from({ length: 1500 }, () => rng() - 0.5);
    const dw = Float64Array.from({ length: 1500 }, () => 0.01 * (rng() - 0.5));
    const [row] = await layerReport([
      { name: 'x', W: { rows: 30, cols: 50, data: w }, dW: { rows: 30, cols: 50, data: dw }, k: 7 },
    ]);
    const ref = runPython(`
import numpy as np, json
W = np.array(${JSON.stringify(Array.from(w))}).reshape(30, 50)
D = np.array(${JSON.stringify(Array.from(dw))}).reshape(30, 50)
U, s, Vt = np.linalg.svd(W, full_matrices=False)
k = 7
Uh, Vh = U[:, :k], Vt[:k].T
t = (D**2).sum()
PU, PV = Uh @ Uh.T, Vh @ Vh.T
I3, I5 = np.eye(30), np.eye(50)
p = s / s.sum()
print(json.dumps({"prot": float(((Uh.T @ D @ Vh)**2).sum() / t), "free": float((((I3 - PU) @ D @ (I5 - PV))**2).sum() / t),
  "inter": float(np.linalg.norm(Uh.T @ D @ Vh) / np.linalg.norm(s[:k])), "eff": float(np.exp(-(p * np.log(p)).sum())),
  "stable": float((s**2).sum() / s[0]**2)}))
`) as Record<string, number>;
    expect(row!.protectedFraction).toBeCloseTo(ref['prot']!, 9);
    expect(row!.strictFreeFraction).toBeCloseTo(ref['free']!, 9);
    expect(row!.interference).toBeCloseTo(ref['inter']!, 9);
    expect(row!.effectiveRank).toBeCloseTo(ref['eff']!, 9);
    expect(row!.stableRank).toBeCloseTo(ref['stable']!, 9);
  });
});
