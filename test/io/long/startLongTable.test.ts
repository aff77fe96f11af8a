import { StringInterner } from '../../../src/io/long/StringInterner.js';
import { startLongTable } from '../../../src/io/long/startLongTable.js';

describe('startLongTable', () => {
  test('column names, interners, a builder with the options, cell names and the side scratch', () => {
    const state = startLongTable(
      { file: 'x.csv', columns: { delta: 'z' }, duplicates: 'last', side: ['fo', 'g'] },
      () => new StringInterner(),
      'row',
    );
    expect(state.names).toEqual({
      task: 'task',
      example: 'example',
      delta: 'z',
      nllBefore: 'nll_before',
      nllAfter: 'nll_after',
    });
    expect(state.sideValues).toHaveLength(2);
    const t = state.tasks.intern('t1');
    const e = state.examples.intern('e9');
    expect(state.cell(t, e)).toBe('task "t1", example "e9"');
    // duplicates "last" and the side columns reach the builder: the later row replaces value and side
    state.builder.add(t, e, 1, 1, Float64Array.of(10, 20));
    state.builder.add(t, e, 2, 2, Float64Array.of(30, 40));
    const matrix = state.builder.finish(state.tasks.strings, state.examples.strings);
    expect(matrix.get(0, 0)).toBe(2);
    expect(state.builder.report.dropped).toEqual({ 'duplicate (replaced by a later row)': 1 });
    const side = state.builder.finishSide(matrix.taskIds, matrix.exampleIds);
    expect(side.map((s) => [s.name, Array.from(s.data)])).toEqual([
      ['fo', [30]],
      ['g', [40]],
    ]);
  });

  test('a non-finite value names the cell by its ids and the row', () => {
    const state = startLongTable({ file: 'x.parquet' }, () => new StringInterner(), 'row');
    const t = state.tasks.intern('t1');
    const e = state.examples.intern('e2');
    expect(() => state.builder.add(t, e, Infinity, 5)).toThrow(
      'x.parquet:5: task "t1", example "e2": the value Infinity',
    );
  });
});
