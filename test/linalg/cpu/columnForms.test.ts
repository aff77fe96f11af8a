import { columnForms, columnFormsScalar } from '../../../src/linalg/cpu/columnForms.js';
import { SeededNormal } from '../../../src/linalg/random.js';
import { ONE_ROW_FORMS, expectOneRowForms } from '../helpers.js';

/** The forms straight from their definition, one column at a time (float64). */
function naive(
  z: ArrayLike<number>,
  m: number,
  n: number,
  ld: number,
  off: Float64Array,
  shift: Float64Array,
  g: Float64Array,
  h: Float64Array,
  t0: Float64Array,
) {
  const p = t0.length;
  const lin = new Float64Array(n);
  const quad = new Float64Array(n);
  const energy = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const x = Array.from({ length: m }, (_, a) => z[a * ld + j]! - off[j]! - shift[a]!);
    lin[j] = x.reduce((s, v, a) => s + g[a]! * v, 0);
    energy[j] = x.reduce((s, v) => s + v * v, 0);
    for (let r = 0; r < p; r++) {
      const y = t0[r]! + x.reduce((s, v, a) => s + h[r * m + a]! * v, 0);
      quad[j]! += y * y;
    }
  }
  return { lin, quad, energy };
}

describe('columnForms (per-column linear and quadratic forms of a centred block)', () => {
  test('hand-worked: one row [1, 2], g = 2, h = 3, t0 = 1 → lin [2, 4], energy [1, 4], quad [16, 49]', () => {
    for (const simd of [true, false]) {
      expectOneRowForms(columnForms(ONE_ROW_FORMS.input, { simd }));
    }
  });

  test('hand-worked centring: rows [[3, 5], [1, 7]], column offsets [2, 6], row shifts [1, −1] → x = [[0, −2], [0, 2]]', () => {
    const out = columnForms({
      z: Float64Array.of(3, 5, 1, 7),
      rows: 2,
      cols: 2,
      off: Float64Array.of(2, 6),
      shift: Float64Array.of(1, -1),
      g: Float64Array.of(1, 1),
      h: Float64Array.of(1, -1, 0, 1),
      t0: Float64Array.of(0, 1),
    });
    // column 0: x = (0, 0); column 1: x = (−2, 2) → lin 0, energy 8, quad (−4)² + 3² = 25
    expect(Array.from(out.lin)).toEqual([0, 0]);
    expect(Array.from(out.energy)).toEqual([0, 8]);
    expect(Array.from(out.quad)).toEqual([1, 25]);
  });

  test('random blocks (float32 and float64, row stride, odd p, n not a multiple of 4): equal to the definition to 1e-13, SIMD equal to the scalar loop to the bit', () => {
    for (const [m, n, p, f32, seed] of [
      [7, 13, 5, true, 1],
      [46, 1001, 41, true, 2],
      [46, 503, 40, false, 3],
      [3, 9, 0, false, 4],
      [1, 1, 1, false, 5],
    ] as const) {
      const rng = new SeededNormal(seed);
      const ld = n + 3;
      const z = f32 ? new Float32Array(m * ld) : new Float64Array(m * ld);
      for (let t = 0; t < z.length; t++) z[t] = rng.normal();
      const vec = (k: number) => Float64Array.from({ length: k }, () => rng.normal());
      const off = vec(n),
        shift = vec(m),
        g = vec(m),
        h = vec(p * m),
        t0 = vec(p);
      const input = { z, rows: m, cols: n, ld, off, shift, g, h, t0 };
      const want = naive(z, m, n, ld, off, shift, g, h, t0);
      const got = columnForms(input);
      const scalar = columnFormsScalar(input);
      for (const key of ['lin', 'quad', 'energy'] as const) {
        expect(Array.from(got[key])).toEqual(Array.from(scalar[key]));
        for (let j = 0; j < n; j++)
          expect(Math.abs(got[key][j]! - want[key][j]!)).toBeLessThanOrEqual(
            1e-13 * Math.max(1, Math.abs(want[key][j]!)),
          );
      }
    }
  });

  test('bad shapes are refused', () => {
    expect(() =>
      columnForms({ z: new Float64Array(3), rows: 2, cols: 2, h: new Float64Array(0), t0: new Float64Array(0) }),
    ).toThrow(RangeError);
    expect(() =>
      columnForms({ z: new Float64Array(4), rows: 2, cols: 2, h: new Float64Array(3), t0: new Float64Array(2) }),
    ).toThrow(RangeError);
  });
});
