import { Matrix, solve } from 'ml-matrix';
import { fitAdditive } from '../../src/analysis/fitAdditive.js';
import { matrixOf, randomMask, signalPlusNoise } from './helpers/synthetic.js';

describe('fits over observed entries equal the closed form on a complete matrix', () => {
  const m = 12;
  const n = 40;
  const values = signalPlusNoise(m, n, 1);
  const z = matrixOf(values, m, n);

  test('additive backfitting equals the closed form', () => {
    const closed = fitAdditive(z, { method: 'closed-form' });
    const back = fitAdditive(z, { method: 'backfit' });
    expect(back.converged).toBe(true);
    expect(Math.abs(back.r2 - closed.r2)).toBeLessThan(1e-12);
    expect(Math.abs(back.mu - closed.mu)).toBeLessThan(1e-12);
    for (let i = 0; i < m; i++) expect(Math.abs(back.taskEffects[i]! - closed.taskEffects[i]!)).toBeLessThan(1e-12);
    for (let j = 0; j < n; j++)
      expect(Math.abs(back.exampleEffects[j]! - closed.exampleEffects[j]!)).toBeLessThan(1e-12);
  });
});

describe('partially observed matrices', () => {
  const m = 10;
  const n = 30;

  test('additive backfitting is the least-squares fit over observed entries (vs a dense lstsq)', () => {
    const values = signalPlusNoise(m, n, 2, 0.3);
    const mask = randomMask(m, n, 0.5, 3);
    const z = matrixOf(values, m, n, mask);
    const fit = fitAdditive(z);
    expect(fit.method).toBe('backfit');
    expect(fit.converged).toBe(true);
    // Independent answer: least squares with the design [1 | row one-hot | column one-hot] (minimum
    // norm via ml-matrix's SVD solve); the fitted values are unique even though the effects are not.
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        if (mask[i * n + j] === 0) continue;
        const r = new Array(1 + m + n).fill(0);
        r[0] = 1;
        r[1 + i] = 1;
        r[1 + m + j] = 1;
        rows.push(r);
        y.push(values[i * n + j]!);
      }
    }
    const beta = solve(new Matrix(rows), Matrix.columnVector(y), true);
    let sse = 0;
    rows.forEach((r, t) => {
      let p = 0;
      r.forEach((x, c) => (p += x * beta.get(c, 0)));
      const i = r.indexOf(1, 1) - 1;
      const j = r.indexOf(1, 1 + m) - 1 - m;
      expect(Math.abs(fit.mu + fit.taskEffects[i]! + fit.exampleEffects[j]! - p)).toBeLessThan(1e-9);
      sse += (y[t]! - p) ** 2;
    });
    expect(Math.abs(fit.sse - sse)).toBeLessThan(1e-9);
  });
});
