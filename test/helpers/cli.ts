import { runCli } from '../../src/cli/main.js';
import type { CliContext } from '../../src/cli/context.js';
import { stringifyResult } from '../../src/util/json.js';

/** A CLI context that captures stdout and stderr in memory (progress is silent). */
export function captureContext(argv: string[] = []): { ctx: CliContext; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const ctx: CliContext = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    printJson: (v) => void (out += stringifyResult(v) + '\n'),
    progress: () => () => {},
    warn: (m) => void (err += `warning: ${m}\n`),
    argv,
  };
  return { ctx, out: () => out, err: () => err };
}

/** Runs the CLI in-process and returns the exit status with the captured stdout and stderr. */
export async function runCaptured(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = captureContext(args);
  const code = await runCli(args, c.ctx);
  return { code, out: c.out(), err: c.err() };
}
