import { columnTable, textTable } from '../../src/util/textTable.js';

describe('text tables', () => {
  test('textTable: header, dashed rule, first column left and the others right aligned', () => {
    expect(
      textTable(
        ['tensor', 'size'],
        [
          ['w', '12'],
          ['bias', '3'],
        ],
      ),
    ).toBe('tensor  size\n------  ----\nw         12\nbias       3\n');
  });

  test('columnTable: one column per [header, cell], the same table as textTable', () => {
    const rows = [
      { name: 'w', k: 12 },
      { name: 'bias', k: 3 },
    ];
    const got = columnTable(rows, [
      ['tensor', (r) => r.name],
      ['size', (r) => String(r.k)],
    ]);
    expect(got).toBe('tensor  size\n------  ----\nw         12\nbias       3\n');
    expect(columnTable([], [['a', () => 'x']], { rule: false })).toBe('a\n');
  });
});
