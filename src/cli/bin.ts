#!/usr/bin/env node
import { removeLiveTemps } from '../io/node/atomicWrite.js';
import { describeFailure } from './failure.js';
import { runCli } from './main.js';

/** Prints one line for a failure no command caught (a bug, or the environment) and exits 1. */
function crash(e: unknown): void {
  removeLiveTemps();
  const failure = describeFailure(e);
  process.stderr.write(failure.text);
  process.exit(failure.code === 2 ? 2 : 1);
}

process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
// an interrupted write leaves no temporary behind; the exit status is the shell's 128 + signal
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  process.on(signal, () => {
    removeLiveTemps();
    process.exit(code);
  });
}

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, crash);
