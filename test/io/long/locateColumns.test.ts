import { locateLongColumns } from '../../../src/io/long/locateColumns.js';
import { DEFAULT_COLUMNS } from '../../../src/io/types.js';

const where = { file: 'x.csv', line: 1 };

describe('locateLongColumns', () => {
  test('positions of the named columns, -1 for those absent', () => {
    expect(locateLongColumns(['extra', 'example', 'task', 'delta'], DEFAULT_COLUMNS, where)).toEqual({
      task: 2,
      example: 1,
      delta: 3,
      nllBefore: -1,
      nllAfter: -1,
    });
    expect(locateLongColumns(['task', 'example', 'nll_after', 'nll_before'], DEFAULT_COLUMNS, where)).toEqual({
      task: 0,
      example: 1,
      delta: -1,
      nllBefore: 3,
      nllAfter: 2,
    });
  });

  test('missing columns are named, with what the header holds', () => {
    expect(() => locateLongColumns(['task', 'nll_before'], DEFAULT_COLUMNS, where)).toThrow(
      'x.csv:1:1: missing columns "example", "delta (or nll_before and nll_after)"; the header has "task", "nll_before"',
    );
  });

  test('a used column that appears twice is an error at its second place', () => {
    expect(() => locateLongColumns(['task', 'example', 'delta', 'task'], DEFAULT_COLUMNS, where)).toThrow(
      'x.csv:1:4: column "task" appears twice in the header',
    );
    // An unused column may repeat.
    expect(locateLongColumns(['n', 'task', 'n', 'example', 'delta'], DEFAULT_COLUMNS, where).delta).toBe(4);
  });
});
