import { Command, CommanderError } from 'commander';
import { describeFailure } from './failure.js';
import type { CliContext } from './context.js';
import { processContext } from './context.js';
import { commandModules } from './commands/index.js';
import { VERSION } from '../version.js';

/**
 * Builds the `forgetscope` command tree. Each command lives in its own file under `commands/` and
 * registers itself here.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('forgetscope')
    .description('Predict and explain what a language model forgets when it is fine-tuned.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: ctx.out, writeErr: ctx.err })
    .showHelpAfterError();
  for (const mod of commandModules) mod.register(program, ctx);
  return program;
}

/**
 * Runs the CLI and returns the exit status: 0 success, 2 usage or input error
 * (`file:line:column: what is wrong` on stderr), 1 any other failure (one line; `describeFailure`).
 */
export async function runCli(argv: readonly string[], ctx: CliContext = processContext(argv)): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return 0;
      return 2;
    }
    const failure = describeFailure(e);
    ctx.err(failure.text);
    return failure.code;
  }
}
