import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lib from '../../../src/index.js';
import { readForgettingMatrix } from '../../../src/io/node/readForgettingMatrix.js';
import { runRidgeGoldenCases } from './ridgeGoldenCases.js';

/**
 * The with-side and without-side steps of lowrank's leave-one-task-out ridge are one pipeline, in which
 * "no side information" is zero side columns. ridgeGolden.json pins what the code did before that
 * refactor (recorded by recordRidgeGolden.js from the earlier code, not from the code under test): a
 * golden file is the right yardstick here because the claim is "nothing changed", not "this is correct" —
 * the correctness of these numbers is checked against float64 oracles in lowrankForms.test.ts and the
 * side tests.
 *
 * Without side matrices every prediction, interval bound, chosen setting, leave-one-out RMSE and interval
 * scale is bit-identical (digests of the Float64 bits of every value). With side matrices the arithmetic
 * is now the no-side order extended by side columns (component penalty α·σ̄²·M/s² instead of
 * α·(σ̄²·M/s²), the raw held-out values summed before the normal equations instead of a shift after,
 * the error at the measured columns as ‖c‖² − βᵀ(h + Dβ) instead of the quadratic form, the side term
 * added after the components), so values agree to rounding: ≤ 1e-12 of the row's largest magnitude on
 * the recorded samples (measured on the fixture by bench/completion/bitcheck.js: ≤ 6.4e-15), the same
 * chosen setting. One deliberate change with side: a task's residual scale ρ
 * (which multiplies the train-calibrated scale κ where a task has too few probes for its own
 * calibration, and enters κ's calibration) is now, as without side, the leave-one-column-out residual of
 * the fit instead of its in-sample residual; so κ and the intervals of the cases with fewer than 9 probes
 * are not compared with side.
 */

type Sampled = { digest: string; sample: (number | null)[] };
type Case = {
  side: boolean;
  decision: Record<string, string | number | null>;
  rows: { row: number; prediction: Sampled; lower?: Sampled; upper?: Sampled }[];
};

const here = dirname(fileURLToPath(import.meta.url));
const golden: Record<string, Case> = JSON.parse(readFileSync(join(here, 'ridgeGolden.json'), 'utf8'));

/** |a − b| ≤ 1e-12·scale (scale: the largest magnitude of what a and b belong to, default their own). */
function close(a: number | null, b: number | null, what: string, scale = 0): void {
  if (a === null || b === null) {
    expect([what, a]).toEqual([what, b]);
    return;
  }
  const tolerance = 1e-12 * Math.max(Math.abs(a), Math.abs(b), scale, 1e-300);
  if (!(Math.abs(a - b) <= tolerance)) throw new Error(`${what}: ${a} vs ${b} (difference ${Math.abs(a - b)})`);
}

describe('one ridge: lowrank keeps its recorded outputs', () => {
  let now: Record<string, Case>;
  beforeAll(async () => {
    // JSON keeps NaN as null, as in the golden file
    now = JSON.parse(JSON.stringify(await runRidgeGoldenCases({ ...lib, readForgettingMatrix })));
  });

  test('the same cases ran', () => {
    expect(Object.keys(now).sort()).toEqual(Object.keys(golden).sort());
    expect(Object.keys(golden).length).toBe(36);
  });

  test('without side: every value, setting, RMSE and scale bit-identical', () => {
    let arrays = 0;
    for (const [key, g] of Object.entries(golden)) {
      if (g.side) continue;
      const c = now[key]!;
      expect([key, c.decision]).toEqual([key, g.decision]);
      g.rows.forEach((row, i) => {
        for (const part of ['prediction', 'lower', 'upper'] as const) {
          expect([key, row.row, part, c.rows[i]![part]?.digest]).toEqual([key, row.row, part, row[part]?.digest]);
          if (row[part]) arrays++;
        }
      });
    }
    // 4 fits × 3 probe sets × 3 rows on two data sets; prediction always, bounds in 3 of the fits
    expect(arrays).toBe(2 * 3 * 3 * (4 + 2 * 3));
  });

  test('with side: the same setting, values to rounding (≤ 1e-12 relative)', () => {
    for (const [key, g] of Object.entries(golden)) {
      if (!g.side) continue;
      const c = now[key]!;
      const few = Number(/-k([0-9]+)$/.exec(key)![1]) < 9;
      for (const field of ['variant', 'k', 'alpha', 'side'])
        expect([key, field, c.decision[field]]).toEqual([key, field, g.decision[field]]);
      close(c.decision.looRmse as number | null, g.decision.looRmse as number | null, `${key} looRmse`);
      g.rows.forEach((row, i) => {
        for (const part of ['prediction', 'lower', 'upper'] as const) {
          const was = row[part];
          const is = c.rows[i]![part];
          expect([key, part, is === undefined]).toEqual([key, part, was === undefined]);
          if (!was || !is || (part !== 'prediction' && few)) continue;
          // relative to the row's largest recorded magnitude: a bound near 0 has no relative precision of its own
          const scale = Math.max(...was.sample.map((v) => Math.abs(v ?? 0)));
          was.sample.forEach((v, j) => close(is.sample[j]!, v, `${key} row ${row.row} ${part}[${j}]`, scale));
        }
      });
    }
  });
});
