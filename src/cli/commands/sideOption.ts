/**
 * The `--side name[,name…]` option of `evaluate` and `predict`: side matrices read from
 * `side/<name>.npy` of the input folder (or the numeric columns `<name>` of a long table), rows of
 * every task included. Kept in one small module so that it can be registered wherever the commands'
 * option groups live.
 */
import type { Command } from 'commander';
import { ForgetscopeError } from '../../util/errors.js';
import { checkSideName } from '../../io/dataset/sideMatrix.js';

/** Adds `--side <names>` to a command. */
export function addSideOption(command: Command): Command {
  return command.option('--side <names>', 'side matrices to use, comma-separated: side/<name>.npy of the input folder (M×N, aligned with Z.npy) or numeric columns of a long table');
}

/** Parses the `--side` value: distinct valid names (usage error otherwise); undefined → []. */
export function parseSideList(spec: string | undefined): string[] {
  if (spec === undefined) return [];
  const names = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new ForgetscopeError('usage', '--side is empty');
  for (const name of names) checkSideName(name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new ForgetscopeError('usage', `--side names "${dup}" twice`);
  return names;
}
