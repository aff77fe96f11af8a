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

  test('textTable: all-left alignment, no rule, indent, gap, minimum widths, trimmed ends', () => {
    const t = textTable(['a', 'b'], [['xx', 'y']], {
      align: 'left',
      rule: false,
      indent: '> ',
      gap: '|',
      minWidths: [3, 4],
      trimEnd: true,
    });
    expect(t).toBe('> a  |b\n> xx |y\n');
  });

  test('textTable: a row with more cells than the header keeps the extra cells unpadded', () => {
    expect(textTable(['a'], [['1', 'extra']], { rule: false })).toBe('a\n1  extra\n');
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
