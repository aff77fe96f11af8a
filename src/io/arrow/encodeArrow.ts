import {
  Bool,
  Float32,
  Float64,
  Table as ArrowTable,
  Utf8,
  makeVector,
  tableToIPC,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import type { TableColumn } from '../types.js';
import { tableColumns } from '../tableColumns.js';

/**
 * Encodes named columns as an Arrow IPC file (`format: 'file'`, readable by `pyarrow.ipc.open_file` /
 * `pyarrow.feather.read_table`) or stream (`'stream'`, `pyarrow.ipc.open_stream`). Typed arrays keep
 * their type (NaN in a float column is written as null); strings become utf8, booleans bool.
 */
export function encodeArrow(columns: Record<string, TableColumn>, format: 'file' | 'stream' = 'file'): Uint8Array {
  const vectors: Record<string, Vector> = {};
  for (const [name, col] of tableColumns(columns).entries) {
    if (Array.isArray(col)) {
      const isBool = col.length > 0 && typeof col[0] === 'boolean';
      vectors[name] = isBool
        ? vectorFromArray(col as boolean[], new Bool())
        : vectorFromArray(col as string[], new Utf8());
    } else if ((col instanceof Float64Array || col instanceof Float32Array) && col.some(Number.isNaN)) {
      // NaN marks a missing value: written as null so that readers see "missing", not a number.
      const withNulls = Array.from(col, (v) => (Number.isNaN(v) ? null : v));
      vectors[name] = vectorFromArray(withNulls, col instanceof Float64Array ? new Float64() : new Float32());
    } else {
      vectors[name] = makeVector(col);
    }
  }
  return tableToIPC(new ArrowTable(vectors), format);
}
