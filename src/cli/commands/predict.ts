/**
 * `forgetscope predict <input> --train-rows … --observed FILE [--method M] --out FILE`: completes the
 * row of a new task from its measured entries (a table `example,value` in any format io reads) with a
 * method fitted on the train rows, and writes `example,prediction[,lower,upper]` (format from the
 * extension of --out).
 */
import type { CommandModule } from './types.js';
import type { CliContext } from '../context.js';
import { ForgetscopeError } from '../../util/errors.js';
import { writeTable } from '../../io/node/writeTable.js';
import { completionMethods, createCompletionMethod } from '../../completion/registry.js';
import type { TableColumn } from '../../io/types.js';
import {
  addBackendOption,
  addReadOptions,
  addRowOptions,
  backendFromFlag,
  backendJson,
  parseNonNegativeInt,
  parseRowList,
  readOptionsFromFlags,
  type ReadFlags,
  addCommand,
  addSideOptions,
  parseSideList,
  withEffectsFlag,
} from '../flags.js';
import { selectSideRows, sideRowOf, type SideMatrices } from '../../matrix/sideMatrices.js';
import type { KnownEntries } from '../../completion/types.js';
import { readMatrixInput, readMeasuredEntries } from '../inputs.js';
import { checkTableOut, warnSpreadsheetIds } from '../outputs.js';

interface PredictFlags extends ReadFlags {
  trainRows?: string;
  observed?: string;
  method?: string;
  out?: string;
  force?: boolean;
  seed: string;
  json?: boolean;
  backend: string;
  side?: string;
  /** false with --no-example-effects. */
  exampleEffects?: boolean;
  sideRow?: string;
}

/** The method `predict` uses when none is named: the best closed-form one when registered. */
function defaultPredictMethod(): string {
  return completionMethods['lowrank'] ? 'lowrank' : 'knn-baseline';
}

/** The `predict` command. */
export const predictCommand: CommandModule = {
  register(program, ctx) {
    const cmd = addCommand(program, 'predict', "Complete a new task's forgetting row from a few measured entries", [
      '<input>',
      'the forgetting matrix of the known tasks (long table, .npy or dataset folder)',
    ]);
    addRowOptions(cmd, { train: 'rows to fit on: indices, inclusive ranges or task ids (default: all rows)' })
      .option(
        '--observed <file>',
        'table with columns example,value (csv, tsv, jsonl, arrow, parquet): the measured entries of the new task',
      )
      .option('--method <name>', `completion method (default: ${defaultPredictMethod()})`)
      .option('--out <file>', 'output table: example,prediction[,lower,upper] (.csv, .tsv, .parquet, .arrow, .npy)')
      .option('--force', 'overwrite --out')
      .option('--seed <n>', 'seed of methods with a random initialisation', '0');
    addBackendOption(cmd);
    addSideOptions(addReadOptions(cmd.option('--json', 'print a JSON summary on stdout')), { sideRow: true }).action(
      async (input: string, flags: PredictFlags) => runPredict(input, flags, ctx),
    );
  },
};

async function runPredict(input: string, flags: PredictFlags, ctx: CliContext): Promise<void> {
  const json = flags.json ?? false;
  if (!flags.observed) throw new ForgetscopeError('usage', 'predict needs --observed FILE (columns example, value)');
  if (!flags.out) throw new ForgetscopeError('usage', 'predict needs --out FILE');
  const seed = parseNonNegativeInt(flags.seed, '--seed');
  const methodName = flags.method ?? defaultPredictMethod();
  const method = withEffectsFlag(createCompletionMethod(methodName), flags.exampleEffects);
  await checkTableOut(ctx, flags.out, flags.force);
  const progress = ctx.progress(json);
  const sideNames = parseSideList(flags.side);
  if (flags.sideRow !== undefined && sideNames.length === 0)
    throw new ForgetscopeError('usage', '--side-row needs --side');
  const { matrix, side } = await readMatrixInput(
    input,
    { ...readOptionsFromFlags(flags), progress, ...(sideNames.length > 0 ? { side: sideNames } : {}) },
    ctx.warn,
  );
  const trainRows = flags.trainRows === undefined ? null : parseRowList(flags.trainRows, matrix, '--train-rows');
  const train = trainRows === null ? matrix : matrix.selectRows(Int32Array.from(trainRows));
  let known: KnownEntries = await readMeasuredEntries(flags.observed, train, {}, ctx.warn);
  let fitSide: { side?: SideMatrices } = {};
  if (side) {
    const rows = trainRows ?? Array.from({ length: matrix.rows }, (_, i) => i);
    const taskRow = newTaskRow(flags.sideRow, matrix, rows);
    known = { ...known, side: sideRowOf(side, taskRow) };
    fitSide = { side: selectSideRows(side, rows) };
  }
  const backend = await backendFromFlag(flags.backend, ctx, train);
  const t0 = performance.now();
  let row;
  try {
    const fitted = await method.fit(train, { seed, backend, progress, ...fitSide });
    row = await fitted.predictRow(known, { seed });
  } finally {
    await backend.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  const columns: Record<string, TableColumn> = { example: [...train.exampleIds], prediction: row.prediction };
  if (row.lower && row.upper) {
    columns['lower'] = row.lower;
    columns['upper'] = row.upper;
  }
  warnSpreadsheetIds(ctx, flags.out, train.exampleIds);
  await writeTable(flags.out, { columns }, { force: flags.force ?? false });
  const summary = {
    method: methodName,
    trainRows: train.rows,
    examples: train.cols,
    observed: known.columns.length,
    intervals: Boolean(row.lower && row.upper),
    out: flags.out,
    seconds,
    ...(side ? { side: sideNames } : {}),
    ...backendJson(backend),
  };
  if (json) ctx.printJson(summary);
  else
    ctx.err(
      `predict: ${methodName} on ${train.rows} train rows, ${known.columns.length} measured entries → ${train.cols} predictions in ${flags.out}\n`,
    );
}

/** The input row holding the new task's side values: `--side-row`, else the one row not in the train rows. */
function newTaskRow(
  spec: string | undefined,
  matrix: Parameters<typeof parseRowList>[1],
  trainRows: readonly number[],
): number {
  const inTrain = new Set(trainRows);
  let row: number;
  if (spec !== undefined) {
    const picked = parseRowList(spec, matrix, '--side-row');
    if (picked.length !== 1) throw new ForgetscopeError('usage', '--side-row names one row');
    row = picked[0];
  } else {
    const rest = Array.from({ length: matrix.rows }, (_, i) => i).filter((i) => !inTrain.has(i));
    const [only] = rest;
    if (only === undefined || rest.length !== 1) {
      throw new ForgetscopeError(
        'usage',
        `--side: name the new task's row with --side-row (${rest.length === 0 ? 'every row is a train row' : `${rest.length} rows are not train rows`})`,
      );
    }
    row = only;
  }
  if (inTrain.has(row)) throw new ForgetscopeError('usage', `--side-row ${row} is one of the train rows`);
  return row;
}
