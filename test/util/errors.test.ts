import { ForgetscopeError, formatLocation } from '../../src/util/errors.js';

describe('ForgetscopeError', () => {
  test('the message is file:line:column: detail; the parts stay readable on their own', () => {
    const e = new ForgetscopeError('parse', 'value "abc" is not a number', { file: 'z.csv', line: 3, column: 4 });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ForgetscopeError');
    expect(e.message).toBe('z.csv:3:4: value "abc" is not a number');
    expect(e.detail).toBe('value "abc" is not a number');
    expect([e.code, e.file, e.line, e.column]).toEqual(['parse', 'z.csv', 3, 4]);
  });

  test('without a location the message is the detail and the location is undefined', () => {
    const e = new ForgetscopeError('usage', 'k must be positive');
    expect(e.message).toBe('k must be positive');
    expect([e.file, e.line, e.column]).toEqual([undefined, undefined, undefined]);
    // Unknown parts are absent, not own keys set to undefined (a spread or a JSON dump shows only what is known).
    expect(Object.keys(e)).not.toEqual(expect.arrayContaining(['file']));
    const partial = new ForgetscopeError('parse', 'x', { file: 'z.csv' });
    expect(['file', 'line', 'column'].filter((key) => Object.hasOwn(partial, key))).toEqual(['file']);
  });

  test('user errors are every code but internal, backend and io', () => {
    const user = ['usage', 'input', 'parse', 'duplicate', 'missing-column', 'dtype', 'truncated', 'empty', 'shape'];
    for (const code of user) expect(new ForgetscopeError(code as never, 'x').isUserError).toBe(true);
    for (const code of ['internal', 'backend', 'io'])
      expect(new ForgetscopeError(code as never, 'x').isUserError).toBe(false);
  });
});

describe('formatLocation', () => {
  test('joins the parts that are given with colons; a column may be a name', () => {
    expect(formatLocation({})).toBe('');
    expect(formatLocation({ file: 'a.parquet' })).toBe('a.parquet: ');
    expect(formatLocation({ file: 'a.parquet', column: 'value' })).toBe('a.parquet:value: ');
    expect(formatLocation({ line: 7 })).toBe('7: ');
  });
});
