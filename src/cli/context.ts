import type { ProgressSink, WarningSink } from '../util/progress.js';
import { throttleProgress } from '../util/progress.js';
import { stringifyResult } from '../util/json.js';

/** What a command needs from its surroundings: output streams and how to report progress. */
export interface CliContext {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Prints the command's one JSON object on stdout. */
  printJson(value: unknown): void;
  /**
   * A progress sink: a bar on stderr when stderr is a TTY and --json is off; one `label done/total` line
   * per update on stderr when `FORGETSCOPE_PROGRESS=lines` (how the Python API forwards progress, even with
   * --json); otherwise silent.
   */
  progress(json: boolean): ProgressSink;
  /** Prints a warning on stderr. */
  warn: WarningSink;
  /** The command line, for reports ("how it was produced"). */
  argv: readonly string[];
}

/** The context of a real process. */
export function processContext(argv: readonly string[]): CliContext {
  const ctx: CliContext = {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    printJson: (v) => void process.stdout.write(stringifyResult(v) + '\n'),
    progress: (json) =>
      process.env['FORGETSCOPE_PROGRESS'] === 'lines'
        ? stderrLines()
        : json || !process.stderr.isTTY
          ? quietProgress
          : stderrBar(),
    warn: (m) => void process.stderr.write(`warning: ${m}\n`),
    argv,
  };
  return ctx;
}

const quietProgress: ProgressSink = () => {};

/** One `label done/total` line per update on stderr, at most 10 a second (the last always). */
function stderrLines(): ProgressSink {
  return throttleProgress((done, total, label) => {
    process.stderr.write(total !== undefined ? `${label} ${done}/${total}\n` : `${label} ${done}\n`);
  }, 100);
}

/** A single-line progress bar on stderr, redrawn at most 10 times a second. */
function stderrBar(): ProgressSink {
  const width = 30;
  return throttleProgress((done, total, label) => {
    let line: string;
    if (total !== undefined && total > 0) {
      const f = Math.min(1, done / total);
      const filled = Math.round(f * width);
      line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
    } else {
      line = `${label} ${done}`;
    }
    process.stderr.write(`\r\x1b[K${line}`);
    if (total !== undefined && done >= total) process.stderr.write('\n');
  }, 100);
}
