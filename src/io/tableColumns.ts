import { ForgetscopeError } from '../util/errors.js';
import type { TableColumn } from './types.js';

/**
 * The columns of a table to write, in order, with their common row count: a usage error when there is
 * no column, a shape error naming the first column of another length. Every table encoder starts here.
 * @example
 * tableColumns({ a: Float64Array.of(1, 2), b: ['x', 'y'] }).rows; // 2
 */
export function tableColumns(columns: Record<string, TableColumn>): { entries: [string, TableColumn][]; rows: number } {
  const entries = Object.entries(columns);
  const first = entries[0];
  if (!first) throw new ForgetscopeError('usage', 'a table needs at least one column');
  const rows = first[1].length;
  for (const [name, col] of entries) {
    if (col.length !== rows)
      throw new ForgetscopeError('shape', `column "${name}" has ${col.length} rows, expected ${rows}`);
  }
  return { entries, rows };
}
