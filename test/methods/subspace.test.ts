import { mulberry } from './rng.js';
import {
  layerImportance,
  layerReport,
  projectUpdate,
  protectedBasis,
  rankByEnergy,
  retentionRanks,
  spectrum,
  updateEnergySplit,
} from '../../src/methods/subspace/index.js';
import type { Dense } from '../../src/linalg/types.js';
import { numpyAvailable, runPython } from './pythonRef.js';

const W: Dense = { rows: 4, cols: 3, data: Float64Array.of(3, 1, 0, 1, 2, 0, 0, 0, 1, 1, 0, 1) };
const G: Dense = { rows: 4, cols: 3, data: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1) };
const close = (got: ArrayLike<number>, want: number[], digits = 5) =>
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));

// Worked tests of seed-001 §4 (numbers from the spec, computed there with numpy).
describe('adaptive SVD subspaces (seed 001)', () => {
  test('T1 spectrum and rankByEnergy', async () => {
    const s = await spectrum(W);
    close(s.sigma, [3.72756, 1.59925, 1.24406]);
    close(s.energy, [0.771929, 0.142089, 0.0859821], 6);
    close(s.cumEnergy, [0.771929, 0.914018, 1.0], 6);
    expect(s.effRank).toBeCloseTo(2.66609, 5);
    expect(s.stableRank).toBeCloseTo(1.29546, 5);
    expect(rankByEnergy(s, 0.8)).toBe(2);
    expect(rankByEnergy(s, 0.9)).toBe(2);
    expect(rankByEnergy(s, 0.99)).toBe(3);
  });

  test('T2 retentionRanks', () => {
    const r = retentionRanks(Float64Array.of(0.2, 0.5, 0.8), Int32Array.of(10, 10, 10));
    close(r.ratio, [0.38, 0.8, 1.22], 12);
    expect(Array.from(r.k)).toEqual([3, 8, 9]);
  });

  test('T3 projectUpdate and updateEnergySplit (sign-invariant outputs)', async () => {
    const b1 = await protectedBasis(W, 1);
    const u = Array.from(b1.Uh.data).map(Math.abs);
    close(u, [0.830798, 0.495443, 0.0196079, 0.252838], 5);
    close(Array.from(b1.Vh.data).map(Math.abs), [0.869381, 0.488706, 0.0730897], 5);
    const paper = await projectUpdate(G, b1.Uh, b1.Vh, 'paper');
    close(
      paper.data,
      [
        0.0410317, -0.539066, -0.0806213, -0.571877, 0.67853, -0.0480782, -0.0226329, -0.0127226, 0.998097, 0.708155,
        0.835945, 0.975464,
      ],
      5,
    );
    const blockAfter = (await updateEnergySplit(paper, b1)).protectedFrac;
    expect(blockAfter).toBeLessThan(1e-20);
    const split = await updateEnergySplit(G, b1);
    expect(split.protectedFrac).toBeCloseTo(0.293796, 6);
    expect(split.leftFrac).toBeCloseTo(0.301403, 6);
    expect(split.rightFrac).toBeCloseTo(0.508045, 6);
    expect(split.strictFreeFrac).toBeCloseTo(0.484348, 6);
    expect(split.interference).toBeCloseTo(0.356183, 6);
    const strict = await projectUpdate(G, b1.Uh, b1.Vh, 'strict');
    close(
      strict.data,
      [
        0.302862, -0.507477, -0.209269, -0.389875, 0.711905, -0.122623, -0.0621577, -0.0376689, 0.991219, -0.226379,
        0.275436, 0.851046,
      ],
      5,
    );
    // strict result keeps exactly the strictly free energy
    const sq = (x: ArrayLike<number>) => Array.from(x).reduce((a, v) => a + v * v, 0);
    expect(sq(strict.data) / 6).toBeCloseTo(0.484348, 6);
    const left = await projectUpdate(G, b1.Uh, b1.Vh, 'left');
    expect(sq(left.data) / 6).toBeCloseTo(1 - 0.301403, 6);
    const b2 = await protectedBasis(W, 2);
    const s2 = await updateEnergySplit(G, b2);
    expect(s2.protectedFrac).toBeCloseTo(0.531925, 6);
    expect(s2.strictFreeFrac).toBeCloseTo(0.27221, 6);
    expect(s2.interference).toBeCloseTo(0.44044, 6);
  });

  test('zero update and k = 0', async () => {
    const b1 = await protectedBasis(W, 1);
    const z = await updateEnergySplit({ rows: 4, cols: 3, data: new Float64Array(12) }, b1);
    expect(z.protectedFrac).toBeNaN();
    expect(z.interference).toBe(0);
    const b0 = await protectedBasis(W, 0);
    expect((await updateEnergySplit(G, b0)).strictFreeFrac).toBe(1);
    expect(Array.from((await projectUpdate(G, b0.Uh, b0.Vh, 'strict')).data)).toEqual(Array.from(G.data));
  });

  test('T4 layerImportance', async () => {
    const X: Dense = { rows: 2, cols: 3, data: Float64Array.of(1, 0, 0, 0, 1, 1) };
    expect(await layerImportance(W, X)).toBeCloseTo(0.907354, 6);
  });

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
