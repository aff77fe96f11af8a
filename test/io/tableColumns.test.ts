import { tableColumns } from '../../src/io/tableColumns.js';
import type { ForgetscopeError } from '../../src/util/errors.js';

describe('tableColumns', () => {
  test('the columns in order with their common row count', () => {
    const t = tableColumns({ b: ['x', 'y'], a: Float64Array.of(1, Number.NaN) });
    expect(t.rows).toBe(2);
    expect(t.entries.map(([name]) => name)).toEqual(['b', 'a']);
    expect(tableColumns({ empty: [] }).rows).toBe(0);
  });

  test('no column is a usage error; a column of another length a shape error naming it', () => {
    expect(() => tableColumns({})).toThrow('a table needs at least one column');
    expect(() => tableColumns({ a: [true], b: Int32Array.of(1, 2) })).toThrow('column "b" has 2 rows, expected 1');
    try {
      tableColumns({});
    } catch (e) {
      expect((e as ForgetscopeError).code).toBe('usage');
    }
  });
});
