import { resolveColumns } from '../../src/io/resolveColumns.js';

describe('resolveColumns', () => {
  test('the defaults, with any given name in its place', () => {
    expect(resolveColumns(undefined)).toEqual({
      task: 'task',
      example: 'example',
      delta: 'delta',
      nllBefore: 'nll_before',
      nllAfter: 'nll_after',
    });
    expect(resolveColumns({ delta: 'z', task: 'model' })).toEqual({
      task: 'model',
      example: 'example',
      delta: 'z',
      nllBefore: 'nll_before',
      nllAfter: 'nll_after',
    });
  });
});
