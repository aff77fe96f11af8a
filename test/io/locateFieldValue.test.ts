import { locateFieldValue } from '../../src/io/locateFieldValue.js';

describe('locateFieldValue', () => {
  it('finds the first data line holding a value in a named CSV/TSV column', () => {
    const csv = '\uFEFFtask,example,value\r\nt,e1,1\r\nt,"e,2",2\r\nt,e1,3\r\n';
    expect(locateFieldValue(csv, 'csv', 'example', 'e1')).toEqual({ line: 2, column: 2 });
    expect(locateFieldValue(csv, 'csv', 'example', 'e,2')).toEqual({ line: 3, column: 2 });
    // a value in another column is not a match
    expect(locateFieldValue(csv, 'csv', 'example', 't')).toBeNull();
    expect(locateFieldValue(csv, 'csv', 'missing', 'e1')).toBeNull();
    expect(locateFieldValue('example\tvalue\nx\t1\ny\t2\n', 'tsv', 'example', 'y')).toEqual({ line: 3, column: 1 });
  });

  it('finds JSON Lines records by key, skipping blank and broken lines', () => {
    const jsonl = '{"example":"a"}\n\nnot json\n{"example":7,"value":1}\n';
    expect(locateFieldValue(jsonl, 'jsonl', 'example', '7')).toEqual({ line: 4, column: 'example' });
    expect(locateFieldValue(jsonl, 'jsonl', 'example', 'b')).toBeNull();
  });

  it('says nothing for formats without lines', () => {
    expect(locateFieldValue('', 'parquet', 'example', 'a')).toBeNull();
  });
});
