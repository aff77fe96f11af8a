import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';

/** A 2×4 matrix worked by hand in the summary and correlation tests; example e1 is missing for task t1. */
export const handWorked = new ForgettingMatrix({
  values: Float64Array.of(0.2, 0.4, -0.1, 0.3, 0.6, NaN, 0.1, -0.3),
  observed: Uint8Array.of(1, 1, 1, 1, 1, 0, 1, 1),
  taskIds: ['t0', 't1'],
  exampleIds: ['e0', 'e1', 'e2', 'e3'],
  taskMeta: [
    { lr: 1e-4, steps: 30 },
    { lr: 3e-4, steps: 60 },
  ],
  exampleMeta: [
    { source: 'web', text: 'a' },
    { source: 'code', text: 'b' },
    { source: 'web', text: 'c' },
    { source: 'code', text: 'd' },
  ],
});
