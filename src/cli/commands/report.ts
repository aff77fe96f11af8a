import type { Command } from 'commander';
import { defineCommand } from '../flags.js';
import type { CliContext } from '../context.js';
import { ForgetscopeError } from '../../util/errors.js';
import { checkOutFile } from '../outputs.js';
import type { ReportPlan } from '../../report/assemble.js';
import { formatReportSummary } from '../../report/summary.js';
import {
  addBackendOption,
  addReadOptions,
  addReplayOptions,
  addRowOptions,
  parseChoice,
  parseIntList,
  parseMethodList,
  parsePositiveInt,
  parsePositiveIntList,
  parser,
  parseRowList,
  checkCountAtMost,
  checkReplayBudget,
  readOptionsFromFlags,
  replaySettingsFromFlags,
  replayPolicyFromFlags,
  addPolicyOption,
  type ReadFlags,
  type ReplayFlags,
  MATRIX_INPUT,
} from '../flags.js';
import { readExclusion, readMatrixInput } from '../inputs.js';
import { writeReport } from '../writeReport.js';

/** Flags of `forgetscope report`. */
interface ReportFlags extends ReadFlags, ReplayFlags {
  out: string;
  force?: boolean;
  json?: boolean;
  title: string;
  trainRows?: string;
  testRows?: string;
  known: number;
  seeds: string;
  methods?: string;
  select: string;
  plotMethod: string;
  curve?: string;
  policy?: string;
  replayTask?: string;
  ranks?: number;
  top: number;
  backend: string;
}

const DESCRIPTION =
  'Write a self-contained HTML audit report: heat map, structure, most-forgotten examples, sources, tasks, model comparison, replay plan';

/**
 * `forgetscope report <input> [--train-rows … --test-rows …] --out report.html [--force]`: one
 * self-contained HTML audit report (inline SVG charts, tables, reader's report, provenance).
 */
export const reportCommand = defineCommand('report', DESCRIPTION, [MATRIX_INPUT], (cmd, ctx) => {
  cmd
    .requiredOption('--out <file>', 'the HTML file to write')
    .option('--force', 'overwrite --out when it exists')
    .option('--json', 'print one JSON object on stdout (quiet progress)')
    .option('--title <text>', 'report title', 'Forgetting audit');
  addRowOptions(cmd, {
    train: 'known (train) tasks for the model comparison: ranges, indices or task ids, e.g. 0-45',
    test: 'held-out tasks to predict, e.g. 46-65',
  })
    .option('--known <k>', 'measured examples per test task', parser(parsePositiveInt, '--known'), 30)
    .option('--seeds <seeds>', 'seeds of the probe draw, e.g. 0-4', '0-4')
    .option('--methods <names>', 'completion methods to compare (default additive-ls,lowrank,knn-baseline)')
    .option('--select <how>', 'probe selection: paper (random, the paper protocol) or active', 'paper')
    .option('--plot-method <name>', 'method of the predicted-vs-true plot and the RMSE-versus-k curve', 'lowrank')
    .option('--curve <ks>', 'also draw RMSE versus k (random vs active probes) at these k, e.g. 5,10,20,30,50,100')
    .option(
      '--replay-task <row>',
      'plan replay for this held-out task (row index or task id; default: the first test row)',
    );
  addPolicyOption(addReplayOptions(cmd, { nFineTune: 1000 }))
    .option('--ranks <K>', 'fit ranks 1..K (default min(5, tasks, examples))', parser(parsePositiveInt, '--ranks'))
    .option('--top <n>', 'most-forgotten examples listed', parser(parsePositiveInt, '--top'), 15);
  addBackendOption(cmd);
  addReadOptions(cmd).action(async (input: string, flags: ReportFlags, command: Command) => {
    const run = await runReportCommand(input, flags, command, ctx);
    if (flags.json) ctx.printJson(run);
    else ctx.out(formatReportSummary(run));
  });
});

/** Reads the input, turns the flags into a report plan, writes the report; returns the JSON summary. */
async function runReportCommand(
  input: string,
  flags: ReportFlags,
  command: Command,
  ctx: CliContext,
): Promise<Record<string, unknown>> {
  const json = flags.json ?? false;
  const step = json ? undefined : (m: string) => ctx.err(`${m}\n`);
  await checkOutFile(ctx, flags.out, flags.force);
  if ((flags.trainRows === undefined) !== (flags.testRows === undefined))
    throw new ForgetscopeError('usage', '--train-rows and --test-rows go together');
  const replay = replaySettingsFromFlags(flags, command);
  const temperatureGiven = command.getOptionValueSource('temperature') === 'cli';
  const autoSupportGiven = command.getOptionValueSource('autoSupport') === 'cli';
  const { policy, ignored } = replayPolicyFromFlags(
    flags.policy,
    replay.temperature,
    temperatureGiven,
    autoSupportGiven ? { autoSupport: replay.autoSupport } : {},
  );
  for (const m of ignored) ctx.warn(m);
  const select = parseChoice(flags.select, '--select', ['paper', 'active'] as const);
  const seeds = parseIntList(flags.seeds, '--seeds');
  step?.(`reading ${input}`);
  const read = await readMatrixInput(input, { ...readOptionsFromFlags(flags), progress: ctx.progress(json) }, ctx.warn);
  const matrix = read.matrix;
  const given = (key: string): boolean => command.getOptionValueSource(key) === 'cli';
  const plan: Omit<ReportPlan, 'provenance'> = {
    title: flags.title,
    name: input,
    format: read.format,
    read: read.report,
    top: flags.top,
    ...(flags.ranks !== undefined ? { ranks: flags.ranks } : {}),
  };
  let testRows: number[] = [];
  if (flags.trainRows !== undefined && flags.testRows !== undefined) {
    const trainRows = parseRowList(flags.trainRows, matrix, '--train-rows');
    testRows = parseRowList(flags.testRows, matrix, '--test-rows');
    const overlap = testRows.filter((t) => trainRows.includes(t));
    if (overlap.length > 0) throw new ForgetscopeError('usage', `--train-rows and --test-rows share row ${overlap[0]}`);
    if (given('known')) checkCountAtMost(flags.known, '--known', matrix.cols, 'examples of the matrix');
    for (const k of flags.curve !== undefined ? parsePositiveIntList(flags.curve, '--curve') : [])
      checkCountAtMost(k, '--curve', matrix.cols, 'examples of the matrix');
    plan.evaluation = {
      trainRows,
      testRows,
      trainLabel: flags.trainRows,
      testLabel: flags.testRows,
      known: flags.known,
      seeds,
      ...(flags.methods !== undefined ? { methods: parseMethodList(flags.methods) } : {}),
      select,
      plotMethod: flags.plotMethod,
      ...(flags.curve !== undefined ? { curveKs: parsePositiveIntList(flags.curve, '--curve') } : {}),
    };
  }
  const replayRow =
    flags.replayTask !== undefined ? parseRowList(flags.replayTask, matrix, '--replay-task')[0] : testRows[0];
  if (replayRow !== undefined) {
    // flags given are checked against the data; with the defaults a budget too large for a small
    // matrix leaves the replay section out, as the report says
    if (given('known')) checkCountAtMost(flags.known, '--known', matrix.cols, 'examples of the matrix');
    const nFineTune = replay.nFineTune;
    if (nFineTune === undefined) throw new ForgetscopeError('internal', '--n-fine-tune has no value or default');
    if (given('nFineTune') || given('n') || given('ratio')) checkReplayBudget(nFineTune, replay.ratio, matrix.cols);
    plan.replay = {
      task: replayRow,
      nFineTune,
      seed: seeds[0],
      method: replay.method,
      policy,
      known: flags.known,
      ratio: replay.ratio,
      ...(temperatureGiven ? { temperature: replay.temperature } : {}),
      ...(autoSupportGiven ? { autoSupport: replay.autoSupport } : {}),
      ...(replay.exclude !== undefined ? { exclude: (await readExclusion(replay.exclude, matrix)).mask } : {}),
    };
  }
  const run = await writeReport(ctx, {
    matrix,
    plan,
    provenance: {
      seeds:
        flags.trainRows !== undefined
          ? `probe draws: numpy default_rng(seed) for seeds ${flags.seeds}; replay draw seed ${seeds[0]}`
          : 'none used',
    },
    out: flags.out,
    force: flags.force ?? false,
    backend: flags.backend,
    json,
    ...(step ? { step } : {}),
  });
  return run.summary;
}
