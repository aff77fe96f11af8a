import { runCli } from '../../src/cli/main.js';
import type { CliContext } from '../../src/cli/context.js';
import { stringifyResult } from '../../src/util/json.js';

/** Runs the CLI in-process and captures stdout, stderr and the exit status. */
export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    printJson: (v) => void (out += stringifyResult(v) + '\n'),
    progress: () => () => {},
    warn: (m) => void (err += `warning: ${m}\n`),
    argv: args,
  };
  const code = await runCli(args, ctx);
  return { code, out, err };
}
