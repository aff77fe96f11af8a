import type { Dense } from '../../../src/linalg/types.js';

/** The layer weights W (4×3) of the worked tests of seed-001 §4. */
export const W: Dense = { rows: 4, cols: 3, data: Float64Array.of(3, 1, 0, 1, 2, 0, 0, 0, 1, 1, 0, 1) };

/** The update G (4×3) of the worked tests of seed-001 §4. */
export const G: Dense = { rows: 4, cols: 3, data: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1) };
