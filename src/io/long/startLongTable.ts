import { resolveColumns } from '../resolveColumns.js';
import type { ColumnNames } from '../types.js';
import { LongTableBuilder } from './LongTableBuilder.js';
import type { LongReadOptions } from './sideColumns.js';

/** What a long-table reader fills while it reads: id interners, the builder, and how a cell is named. */
export interface LongTableState<I extends { readonly strings: readonly string[] }> {
  /** The long-table column names (`options.columns` over the defaults). */
  names: ColumnNames;
  tasks: I;
  examples: I;
  builder: LongTableBuilder;
  /** Names cell (t, e) by its ids in messages: `task "t1", example "e7"`. */
  cell: (t: number, e: number) => string;
  /** Scratch for one row's side values (`options.side`), handed to `builder.add`. */
  sideValues: Float64Array;
}

/**
 * Starts a long-table read: task and example interners (`newInterner`: bytes or strings, as the
 * format gives its ids) and a `LongTableBuilder` with the duplicate policy, dtype and side columns of
 * `options`; positions are `line`s (text) or `row`s (columnar files). Every long reader starts here.
 */
export function startLongTable<I extends { readonly strings: readonly string[] }>(
  options: LongReadOptions,
  newInterner: () => I,
  unit: 'line' | 'row',
): LongTableState<I> {
  const tasks = newInterner();
  const examples = newInterner();
  const cell = (t: number, e: number) => `task "${tasks.strings[t]}", example "${examples.strings[e]}"`;
  const builder = new LongTableBuilder({
    file: options.file,
    unit,
    ...(options.duplicates ? { duplicates: options.duplicates } : {}),
    ...(options.dtype ? { dtype: options.dtype } : {}),
    ...(options.side ? { side: options.side } : {}),
    describe: cell,
  });
  const sideValues = new Float64Array(options.side?.length ?? 0);
  return { names: resolveColumns(options.columns), tasks, examples, builder, cell, sideValues };
}
