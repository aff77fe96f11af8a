import { ForgetscopeError, type ErrorLocation } from '../../util/errors.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { SideMatrix } from '../../matrix/sideMatrices.js';
import { checkSideName } from '../dataset/sideMatrix.js';
import type { ReadOptions, ReadReport } from '../types.js';
import type { LongTableBuilder } from './LongTableBuilder.js';

/**
 * Positions of the side columns `names` in a long table's header (or a JSON Lines record's keys), in
 * the order asked. A name the header lacks is a `missing-column` error; a bad or repeated name a usage
 * error. Every long reader locates its side columns here.
 */
export function locateSideColumns(header: readonly string[], names: readonly string[], where: ErrorLocation): number[] {
  const seen = new Set<string>();
  return names.map((name) => {
    checkSideName(name);
    if (seen.has(name)) throw new ForgetscopeError('usage', `side matrix "${name}" is asked for twice`);
    seen.add(name);
    const k = header.indexOf(name);
    if (k < 0) {
      throw new ForgetscopeError(
        'missing-column',
        `the long table has no side column "${name}" (asked for with side: ${names.join(',')})`,
        { ...where, column: where.column ?? 1 },
      );
    }
    return k;
  });
}

/**
 * The error for the side value `x` of a kept cell when it is not a finite number: `null` (an empty,
 * null or absent field) is an `input` error, a NaN or an infinity a `parse` error, both at the row's
 * line and the side column. `cell` names the cell by its ids (e.g. `task "t1", example "e7"`). Readers
 * test `x === null || x - x !== 0` first, so a good row builds nothing.
 */
export function sideValueError(x: number | null, name: string, cell: string, where: ErrorLocation): ForgetscopeError {
  if (x === null) return new ForgetscopeError('input', `side column "${name}" has no value for ${cell}`, where);
  return new ForgetscopeError('parse', `side column "${name}": ${String(x)} is not a finite number (${cell})`, where);
}

/** Options of a long-table reader: every reader's, the input's name, and the side columns to read. */
export type LongReadOptions = ReadOptions & {
  /** Name of the input, for error messages. */
  file: string;
  /**
   * Numeric columns read in the same pass as the values, as side matrices aligned with the matrix
   * (`LongReadResult.side`): every kept (task, example) cell needs a finite value in each.
   */
  side?: readonly string[];
};

/** What a long-table reader returns: the matrix, its report, and the side columns asked for. */
export interface LongReadResult {
  matrix: ForgettingMatrix;
  report: ReadReport;
  /** The side columns (`LongReadOptions.side`) aligned with `matrix`, when some were asked for. */
  side?: SideMatrix[];
}

/** The side matrices a reader's builder collected, as the result's optional `side` field. */
export function sideResult(
  builder: LongTableBuilder,
  names: readonly string[] | undefined,
  matrix: ForgettingMatrix,
): { side?: SideMatrix[] } {
  return names && names.length > 0 ? { side: builder.finishSide(matrix.taskIds, matrix.exampleIds) } : {};
}
