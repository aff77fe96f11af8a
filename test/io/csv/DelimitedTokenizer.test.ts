/** The one CSV/TSV tokenizer, on small hand-worked tables. */
describe('splitDelimited (the one tokenizer, for small tables)', () => {
  test('quotes, doubled quotes, line breaks in quotes, BOM, CRLF and blank lines', async () => {
    const { splitDelimited } = await import('../../../src/io/csv/DelimitedTokenizer.js');
    const records = splitDelimited('\ufeffa,b\r\n"x,1","say ""hi"""\r\n\r\n"two\nlines",3\n', { file: 't.csv' });
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'], columns: [1, 3] },
      { line: 2, fields: ['x,1', 'say "hi"'], columns: [1, 7] },
      { line: 4, fields: ['two\nlines', '3'], columns: [1, 8] }, // the column on the field's own physical line
    ]);
  });

  test('bad quoting is the same error as in the long-table reader', async () => {
    const { splitDelimited } = await import('../../../src/io/csv/DelimitedTokenizer.js');
    expect(() => splitDelimited('a,b\nx,"y\n', { file: 't.csv' })).toThrow(
      't.csv:2:3: malformed quoting: a quoted field is never closed',
    );
  });
});
