/**
 * How the CLI reports a failure: a known bad input or usage is one `file:line:column: message` line and
 * exit status 2; an environment failure (disk full, out of memory) one line and status 1; anything
 * else is a bug — one line asking for a report, status 1 — with the stack only when
 * `FORGETSCOPE_DEBUG=1`.
 */
import { ForgetscopeError } from '../util/errors.js';

/** Node error codes that mean the user named a path that cannot be used as asked (exit 2). */
const USER_ERRNO: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
  ESPIPE: 'cannot seek in this input (a pipe?); give a regular file',
  EROFS: 'read-only file system',
};

/** Node error codes of the environment rather than the input (exit 1, one line, no bug report). */
const ENV_ERRNO: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENOMEM: 'out of memory',
};

/** A failure as the CLI prints it: the text for stderr (ending in a newline) and the exit status. */
export interface Failure {
  text: string;
  code: 1 | 2;
}

/**
 * Turns anything thrown by a command into what the CLI prints and its exit status.
 * @example describeFailure(new ForgetscopeError('parse', 'bad', { file: 'a.csv', line: 2, column: 3 })); // { text: 'a.csv:2:3: bad\n', code: 2 }
 */
export function describeFailure(e: unknown, debug = process.env['FORGETSCOPE_DEBUG'] === '1'): Failure {
  const stack = debug && e instanceof Error && e.stack ? `${e.stack}\n` : '';
  if (e instanceof ForgetscopeError) return { text: `${oneLine(e.message)}\n${stack}`, code: e.isUserError ? 2 : 1 };
  const errno = e as NodeJS.ErrnoException;
  if (e instanceof Error && typeof errno.code === 'string') {
    const where = typeof errno.path === 'string' ? `${errno.path}: ` : '';
    const user = USER_ERRNO[errno.code];
    if (user !== undefined) return { text: `${where}${user} (${errno.code})\n${stack}`, code: 2 };
    const env = ENV_ERRNO[errno.code];
    if (env !== undefined) return { text: `error: ${where}${env} (${errno.code})\n${stack}`, code: 1 };
  }
  if (e instanceof RangeError && /allocation failed|Invalid (typed )?array length|Array buffer/i.test(e.message)) {
    return {
      text: `error: out of memory (${oneLine(e.message)}); the input is too large for this machine\n${stack}`,
      code: 1,
    };
  }
  const message = e instanceof Error ? `${e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}` : String(e);
  const hint = debug ? '' : '; FORGETSCOPE_DEBUG=1 shows the stack';
  return {
    text: `error: ${oneLine(message)} (this is a bug; please report it with the command you ran${hint})\n${stack}`,
    code: 1,
  };
}

/** A message on one line: line breaks (also U+2028/U+2029) shown as \n, other controls escaped. */
function oneLine(text: string): string {
  return text
    .replace(/\r\n|[\n\r\u2028\u2029]/g, '\\n')
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g,
      (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
    );
}
