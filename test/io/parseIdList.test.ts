import { parseIdList } from '../../src/io/parseIdList.js';
import { ForgetscopeError } from '../../src/util/errors.js';

describe('parseIdList', () => {
  test('one id per line, LF or CRLF, a BOM and a final newline dropped; ids kept exactly', () => {
    expect(parseIdList('\ufeffa\r\nb \n 007\n', 'ids.txt')).toEqual(['a', 'b ', ' 007']);
  });

  test('empty lists, blank lines and repeated ids are errors at their line', () => {
    expect(() => parseIdList('', 'ids.txt')).toThrow('ids.txt: the id list is empty');
    expect(() => parseIdList('a\n\nb', 'ids.txt')).toThrow('ids.txt:2:1: empty id (blank line)');
    expect(() => parseIdList('a\nb\na\n', 'ids.txt')).toThrow('ids.txt:3:1: id "a" repeats line 1');
    expect(() => parseIdList('a\na')).toThrow(ForgetscopeError);
  });
});
