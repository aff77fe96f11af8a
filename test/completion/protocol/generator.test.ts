import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeedSequence } from '../../../src/completion/protocol/seedSequence.js';
import { defaultRng } from '../../../src/completion/protocol/generator.js';
import { numpyAvailable as numpyPresent } from '../../helpers/python.js';

interface Cases {
  numpy: string;
  seedState: { seed: number; words: number[] }[];
  choice: { seed: number; n: number; k: number; values: number[] }[];
  integers: { seed: number; low: number; high: number; k: number; values: string[] }[];
  random: { seed: number; values: number[] }[];
  stream: { seed: number; n: number; k: number; values: number[] };
}

const here = dirname(fileURLToPath(import.meta.url));
const script = join(here, '..', 'data', 'numpy_rng_cases.py');

/** numpy available? In CI it must be (CI=true turns its absence into a failure). */
function check(cases: Cases): void {
  for (const c of cases.seedState) {
    expect(Array.from(new SeedSequence(c.seed).generateState32(8))).toEqual(c.words);
  }
  for (const c of cases.choice) {
    expect(Array.from(defaultRng(c.seed).choice(c.n, c.k))).toEqual(c.values);
  }
  for (const c of cases.integers) {
    const got = defaultRng(c.seed).integers(c.low, c.high, c.k);
    // Values up to 2^40 stay exact in float64.
    expect(Array.from(got, (v) => String(v))).toEqual(c.values);
  }
  for (const c of cases.random) {
    expect(Array.from(defaultRng(c.seed).random(c.values.length))).toEqual(c.values);
  }
  expect(Array.from(defaultRng(cases.stream.seed).choice(cases.stream.n, cases.stream.k))).toEqual(cases.stream.values);
}

describe('numpy-compatible Generator (default_rng: PCG64 seeded by SeedSequence)', () => {
  test('matches the committed table produced by numpy', () => {
    const cases = JSON.parse(readFileSync(join(here, '..', 'data', 'numpy-rng-cases.json'), 'utf8')) as Cases;
    expect(cases.choice.length).toBeGreaterThan(500);
    check(cases);
  });

  test('matches live numpy for other seeds and sizes', () => {
    if (!numpyPresent()) return;
    const seeds = Array.from({ length: 40 }, (_, k) => 1000 + 37 * k).join(',');
    const out = execFileSync('python3', [script, seeds], { encoding: 'utf8', maxBuffer: 1 << 26 });
    check(JSON.parse(out) as Cases);
  });

  test('reproduces the known columns of the reference results', () => {
    const ref = JSON.parse(readFileSync(join(here, '..', 'data', 'reference-results-real-dev-v1.json'), 'utf8')) as {
      known: number;
      knownColumns: Record<string, number[]>;
    };
    const n = 1000; // the dev matrix has N = 1000 columns
    expect(Object.keys(ref.knownColumns).length).toBeGreaterThan(0);
    for (const [seed, cols] of Object.entries(ref.knownColumns)) {
      expect(Array.from(defaultRng(Number(seed)).choice(n, ref.known))).toEqual(cols);
    }
  });

  test('rejects bad arguments', () => {
    expect(() => defaultRng(-1)).toThrow(RangeError);
    expect(() => defaultRng(0).choice(0, 3)).toThrow(RangeError);
    expect(() => defaultRng(0).integers(5, 5, 1)).toThrow(RangeError);
  });
});
