// The command-line options and the train/test splits that the completion benchmarks share (side.js,
// coverage.js, curve.js, bitcheck.js, closed-form.js): one home, so every benchmark's "reference" and
// "random-s" are the same rows.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultRng } from '../../dist/index.js';
import { mulberry32 } from '../../dist/linalg/random.js';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export { flag, opt, optList, optNumbers } from '../args.js';
/** `0-4,7` → [0, 1, 2, 3, 4, 7]. */
export const range = (spec) =>
  spec.split(',').flatMap((p) => {
    const m = /^(\d+)-(\d+)$/.exec(p);
    return m ? Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i) : [Number(p)];
  });

/** The fixture's reference split: the test rows of its recorded paper-protocol results, the other 26 train. */
export const REFERENCE_SPLIT = {
  name: 'reference',
  train: [0, 1, 3, 4, 6, 7, 8, 9, 10, 12, 13, 14, 15, 17, 18, 19, 22, 24, 26, 27, 28, 29, 30, 32, 33, 35],
  test: [2, 5, 11, 16, 20, 21, 23, 25, 31, 34, 36],
};

/** A seeded 26/11 split of `rows` tasks: Fisher–Yates with draws from default_rng(1000 + s). */
export function randomSplit(rows, s) {
  const rng = defaultRng(1000 + s);
  const order = Array.from({ length: rows }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.integers(0, i + 1, 1)[0];
    [order[i], order[j]] = [order[j], order[i]];
  }
  return {
    name: `random-${s}`,
    train: order.slice(0, 26).sort((a, b) => a - b),
    test: order.slice(26).sort((a, b) => a - b),
  };
}

/** The first `nTrain` rows train, the next `nTest` test (synthetic matrices, whose rows are exchangeable). */
export function headSplit(nTrain, nTest) {
  return {
    name: 'head',
    train: Array.from({ length: nTrain }, (_, i) => i),
    test: Array.from({ length: nTest }, (_, i) => nTrain + i),
  };
}

/**
 * A seeded 26/11 split of `rows` tasks by a mulberry32 Fisher–Yates permutation (seed 1000 + s), unsorted:
 * the rows of curve.js's recorded random splits (docs/completion-beyond-paper.md), kept so those tables
 * can be re-run. New benchmarks use `randomSplit`.
 */
export function curveRandomSplit(rows, s) {
  const rand = mulberry32(1000 + s);
  const order = Array.from({ length: rows }, (_, i) => i);
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return { name: `curve-random-${s}`, train: order.slice(0, 26), test: order.slice(26) };
}
