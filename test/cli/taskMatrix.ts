import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';

/** A 3×4 matrix of zeros with task ids a, b and 7 (an id that looks like a row number) and examples e0…e3. */
export const threeTasks = ForgettingMatrix.fromRows(
  [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ],
  { taskIds: ['a', 'b', '7'] },
);
