/**
 * `forgetscope predict <input> --train-rows … --observed FILE [--method M] --out FILE`: completes the
 * row of a new task from its measured entries (CSV `example,value`) with a method fitted on the train
 * rows, and writes `example,prediction[,lower,upper]` (format from the extension of --out).
 */
import type { CommandModule } from './types.js';
import type { CliContext } from '../context.js';
import { ForgetscopeError } from '../../util/errors.js';
import { readForgettingMatrix } from '../../io/node/readForgettingMatrix.js';
import { refuseOverwrite } from '../../io/node/atomicWrite.js';
import { writeTable } from '../../io/node/writeTable.js';
import { selectNodeBackend } from '../../linalg/node.js';
import type { BackendKind } from '../../linalg/selectBackend.js';
import { completionMethods, createCompletionMethod } from '../../completion/registry.js';
import type { TableColumn } from '../../io/types.js';
import { parseRowList } from './completionArgs.js';
import { readObservedEntries } from './observedEntries.js';
import { addSideOption, parseSideList } from './sideOption.js';
import { selectSideRows, sideRowOf } from '../../matrix/sideMatrices.js';

interface PredictFlags {
  trainRows?: string;
  observed?: string;
  method?: string;
  out?: string;
  force?: boolean;
  seed: string;
  json?: boolean;
  backend: string;
  side?: string;
  sideRow?: string;
}

/** The method `predict` uses when none is named: the best closed-form one when registered. */
export function defaultPredictMethod(): string {
  return completionMethods['lowrank'] ? 'lowrank' : 'knn-baseline';
}

/** The `predict` command. */
export const predictCommand: CommandModule = {
  register(program, ctx) {
    const command = program
      .command('predict')
      .description("Complete a new task's forgetting row from a few measured entries")
      .argument('<input>', 'the forgetting matrix of the known tasks (long table, .npy or dataset folder)')
      .option('--train-rows <rows>', 'rows to fit on: indices, inclusive ranges or task ids (default: all rows)')
      .option('--observed <file>', 'CSV with columns example,value: the measured entries of the new task')
      .option('--method <name>', `completion method (default: ${defaultPredictMethod()})`)
      .option('--out <file>', 'output table: example,prediction[,lower,upper] (.csv, .tsv, .parquet, .arrow, .npy)')
      .option('--force', 'overwrite --out')
      .option('--seed <n>', 'seed of methods with a random initialisation', '0')
      .option('--backend <kind>', 'numerical backend: auto, cpu or webgpu', 'auto')
      .option('--json', 'print a JSON summary on stdout');
    addSideOption(command)
      .option('--side-row <row>', "with --side: the input's row (index or task id) holding the new task's side values (default: the one row not in --train-rows)")
      .action(async (input: string, flags: PredictFlags) => runPredict(input, flags, ctx));
  },
};

async function runPredict(input: string, flags: PredictFlags, ctx: CliContext): Promise<void> {
  const json = flags.json ?? false;
  if (!flags.observed) throw new ForgetscopeError('usage', 'predict needs --observed FILE (CSV example,value)');
  if (!flags.out) throw new ForgetscopeError('usage', 'predict needs --out FILE');
  if (flags.backend !== 'auto' && flags.backend !== 'cpu' && flags.backend !== 'webgpu') {
    throw new ForgetscopeError('usage', `--backend must be auto, cpu or webgpu, got "${flags.backend}"`);
  }
  if (!/^\d+$/.test(flags.seed.trim()) || !Number.isSafeInteger(Number(flags.seed))) {
    throw new ForgetscopeError('usage', `--seed must be a non-negative integer, got "${flags.seed}"`);
  }
  const seed = Number(flags.seed);
  const methodName = flags.method ?? defaultPredictMethod();
  const method = createCompletionMethod(methodName);
  await refuseOverwrite(flags.out, flags.force);
  const progress = ctx.progress(json);
  const sideNames = parseSideList(flags.side);
  if (flags.sideRow !== undefined && sideNames.length === 0) throw new ForgetscopeError('usage', '--side-row needs --side');
  const { matrix, side } = await readForgettingMatrix(input, { progress, ...(sideNames.length > 0 ? { side: sideNames } : {}) });
  const trainRows = flags.trainRows === undefined ? null : parseRowList(flags.trainRows, matrix, '--train-rows');
  const train = trainRows ? matrix.selectRows(Int32Array.from(trainRows)) : matrix;
  let known = await readObservedEntries(flags.observed, train);
  let fitSide = {};
  if (side) {
    const all = Array.from({ length: matrix.rows }, (_, i) => i);
    const rows = trainRows ?? all;
    let taskRow: number;
    if (flags.sideRow !== undefined) {
      const picked = parseRowList(flags.sideRow, matrix, '--side-row');
      if (picked.length !== 1) throw new ForgetscopeError('usage', '--side-row names one row');
      taskRow = picked[0]!;
    } else {
      const inTrain = new Set(rows);
      const rest = all.filter((i) => !inTrain.has(i));
      if (rest.length !== 1) {
        throw new ForgetscopeError('usage', `--side: name the new task's row with --side-row (${rest.length === 0 ? 'every row is a train row' : `${rest.length} rows are not train rows`})`);
      }
      taskRow = rest[0]!;
    }
    if (rows.includes(taskRow)) throw new ForgetscopeError('usage', `--side-row ${taskRow} is one of the train rows`);
    known = { ...known, side: sideRowOf(side, taskRow) };
    fitSide = { side: selectSideRows(side, rows) };
  }
  const backend = await selectNodeBackend(flags.backend as BackendKind);
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
  };
  if (json) ctx.printJson(summary);
  else ctx.err(`predict: ${methodName} on ${train.rows} train rows, ${known.columns.length} measured entries → ${train.cols} predictions in ${flags.out}\n`);
}
