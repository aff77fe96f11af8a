import { describeFailure } from '../../src/cli/failure.js';
import { ForgetscopeError } from '../../src/util/errors.js';

const errno = (code: string, message: string, path?: string): NodeJS.ErrnoException =>
  Object.assign(new Error(message), { code, ...(path ? { path } : {}) });

describe('describeFailure', () => {
  test('a bad input is its file:line:column line and exit 2; an io error exit 1', () => {
    expect(
      describeFailure(new ForgetscopeError('parse', 'bad value', { file: 'a.csv', line: 2, column: 3 }), false),
    ).toEqual({ text: 'a.csv:2:3: bad value\n', code: 2 });
    expect(describeFailure(new ForgetscopeError('io', 'cannot write: EIO', { file: 'o.csv' }), false)).toEqual({
      text: 'o.csv: cannot write: EIO\n',
      code: 1,
    });
  });

  test('line breaks inside a message (an id with U+2028) stay on one line', () => {
    const f = describeFailure(
      new ForgetscopeError('input', 'example "a\u2028b\nc" is unknown', { file: 'x.csv' }),
      false,
    );
    expect(f.text).toBe('x.csv: example "a\\nb\\nc" is unknown\n');
    expect(f.text.split(/[\n\u2028]/)).toHaveLength(2);
  });

  test('a path the user named that cannot be used is exit 2 naming it; the environment is exit 1', () => {
    expect(describeFailure(errno('EISDIR', 'EISDIR: illegal operation on a directory, read', 'models'), false)).toEqual(
      { text: 'models: is a folder, not a file (EISDIR)\n', code: 2 },
    );
    expect(describeFailure(errno('EACCES', 'denied', '/root/x.csv'), false)).toEqual({
      text: '/root/x.csv: permission denied (EACCES)\n',
      code: 2,
    });
    expect(describeFailure(errno('ENOSPC', 'no space', 'out.csv'), false)).toEqual({
      text: 'error: out.csv: no space left on the device (ENOSPC)\n',
      code: 1,
    });
    expect(describeFailure(new RangeError('Array buffer allocation failed'), false).text).toMatch(
      /^error: out of memory/,
    );
  });

  test('anything else is one line asking for a bug report; the stack only with FORGETSCOPE_DEBUG=1', () => {
    const e = new TypeError("Cannot read properties of undefined (reading 'x')");
    const plain = describeFailure(e, false);
    expect(plain.code).toBe(1);
    expect(plain.text).toBe(
      "error: TypeError: Cannot read properties of undefined (reading 'x') (this is a bug; please report it with the command you ran; FORGETSCOPE_DEBUG=1 shows the stack)\n",
    );
    const debug = describeFailure(e, true);
    expect(debug.text.split('\n')[0]).toBe(
      "error: TypeError: Cannot read properties of undefined (reading 'x') (this is a bug; please report it with the command you ran)",
    );
    expect(debug.text).toMatch(/\n\s+at /);
    expect(describeFailure('a string', false).text).toMatch(/^error: a string \(this is a bug/);
  });
});
