import { DEFAULT_COLUMNS, type ColumnNames } from './types.js';

/** Fills in default long-table column names. */
export function resolveColumns(columns: Partial<ColumnNames> | undefined): ColumnNames {
  return { ...DEFAULT_COLUMNS, ...(columns ?? {}) };
}
