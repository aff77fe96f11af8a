import type { CommandModule } from './types.js';
import { readForgettingMatrix } from '../../io/node/readForgettingMatrix.js';
import { ForgetscopeError } from '../../util/errors.js';
import type { InputFormat, ReadOptions } from '../../io/types.js';

/** Flags of `forgetscope info`. */
interface InfoFlags {
  json?: boolean;
  format?: string;
  duplicates?: string;
  dtype?: string;
  nanAsMissing?: boolean;
  taskIds?: string;
  exampleIds?: string;
  delimiter?: string;
  taskColumn?: string;
  exampleColumn?: string;
  deltaColumn?: string;
  nllBeforeColumn?: string;
  nllAfterColumn?: string;
}

const FORMATS: readonly InputFormat[] = ['csv', 'tsv', 'jsonl', 'arrow', 'arrow-stream', 'parquet', 'npy', 'folder'];

/** Turns the shared reader flags into `ReadOptions` (exported for other commands that read a matrix). */
export function readOptionsFromFlags(flags: InfoFlags): ReadOptions {
  const options: ReadOptions = {};
  if (flags.format !== undefined) {
    if (!FORMATS.includes(flags.format as InputFormat)) throw new ForgetscopeError('usage', `--format must be one of ${FORMATS.join(', ')}, not "${flags.format}"`);
    options.format = flags.format as InputFormat;
  }
  if (flags.duplicates !== undefined) {
    if (!['error', 'mean', 'last'].includes(flags.duplicates)) throw new ForgetscopeError('usage', `--duplicates must be error, mean or last, not "${flags.duplicates}"`);
    options.duplicates = flags.duplicates as ReadOptions['duplicates'] & string;
  }
  if (flags.dtype !== undefined) {
    if (flags.dtype !== 'float64' && flags.dtype !== 'float32') throw new ForgetscopeError('usage', `--dtype must be float64 or float32, not "${flags.dtype}"`);
    options.dtype = flags.dtype;
  }
  if (flags.nanAsMissing) options.nanAsMissing = true;
  if (flags.taskIds !== undefined) options.taskIds = flags.taskIds;
  if (flags.exampleIds !== undefined) options.exampleIds = flags.exampleIds;
  if (flags.delimiter !== undefined) options.delimiter = flags.delimiter === '\\t' ? '\t' : flags.delimiter;
  const columns: NonNullable<ReadOptions['columns']> = {};
  if (flags.taskColumn) columns.task = flags.taskColumn;
  if (flags.exampleColumn) columns.example = flags.exampleColumn;
  if (flags.deltaColumn) columns.delta = flags.deltaColumn;
  if (flags.nllBeforeColumn) columns.nllBefore = flags.nllBeforeColumn;
  if (flags.nllAfterColumn) columns.nllAfter = flags.nllAfterColumn;
  if (Object.keys(columns).length > 0) options.columns = columns;
  return options;
}

/**
 * `forgetscope info <input> [--json]`: shape, observed count, value summary and the reader's report
 * for a file (CSV, TSV, JSON Lines, Arrow, Parquet, .npy) or a dataset folder.
 */
export const infoCommand: CommandModule = {
  register(program, ctx) {
    program
      .command('info')
      .description('shape, observed count, value summary and read report of a forgetting matrix (file or dataset folder)')
      .argument('<input>', 'a long table (.csv .tsv .jsonl .arrow .parquet), a dense .npy, a dataset folder, or - for stdin')
      .option('--json', 'print one JSON object on stdout')
      .option('--format <format>', `force the input format (${FORMATS.join(', ')})`)
      .option('--duplicates <policy>', 'repeated (task, example) pairs: error, mean or last', 'error')
      .option('--dtype <dtype>', 'matrix storage: float64 or float32', 'float64')
      .option('--nan-as-missing', 'treat NaN values as missing entries instead of an error')
      .option('--task-ids <file>', 'task ids of a dense .npy, one per line')
      .option('--example-ids <file>', 'example ids of a dense .npy, one per line')
      .option('--delimiter <char>', 'field delimiter of delimited text (\\t for tab)')
      .option('--task-column <name>', 'task id column (default task)')
      .option('--example-column <name>', 'example id column (default example)')
      .option('--delta-column <name>', 'Z column (default delta)')
      .option('--nll-before-column <name>', 'NLL-before column (default nll_before)')
      .option('--nll-after-column <name>', 'NLL-after column (default nll_after)')
      .action(async (input: string, flags: InfoFlags) => {
        const json = flags.json ?? false;
        const result = await readForgettingMatrix(input, { ...readOptionsFromFlags(flags), progress: ctx.progress(json) });
        const { matrix, report } = result;
        const s = matrix.summary();
        const out = {
          tasks: s.tasks,
          examples: s.examples,
          observed: s.observed,
          missing: s.missing,
          read: { rows: report.rows, kept: report.kept, dropped: report.dropped, ...(report.merged ? { merged: report.merged } : {}) },
          format: result.format,
          source: result.source,
          dtype: matrix.values instanceof Float32Array ? 'float32' : 'float64',
          summary: { min: s.min, max: s.max, mean: s.mean, std: s.std, fractionPositive: s.fractionPositive },
          hasNllBefore: matrix.nllBefore !== null,
        };
        if (json) {
          ctx.printJson(out);
          return;
        }
        const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '—');
        const dropped = Object.entries(report.dropped);
        const lines = [
          `${result.source} (${result.format})`,
          `  tasks × examples   ${s.tasks} × ${s.examples}`,
          `  observed           ${s.observed} (${s.missing} missing)`,
          `  Z min / mean / max ${fmt(s.min)} / ${fmt(s.mean)} / ${fmt(s.max)}`,
          `  Z std              ${fmt(s.std)}`,
          `  fraction Z > 0     ${fmt(s.fractionPositive)}`,
          `  rows read / kept   ${report.rows} / ${report.kept}${report.merged ? ` (${report.merged} merged duplicates)` : ''}`,
          `  rows dropped       ${dropped.length === 0 ? 'none' : dropped.map(([k, v]) => `${v} ${k}`).join(', ')}`,
        ];
        ctx.out(lines.join('\n') + '\n');
      });
  },
};
