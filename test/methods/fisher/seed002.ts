import type { Dense } from '../../../src/linalg/types.js';
import { expectClose } from '../../helpers/close.js';

/** The per-example gradients G (3 examples × 4 parameters) of the worked tests of seed-002 §4. */
export const G: Dense = {
  rows: 3,
  cols: 4,
  data: Float64Array.of(0.1, -0.2, 0, 0.3, 0.2, 0, 0.1, -0.1, -0.1, 0.4, 0, 0.2),
};

/** The two Fisher diagonals F_a and F_b of seed-002 §4 (T4 and the comparison). */
export const Fa = [0.9, 0.1, 0.5, 0.05, 0.7, 0, 0.3, 0.2];
export const Fb = [0.8, 0.6, 0.1, 0.05, 0.75, 0.02, 0.01, 0.4];

/** Expects each entry of `got` close to `want` to `digits` decimals. */
export const close = (got: ArrayLike<number>, want: number[], digits = 6): void => expectClose(got, want, digits);
