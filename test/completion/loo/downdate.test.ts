import { foldBasis, foldEigen } from '../../../src/completion/loo/downdate.js';
import { LOWRANK_VARIANTS, trainStats, variantBasis } from '../../../src/completion/loo/basis.js';
import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { secularRoots } from '../../../src/linalg/secular.js';
import { syntheticMatrix } from '../lowrankHelpers.js';

describe('lowrank fold bases by secular downdate', () => {
  test('equal to the dense eigenproblem of each fold (full-rank noisy data, every centring): singular values to 1e-12, subspaces to 1e-10', async () => {
    const z = syntheticMatrix({ rows: 14, cols: 200, rank: 4, seed: 31, additive: true, noise: () => 0.3 });
    const stats = await trainStats(z, createReferenceBackend());
    for (const variant of LOWRANK_VARIANTS) {
      const full = foldEigen(stats, variant);
      for (const r of [0, 6, 13]) {
        const rows = Int32Array.from({ length: 13 }, (_, a) => (a < r ? a : a + 1));
        // the secular path is taken (not the dense fallback)
        expect(secularRoots(full.lambda, full.u.slice(r * full.n, (r + 1) * full.n))).not.toBeNull();
        const fast = foldBasis(stats, full, rows, r, 40);
        const dense = variantBasis(stats, rows, variant, 40);
        expect(fast.r).toBe(dense.r);
        expect(fast.energy).toBe(dense.energy);
        for (let c = 0; c < dense.r; c++)
          expect(Math.abs(fast.s[c]! - dense.s[c]!)).toBeLessThanOrEqual(1e-12 * dense.s[0]!);
        // each component's vector up to sign: |⟨u_fast, u_dense⟩| = 1
        for (let c = 0; c < dense.r; c++) {
          let dot = 0;
          for (let a = 0; a < 13; a++) dot += fast.u[a * fast.r + c]! * dense.u[a * dense.r + c]!;
          expect(Math.abs(Math.abs(dot) - 1)).toBeLessThanOrEqual(1e-10);
        }
      }
    }
  });

  test('an exactly low-rank block (clustered zero eigenvalues) falls back to the dense fold eigenproblem', async () => {
    const z = syntheticMatrix({ rows: 10, cols: 60, rank: 3, seed: 5 });
    const stats = await trainStats(z, createReferenceBackend());
    for (const variant of LOWRANK_VARIANTS) {
      const full = foldEigen(stats, variant);
      expect(secularRoots(full.lambda, full.u.slice(0, full.n))).toBeNull();
      const rows = Int32Array.from({ length: 9 }, (_, a) => a + 1);
      expect(foldBasis(stats, full, rows, 0, 40)).toEqual(variantBasis(stats, rows, variant, 40));
    }
  });
});
