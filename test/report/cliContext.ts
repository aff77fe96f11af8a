import type { CliContext } from '../../src/cli/context.js';
import { stringifyResult } from '../../src/util/json.js';

/** A CLI context that records stdout and stderr (progress is silent). */
export function captureContext(argv: readonly string[]): CliContext & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (t) => void stdout.push(t),
    err: (t) => void stderr.push(t),
    printJson: (v) => void stdout.push(stringifyResult(v) + '\n'),
    progress: () => () => {},
    warn: (m) => void stderr.push(`warning: ${m}\n`),
    argv,
  };
}
