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

/**
 * A command line written as one template: the literal text is split into words at white space, and
 * each `${value}` is one word (glued to literal text it touches, as in `--out=${path}`), so paths with
 * spaces stay whole; an array value gives one word per element.
 * @example argv`replay ${dir}/z.csv --n 1000 --json` // ['replay', `${dir}/z.csv`, '--n', '1000', '--json']
 */
export function argv(literals: TemplateStringsArray, ...values: unknown[]): string[] {
  const words: string[] = [];
  let word: string | null = null;
  const flush = (): void => {
    if (word !== null) words.push(word);
    word = null;
  };
  literals.forEach((text, i) => {
    for (const ch of text) {
      if (/\s/.test(ch)) flush();
      else word = (word ?? '') + ch;
    }
    if (i >= values.length) return;
    const value = values[i];
    if (Array.isArray(value)) {
      flush();
      words.push(...value.map(String));
    } else {
      word = (word ?? '') + String(value);
    }
  });
  flush();
  return words;
}
