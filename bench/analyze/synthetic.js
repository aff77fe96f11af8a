// Synthetic forgetting matrices with the real fixture's spectrum, for the analyze benchmark.
import { createCpuBackend, fitTruncatedRanks, orthonormaliseRows, SeededNormal } from '../../dist/index.js';
import { readForgettingMatrix } from '../../dist/node.js';

/** The fixture's full singular spectrum (37 values), float64. */
export async function fixtureSpectrum() {
  const { matrix } = await readForgettingMatrix('fixtures/real-dev-v1');
  const fit = await fitTruncatedRanks(matrix, {
    ranks: Math.min(matrix.rows, matrix.cols),
    backend: createCpuBackend(),
  });
  return { s: fit.singularValues, rows: matrix.rows, cols: matrix.cols };
}

/**
 * The fixture spectrum extended to `count` values (log-linear extrapolation of its last 10) and
 * scaled by sqrt(M·N / (M₀·N₀)) so the entries keep the fixture's magnitude.
 */
export function extendSpectrum(spec, m, n, count) {
  const s = Array.from(spec.s);
  const tail = s.slice(-10).map((x, i) => [i, Math.log(x)]);
  const mx = tail.reduce((a, p) => a + p[0], 0) / tail.length;
  const my = tail.reduce((a, p) => a + p[1], 0) / tail.length;
  const slope =
    tail.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / tail.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  const last = s.length - 1;
  for (let c = s.length; c < count; c++) s.push(Math.exp(Math.log(s[last]) + slope * (c - last)));
  const scale = Math.sqrt((m * n) / (spec.rows * spec.cols));
  return Float64Array.from(s.slice(0, count), (x) => x * scale);
}

/** r×c Gaussian rows (first row made positive, like the fixture's mean-dominated first factor), orthonormalised. */
function orthonormalRows(r, c, seed) {
  const rng = new SeededNormal(seed);
  const x = new Float64Array(r * c);
  for (let t = 0; t < x.length; t++) x[t] = rng.normal();
  for (let t = 0; t < c; t++) x[t] = Math.abs(x[t]);
  orthonormaliseRows(x, r, c);
  return x;
}

/**
 * Z = U·diag(s)·Vᵀ with random orthonormal U (M×r) and V (N×r), r = s.length ≤ M, as a row-major
 * Float64Array (or Float32Array with `float32`), via the backend's gemm.
 */
export async function syntheticMatrix(m, n, s, backend, seed = 1, float32 = false) {
  const r = s.length;
  const w = orthonormalRows(r, m, seed); // rows = columns of U
  const us = new Float64Array(m * r);
  for (let i = 0; i < m; i++) for (let c = 0; c < r; c++) us[i * r + c] = w[c * m + i] * s[c];
  const v = orthonormalRows(r, n, seed + 1);
  const z = await backend.gemm({ rows: m, cols: r, data: us }, { rows: r, cols: n, data: v });
  return float32 ? Float32Array.from(z) : z;
}
