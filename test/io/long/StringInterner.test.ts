import { StringInterner } from '../../../src/io/long/StringInterner.js';

describe('StringInterner', () => {
  test('dense indices in order of first appearance; a repeat gets its first index', () => {
    const ids = new StringInterner();
    expect(['b', 'a', 'b', '', 'a', '007', '7'].map((s) => ids.intern(s))).toEqual([0, 1, 0, 2, 1, 3, 4]);
    expect(ids.strings).toEqual(['b', 'a', '', '007', '7']);
  });
});
