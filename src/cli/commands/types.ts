import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** A CLI command: one file, one `register` that adds it to the program. */
export interface CommandModule {
  register(program: Command, ctx: CliContext): void;
}
