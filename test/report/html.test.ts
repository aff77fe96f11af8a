import { cell, escapeHtml, percent, scopeSvgIds, table } from '../../src/report/html.js';

describe('report HTML helpers', () => {
  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('prefixes ids and their references', () => {
    expect(scopeSvgIds('<g id="a"><rect fill="url(#a)"/><use href="#a"/></g>', 'p-')).toBe(
      '<g id="p-a"><rect fill="url(#p-a)"/><use href="#p-a"/></g>',
    );
  });

  it('cell: 4 significant digits, integers with thousands separators, exponents outside [1e-3, 1e6), a dash when missing', () => {
    expect(cell(0.123456)).toBe('0.1235');
    expect(cell(12.5)).toBe('12.5');
    expect(cell(1234567)).toBe('1,234,567');
    expect(cell(0.000123456)).toBe('1.235e-4');
    expect(cell(2345678.9)).toBe('2.346e+6');
    expect(cell(0.123456, 2)).toBe('0.12');
    for (const missing of [null, undefined, Number.NaN, Infinity]) expect(cell(missing)).toBe('—');
  });

  it('percent: one decimal, a dash when missing', () => {
    expect(percent(0.1234)).toBe('12.3 %');
    expect(percent(1)).toBe('100.0 %');
    expect(percent(null)).toBe('—');
  });

  it('table: escaped header and caption, trusted cells, numeric columns classed', () => {
    const html = table(
      [{ name: 'a', v: 1 }],
      [
        { header: 'name <id>', html: (r) => `<b>${r.name}</b>` },
        { header: 'v', html: (r) => String(r.v), numeric: true },
      ],
      'A & B',
    );
    expect(html).toBe(
      '<table><caption>A &amp; B</caption><thead><tr><th>name &lt;id&gt;</th><th class="num">v</th></tr></thead>' +
        '<tbody>\n<tr><td><b>a</b></td><td class="num">1</td></tr>\n</tbody></table>',
    );
  });
});
