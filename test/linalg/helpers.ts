import { referenceGemm, referenceGram } from '../../src/linalg/reference.js';
import { SeededNormal } from '../../src/linalg/random.js';
import type { Backend, Dense } from '../../src/linalg/types.js';

/** A seeded standard-normal dense matrix. */
export function randomDense(rows: number, cols: number, seed: number, f32 = false): Dense {
  const rng = new SeededNormal(seed);
  const data = f32 ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let t = 0; t < data.length; t++) data[t] = rng.normal();
  return { rows, cols, data };
}

/**
 * max |got − want| / scale over entries, where scale[i][j] is supplied (e.g. Σ|a_ik||b_jk|, the
 * natural error scale of a dot product).
 */
export function maxScaledError(got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let t = 0; t < want.length; t++) {
    const e = Math.abs(got[t]! - want[t]!) / Math.max(scale[t]!, 1e-300);
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
  }
  return worst;
}

/** Σ_k |X[i][k]|·|Y[j][k]| for op(A)·op(B) — the scale of the rounding error of each entry. */
export function absProductScale(a: Dense, b: Dense, transA = false, transB = false): Float64Array {
  const abs = (d: Dense): Dense => ({ rows: d.rows, cols: d.cols, data: Float64Array.from(d.data, Math.abs) });
  const aa = abs(a);
  const bb = abs(b);
  const ar = transA ? a.cols : a.rows;
  const inner = transA ? a.rows : a.cols;
  const bc = transB ? b.rows : b.cols;
  const out = new Float64Array(ar * bc);
  for (let i = 0; i < ar; i++)
    for (let j = 0; j < bc; j++) {
      let s = 0;
      for (let k = 0; k < inner; k++) {
        const x = transA ? aa.data[k * a.cols + i]! : aa.data[i * a.cols + k]!;
        const y = transB ? bb.data[j * b.cols + k]! : bb.data[k * b.cols + j]!;
        s += x * y;
      }
      out[i * bc + j] = s;
    }
  return out;
}

/**
 * The hand-worked column-forms case: one row [1, 2] with g = 2, h = 3, t0 = 1 gives lin = 2·x = [2, 4],
 * energy = x² = [1, 4] and quad = (t0 + h·x)² = [16, 49].
 */
export const ONE_ROW_FORMS = {
  input: {
    z: Float64Array.of(1, 2),
    rows: 1,
    cols: 2,
    g: Float64Array.of(2),
    h: Float64Array.of(3),
    t0: Float64Array.of(1),
  },
  lin: [2, 4],
  energy: [1, 4],
  quad: [16, 49],
};

/** Checks forms against `ONE_ROW_FORMS`. */
export function expectOneRowForms(out: {
  lin: ArrayLike<number>;
  energy: ArrayLike<number>;
  quad: ArrayLike<number>;
}): void {
  expect(Array.from(out.lin)).toEqual(ONE_ROW_FORMS.lin);
  expect(Array.from(out.energy)).toEqual(ONE_ROW_FORMS.energy);
  expect(Array.from(out.quad)).toEqual(ONE_ROW_FORMS.quad);
}

/** The four transpose cases of gemm, as [transA, transB]. */
export const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

/** A gemm case: op(A) is rows×depth, op(B) depth×cols. */
export type GemmShape = readonly [rows: number, depth: number, cols: number];

/** Seeds of the two random operands of a gemm case. */
export type GemmSeeds = (rows: number, depth: number, cols: number) => [number, number];

/**
 * Expects `gemm(op(A), op(B))` for each shape to have rows·cols entries within `bound` of the float64
 * reference, relative to Σ|a||b| (seeded random operands, float32 or float64).
 */
export async function expectGemmMatches(
  gemm: (a: Dense, b: Dense, options: { transA: boolean; transB: boolean }) => Promise<Float64Array>,
  shapes: readonly GemmShape[],
  [transA, transB]: readonly [boolean, boolean],
  bound: number,
  { f32 = false, seeds = (r, k, c) => [r + 7 * k, c + 3] }: { f32?: boolean; seeds?: GemmSeeds } = {},
): Promise<void> {
  for (const [r, k, c] of shapes) {
    const [sa, sb] = seeds(r, k, c);
    const a = transA ? randomDense(k, r, sa, f32) : randomDense(r, k, sa, f32);
    const b = transB ? randomDense(c, k, sb, f32) : randomDense(k, c, sb, f32);
    const got = await gemm(a, b, { transA, transB });
    expect(got.length).toBe(r * c);
    expect(
      maxScaledError(got, referenceGemm(a, b, { transA, transB }), absProductScale(a, b, transA, transB)),
    ).toBeLessThan(bound);
  }
}

/** Expects a Gram matrix of `a` within `bound` of the float64 reference (relative to Σ|a||a|) and exactly symmetric. */
export function expectGramMatches(got: Float64Array, a: Dense, bound: number): void {
  const m = a.rows;
  expect(maxScaledError(got, referenceGram(a), absProductScale(a, a, false, true))).toBeLessThan(bound);
  let asymmetric = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) if (got[i * m + j] !== got[j * m + i]) asymmetric++;
  expect(asymmetric).toBe(0);
}

/**
 * Makes a backend before the tests of the enclosing `describe` and disposes of it after them; the
 * returned function gives the backend inside a test.
 */
export function backendPerSuite(make: () => Backend): () => Backend {
  let backend: Backend | null = null;
  beforeAll(() => {
    backend = make();
  });
  afterAll(async () => {
    await backend?.dispose();
  });
  return () => {
    if (backend === null) throw new Error('the backend is made in beforeAll');
    return backend;
  };
}
