import fc from 'fast-check';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { createCpuBackend } from '../../src/linalg/cpu/backend.js';
import { createReferenceBackend } from '../../src/linalg/reference.js';
import { fitTruncatedRanks } from '../../src/analysis/fitTruncatedRanks.js';
import { observedMoments } from '../../src/analysis/goodnessOfFit.js';

const backends = [createCpuBackend(), createReferenceBackend()];

/**
 * Random small matrices with entries in [-2, 2] on a 1e-6 grid (no subnormals: ml-matrix's
 * eigensolver in the reference backend fails on them) and a non-trivial spread.
 */
const matrixArb = fc
  .record({ m: fc.integer({ min: 1, max: 7 }), n: fc.integer({ min: 1, max: 9 }) })
  .chain(({ m, n }) =>
    fc
      .array(fc.integer({ min: -2e6, max: 2e6 }), { minLength: m * n, maxLength: m * n })
      .map((ints) => ({ m, n, xs: ints.map((x) => x / 1e6) })),
  )
  .filter(({ m, n, xs }) => m * n >= 2 && observedMoments(build(m, n, xs)).totalSumOfSquares > 1e-2);

function build(m: number, n: number, xs: number[]): ForgettingMatrix {
  return ForgettingMatrix.fromRows(Array.from({ length: m }, (_, i) => xs.slice(i * n, (i + 1) * n)));
}

function permute(z: ForgettingMatrix, rowPerm: number[], colPerm: number[]): ForgettingMatrix {
  return ForgettingMatrix.fromRows(rowPerm.map((i) => colPerm.map((j) => z.get(i, j))));
}

/** R²_k by the definition, from ml-matrix's SVD and an explicit rank-k reconstruction. */
function r2ByDefinition(m: number, n: number, xs: number[], k: number): number {
  const a = new Matrix(Array.from({ length: m }, (_, i) => xs.slice(i * n, (i + 1) * n)));
  const svd = new SingularValueDecomposition(a, { autoTranspose: true });
  const s = svd.diagonal;
  const order = s
    .map((v, i) => [v, i] as const)
    .sort((p, q) => q[0] - p[0])
    .slice(0, k);
  const mean = xs.reduce((p, q) => p + q, 0) / xs.length;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let fit = 0;
      for (const [sv, c] of order) fit += svd.leftSingularVectors.get(i, c) * sv * svd.rightSingularVectors.get(j, c);
      sse += (xs[i * n + j]! - fit) ** 2;
      sst += (xs[i * n + j]! - mean) ** 2;
    }
  }
  return 1 - sse / sst;
}

describe.each(backends.map((b) => [b.name, b] as const))('R²_k properties on %s', (_name, backend) => {
  test('R²_k is non-decreasing in k and R²_{min(M,N)} = 1', async () => {
    await fc.assert(
      fc.asyncProperty(matrixArb, async ({ m, n, xs }) => {
        const z = build(m, n, xs);
        const fit = await fitTruncatedRanks(z, { ranks: Math.min(m, n), backend });
        for (let k = 1; k < fit.k; k++) expect(fit.r2[k]! - fit.r2[k - 1]!).toBeGreaterThanOrEqual(-1e-12);
        expect(fit.r2[fit.k - 1]).toBeCloseTo(1, 9);
        for (let k = 1; k < fit.k; k++)
          expect(fit.singularValues[k]).toBeLessThanOrEqual(fit.singularValues[k - 1]! + 1e-12);
        for (let k = 1; k <= fit.k; k++) expect(fit.r2[k - 1]).toBeCloseTo(r2ByDefinition(m, n, xs, k), 9);
      }),
      { numRuns: 60, seed: 11 },
    );
  });

  test('R²_k and singular values are invariant to permuting rows and columns', async () => {
    await fc.assert(
      fc.asyncProperty(
        matrixArb.chain((c) =>
          fc.record({
            c: fc.constant(c),
            rows: fc.shuffledSubarray([...Array(c.m).keys()], { minLength: c.m, maxLength: c.m }),
            cols: fc.shuffledSubarray([...Array(c.n).keys()], { minLength: c.n, maxLength: c.n }),
          }),
        ),
        async ({ c, rows, cols }) => {
          const z = build(c.m, c.n, c.xs);
          const k = Math.min(c.m, c.n);
          const a = await fitTruncatedRanks(z, { ranks: k, backend });
          const b = await fitTruncatedRanks(permute(z, rows, cols), { ranks: k, backend });
          for (let r = 0; r < k; r++) {
            expect(b.r2[r]).toBeCloseTo(a.r2[r]!, 9);
            // Gram + eigensolver: σ² carries an absolute error ≈ ε·σ₁², so small σ are good to ≈ √ε·σ₁.
            expect(Math.abs(b.singularValues[r]! - a.singularValues[r]!)).toBeLessThan(1e-7 * a.singularValues[0]!);
          }
        },
      ),
      { numRuns: 40, seed: 12 },
    );
  });

  test('scaling Z by c scales the singular values by |c| and keeps R²', async () => {
    await fc.assert(
      fc.asyncProperty(
        matrixArb,
        fc.double({ min: -50, max: 50, noNaN: true }).filter((c) => Math.abs(c) > 0.01),
        async ({ m, n, xs }, c) => {
          const z = build(m, n, xs);
          const k = Math.min(m, n);
          const a = await fitTruncatedRanks(z, { ranks: k, backend });
          const b = await fitTruncatedRanks(
            build(
              m,
              n,
              xs.map((x) => c * x),
            ),
            { ranks: k, backend },
          );
          for (let r = 0; r < k; r++) {
            expect(Math.abs(b.singularValues[r]! - Math.abs(c) * a.singularValues[r]!)).toBeLessThan(
              1e-7 * Math.abs(c) * a.singularValues[0]!,
            );
            expect(b.r2[r]).toBeCloseTo(a.r2[r]!, 9);
          }
        },
      ),
      { numRuns: 40, seed: 13 },
    );
  });
});
