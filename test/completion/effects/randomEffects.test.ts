import type { ExampleFeatures } from '../../../src/completion/effects/exampleFeatures.js';
import {
  effectsAt,
  effectsCorrection,
  effectsOf,
  effectsPrior,
} from '../../../src/completion/effects/randomEffects.js';
import { SeededNormal } from '../../../src/linalg/random.js';

/** One covariate x = [1, −1, 1, −1]. */
const alternating: ExampleFeatures = { names: ['x'], n: 4, p: 1, data: Float64Array.of(1, -1, 1, -1) };
const all = Int32Array.of(0, 1, 2, 3);
const along = (b: number) => Float64Array.of(b + 0.1, -b + 0.1, b - 0.1, -b - 0.1);

describe('effectsPrior', () => {
  test('hand-worked: two rows loading ±0.3 on x plus a residual orthogonal to it', () => {
    // r = ±0.3·x + 0.1·[1, 1, −1, −1]: b = xᵀr/xᵀx = ±0.3, ‖e‖² = 0.04, v = 0.04/(4 − 1),
    // noise = v·(xᵀx)⁻¹ = v/4, τ² = 0.09 − v/4, σ² = v
    const prior = effectsPrior(alternating, all, [along(0.3), along(-0.3)]);
    const v = 0.04 / 3;
    expect(prior?.sigma2).toBeCloseTo(v, 14);
    expect(prior?.tau2[0]).toBeCloseTo(0.09 - v / 4, 14);
  });

  test('no effect at all: τ² at its floor (1e-6·σ²)', () => {
    const prior = effectsPrior(alternating, all, [along(0), along(0)]);
    expect(prior?.tau2[0]).toBeCloseTo(1e-6 * (prior?.sigma2 ?? NaN), 20);
  });

  test('a covariate absent from every column (a group none of them is in) keeps the floor', () => {
    // groups g0 = columns 0–3, g1 = columns 4–5; the residual columns are g0's only
    const groups: ExampleFeatures = {
      names: ['g0', 'g1'],
      n: 6,
      p: 2,
      data: Float64Array.of(1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1),
    };
    const prior = effectsPrior(groups, all, [
      Float64Array.of(0.5, 0.3, 0.4, 0.6),
      Float64Array.of(-0.5, -0.3, -0.4, -0.6),
    ]);
    // g0: b = ±0.45, residuals ±[0.05, −0.15, −0.05, 0.15]: v = 0.05/3, τ² = 0.2025 − v/4
    const v = 0.05 / 3;
    expect(prior?.sigma2).toBeCloseTo(v, 14);
    expect(prior?.tau2[0]).toBeCloseTo(0.2025 - v / 4, 14);
    expect(prior?.tau2[1]).toBeCloseTo(1e-6 * v, 20);
  });

  test('too few columns for the covariates, or no rows: null', () => {
    expect(effectsPrior(alternating, Int32Array.of(0, 1), [along(0.3)])).toBeNull();
    expect(effectsPrior(alternating, all, [])).toBeNull();
  });

  test('noise only, many rows and columns: τ² stays near the floor, far below σ²', () => {
    const n = 400;
    const g = new SeededNormal(7);
    const x = Float64Array.from({ length: n }, (_, j) => (j % 2 === 0 ? 1 : -1));
    const features: ExampleFeatures = { names: ['x'], n, p: 1, data: x };
    const rows = Array.from({ length: 30 }, () => Float64Array.from({ length: n }, () => g.normal()));
    const prior = effectsPrior(
      features,
      Int32Array.from({ length: n }, (_, j) => j),
      rows,
    );
    // the method-of-moments estimate of a zero variance: |τ²| of order σ²/√(rows)/n
    expect(prior?.tau2[0]).toBeLessThan(0.01 * (prior?.sigma2 ?? 0));
  });
});

describe('effectsOf and effectsCorrection', () => {
  test('hand-worked posterior mean from two measured columns', () => {
    const prior = { tau2: Float64Array.of(0.0866667), sigma2: 0.0133333 };
    // x_K = [1, −1], r_K = [0.5, −0.1]: β = (x_Kᵀr_K/σ²)/(x_Kᵀx_K/σ² + 1/τ²) = 0.6/(2 + σ²/τ²)
    const beta = effectsOf(alternating, prior, Int32Array.of(0, 1), Float64Array.of(0.5, -0.1));
    const expected = 0.6 / (2 + 0.0133333 / 0.0866667);
    expect(beta[0]).toBeCloseTo(expected, 12);
    const correction = effectsCorrection(alternating, prior, Int32Array.of(0, 1), Float64Array.of(0.5, -0.1));
    expect(Array.from(correction)).toEqual(
      [expected, -expected, expected, -expected].map((v) => expect.closeTo(v, 12)),
    );
  });

  test('effectsAt: X·β at the given columns only, in their order', () => {
    // alternating x = [1, −1, 1, −1]: X·β at columns 3, 0 is [−β, β]
    expect(Array.from(effectsAt(alternating, Float64Array.of(0.25), Int32Array.of(3, 0)))).toEqual([-0.25, 0.25]);
  });

  test('a vanishing prior moves nothing; a wide one recovers the least-squares effect', () => {
    const r = Float64Array.of(0.5, -0.1);
    const tight = effectsOf(alternating, { tau2: Float64Array.of(1e-12), sigma2: 1 }, Int32Array.of(0, 1), r);
    expect(Math.abs(tight[0] ?? NaN)).toBeLessThan(1e-11);
    const wide = effectsOf(alternating, { tau2: Float64Array.of(1e12), sigma2: 1 }, Int32Array.of(0, 1), r);
    expect(wide[0]).toBeCloseTo(0.3, 9);
  });
});
