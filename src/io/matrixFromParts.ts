import { ForgettingMatrix, type ForgettingMatrixInit } from '../matrix/ForgettingMatrix.js';

/** What a reader assembled for a matrix: an optional part it does not have may be `undefined` or `null`. */
export type MatrixParts = {
  [K in keyof ForgettingMatrixInit]: undefined extends ForgettingMatrixInit[K]
    ? ForgettingMatrixInit[K] | null
    : ForgettingMatrixInit[K];
};

/**
 * Builds the `ForgettingMatrix` of a reader's parts, leaving out the optional parts (observed mask,
 * task and example metadata, base NLL) it does not have. The readers of long tables and of dense
 * arrays end here.
 * @example
 * matrixFromParts({ values: Float64Array.of(1, 2), taskIds: ['t'], exampleIds: ['a', 'b'], observed: null });
 */
export function matrixFromParts(parts: MatrixParts): ForgettingMatrix {
  const { observed, taskMeta, exampleMeta, nllBefore, ...required } = parts;
  return new ForgettingMatrix({
    ...required,
    ...(observed ? { observed } : {}),
    ...(taskMeta ? { taskMeta } : {}),
    ...(exampleMeta ? { exampleMeta } : {}),
    ...(nllBefore ? { nllBefore } : {}),
  });
}
