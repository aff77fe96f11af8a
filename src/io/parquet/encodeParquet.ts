import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import type { TableColumn } from '../types.js';
import { tableColumns } from '../tableColumns.js';

/**
 * Encodes named columns as Parquet (hyparquet-writer, snappy): float64 → DOUBLE, float32 → FLOAT,
 * int32/uint8 → INT32 (NaN in a float column → null), strings → STRING (utf8), booleans → BOOLEAN. pyarrow and pandas read it.
 */
export function encodeParquet(
  columns: Record<string, TableColumn>,
  options: { rowGroupSize?: number } = {},
): Uint8Array {
  const { entries } = tableColumns(columns);
  const columnData: ColumnSource[] = entries.map(([name, col]) => {
    if (Array.isArray(col)) {
      const isBool = col.length > 0 && typeof col[0] === 'boolean';
      return { name, data: col, type: isBool ? 'BOOLEAN' : 'STRING', nullable: false };
    }
    if ((col instanceof Float64Array || col instanceof Float32Array) && col.some(Number.isNaN)) {
      // NaN marks a missing value: written as null so that readers see "missing", not a number.
      const data = Array.from(col, (v) => (Number.isNaN(v) ? null : v));
      return { name, data, type: col instanceof Float64Array ? 'DOUBLE' : 'FLOAT', nullable: true };
    }
    if (col instanceof Float64Array) return { name, data: col, type: 'DOUBLE', nullable: false };
    if (col instanceof Float32Array) return { name, data: col, type: 'FLOAT', nullable: false };
    if (col instanceof Int32Array) return { name, data: col, type: 'INT32', nullable: false };
    return { name, data: Int32Array.from(col), type: 'INT32', nullable: false };
  });
  const buffer = parquetWriteBuffer({ columnData, rowGroupSize: options.rowGroupSize ?? 1 << 20 });
  return new Uint8Array(buffer);
}
