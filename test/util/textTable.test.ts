import { textTable } from '../../src/util/textTable.js';

describe('textTable', () => {
  test('first column left, others right, dashed rule (worked by hand)', () => {
    const t = textTable(
      ['tensor', 'size'],
      [
        ['w', '12'],
        ['bias', '3'],
      ],
    );
    expect(t).toBe('tensor  size\n------  ----\nw         12\nbias       3\n');
  });

  test('all-left alignment, no rule, indent, gap, minimum widths, trimmed ends', () => {
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

  test('a row with more cells than the header keeps the extra cells unpadded', () => {
    expect(textTable(['a'], [['1', 'extra']], { rule: false })).toBe('a\n1  extra\n');
  });
});
