import { encodeDelimited, encodeDelimitedChunks } from '../../../src/io/csv/encodeDelimited.js';

describe('encodeDelimited', () => {
  test('quotes only what needs it; NaN empty, -0 kept, booleans as words', () => {
    const text = encodeDelimited({
      id: ['plain', 'a,b', 'say "hi"', ' pad', 'two\nlines'],
      v: Float64Array.from([0.1, NaN, -0, 1e21, -2.5]),
      ok: [true, false, true, false, true],
    });
    expect(text).toBe(
      'id,v,ok\nplain,0.1,true\n"a,b",,false\n"say ""hi""",-0,true\n" pad",1e+21,false\n"two\nlines",-2.5,true\n',
    );
  });

  test('in textColumns, text that reads as a number is quoted, so a reader keeps it as text', () => {
    const columns = {
      example: ['1', '2', '3', '4', '5', '6'],
      source: ['2019', '007', '-1.5e3', 'NaN', 'inf', 'web'],
      x: Float64Array.from([1, 2, 3, 4, 5, 6]),
    };
    expect(encodeDelimited(columns, ',', { textColumns: ['source'] })).toBe(
      'example,source,x\n1,"2019",1\n2,"007",2\n3,"-1.5e3",3\n4,"NaN",4\n5,"inf",5\n6,web,6\n',
    );
    // other columns (ids read by their role, numbers) are written as before
    expect(encodeDelimited(columns)).toBe(
      'example,source,x\n1,2019,1\n2,007,2\n3,-1.5e3,3\n4,NaN,4\n5,inf,5\n6,web,6\n',
    );
  });

  test('a tab delimiter quotes tabs, not commas', () => {
    expect(encodeDelimited({ a: ['x,y', 'p\tq'] }, '\t')).toBe('a\nx,y\n"p\tq"\n');
  });

  test('in chunks: the header, then lines in groups of chunkRows, joining to the same text', () => {
    const columns = { k: Int32Array.from([1, 2, 3, 4, 5]) };
    const chunks = [...encodeDelimitedChunks(columns, ',', 2)];
    expect(chunks).toEqual(['k\n', '1\n2\n', '3\n4\n', '5\n']);
    expect(chunks.join('')).toBe(encodeDelimited(columns));
  });
});
