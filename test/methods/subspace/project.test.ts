import { projectUpdate, protectedBasis, updateEnergySplit } from '../../../src/methods/subspace/project.js';
import { G, W } from './seed001.js';
import { expectClose as close } from '../../helpers/close.js';

// Worked tests of seed-001 §4 (numbers from the spec, computed there with numpy).
describe('adaptive SVD subspaces (seed 001)', () => {
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
});
