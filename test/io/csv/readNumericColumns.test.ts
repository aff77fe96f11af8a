import { readNumericColumns } from '../../../src/io/csv/readNumericColumns.js';

describe('readNumericColumns', () => {
  test('named columns of finite numbers; header and cells trimmed', () => {
    const cols = readNumericColumns(' alpha , loss\n0,1.5\n 0.5 ,1e-3\n', { file: 'p.csv' });
    expect([...cols.keys()]).toEqual(['alpha', 'loss']);
    expect(Array.from(cols.get('alpha')!)).toEqual([0, 0.5]);
    expect(Array.from(cols.get('loss')!)).toEqual([1.5, 0.001]);
    expect(Array.from(readNumericColumns('a;b\n1;2\n', { file: 'p.csv', delimiter: ';' }).get('b')!)).toEqual([2]);
  });

  test('errors at file:line:column: an empty cell, a word, a short row, an empty table', () => {
    expect(() => readNumericColumns('a,b\n1,\n', { file: 'p.csv' })).toThrow(
      'p.csv:2:2: "" in column "b" is not a finite number',
    );
    expect(() => readNumericColumns('a,b\n1,2\ninf,2\n', { file: 'p.csv' })).toThrow('p.csv:3:1:');
    expect(() => readNumericColumns('a,b\n1\n', { file: 'p.csv' })).toThrow(
      'p.csv:2:2: row has 1 fields, the header 2',
    );
    expect(() => readNumericColumns('', { file: 'p.csv' })).toThrow('p.csv:1:1: the table is empty');
  });
});
