import type { Command } from 'commander';
import type { CommandModule } from './types.js';
import type { CliContext } from '../context.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { ForgetscopeError } from '../../util/errors.js';
import { writeTable } from '../../io/node/writeTable.js';
import { createCompletionMethod } from '../../completion/registry.js';
import { planOfflineReplay } from '../../replay/offline.js';
import { onlineReplaySchedule } from '../../replay/online.js';
import { replayPlanTable } from '../../replay/planTable.js';
import { replayPolicy } from '../../replay/policies/registry.js';
import {
  addBackendOption,
  addReadOptions,
  addReplayOptions,
  addReplayPolicyOptions,
  addRowOptions,
  backendFromFlag,
  backendJson,
  parseCaps,
  parseInteger,
  parsePositiveInt,
  parseRowList,
  checkCountAtMost,
  checkReplayBudget,
  readOptionsFromFlags,
  replayPolicyFromFlags,
  replaySettingsFromFlags,
  type ReadFlags,
  type ReplayFlags as ReplayGroupFlags,
  type ReplayPolicyFlags,
  type ReplaySettings,
  addCommand,
} from '../flags.js';
import { readExclusion, readMatrixInput, readMeasuredEntries, readSideRow } from '../inputs.js';
import { checkTableOut, warnSpreadsheetIds } from '../outputs.js';
import { DEFAULT_PROBES, DEFAULT_REPLAY_SEED } from '../../replay/defaults.js';
import { itemAt } from '../../util/checked.js';

/** Options of `forgetscope replay`, as commander parses them. */
interface ReplayFlags extends ReadFlags, ReplayGroupFlags, ReplayPolicyFlags {
  trainRows?: string;
  observed?: string;
  seed: string;
  caps?: string;
  out?: string;
  onlineSteps?: string;
  probes: string;
  backend: string;
  json?: boolean;
  force?: boolean;
}

/**
 * `forgetscope replay <input> --train-rows … --observed FILE [--replay-method lowrank] [--policy NAME]
 * [--temperature T] --n-fine-tune N [--ratio 0.03125] [--seed 0] [--exclude FILE] --out FILE [--json] [--force]`:
 * completes the new task's row from its measured entries with a completion method, turns it into
 * replay weights with a replay policy (default `stratified`, `DEFAULT_REPLAY_POLICY`; `--temperature T`
 * alone: the paper's `softmax(score / T)`; excluded examples 0) and draws `int(n · ratio) + 1` examples.
 * Writes `example, score, weight, selected` for every example (Parquet, Arrow, CSV or .npy by
 * extension). With `--online-steps S` it prints the online schedule (uniform steps, probes) instead.
 */
export const replayCommand: CommandModule = {
  register(program: Command, ctx: CliContext) {
    const cmd = addCommand(
      program,
      'replay',
      'Plan replay for a new task: complete its row from measured entries, weight, draw.',
      ['<input>', 'forgetting matrix of the train tasks (file or dataset folder)'],
    );
    addRowOptions(cmd, { train: 'train rows: ranges and commas (0-45,50) or task ids; default all rows' }).option(
      '--observed <file>',
      'measured forgetting of the new task: a table with columns example, value',
    );
    addReplayPolicyOptions(addReplayOptions(cmd, { methodAlias: true }))
      .option('--seed <s>', 'seed of the completion, the draw and the shuffle', String(DEFAULT_REPLAY_SEED))
      .option('--caps <list>', 'per-source caps on replayed examples, e.g. man=5,python=3 (examples need a source)')
      .option('--out <file>', 'weights file: .parquet, .arrow, .csv, .tsv or .npy')
      .option('--online-steps <S>', 'print the online plan for S fine-tuning steps (uniform steps, probes) instead')
      .option('--probes <k>', 'examples to measure in the online plan', String(DEFAULT_PROBES));
    addBackendOption(cmd);
    addReadOptions(cmd.option('--json', 'print one JSON object on stdout').option('--force', 'overwrite --out')).action(
      async (input: string, flags: ReplayFlags, command: Command) => {
        const settings = replaySettingsFromFlags(flags, command);
        const given = (flag: string): boolean =>
          command.getOptionValueSource(flag) === 'cli' || command.getOptionValueSource(flag) === 'env';
        const resolved = replayPolicyFromFlags(flags.policy, settings.temperature, given('temperature'), {
          ...(given('autoSupport') ? { autoSupport: settings.autoSupport } : {}),
          ...(given('factorRank') ? { factorRank: parsePositiveInt(flags.factorRank, '--factor-rank') } : {}),
          side: flags.sideScores !== undefined,
        });
        for (const m of resolved.ignored) ctx.warn(m);
        await runReplay(input, flags, { ...settings, ...resolved, temperatureGiven: given('temperature') }, ctx);
      },
    );
  },
};

async function runReplay(
  input: string,
  flags: ReplayFlags,
  settings: ReplaySettings & { policy: string; temperatureGiven: boolean },
  ctx: CliContext,
): Promise<void> {
  const json = flags.json === true;
  const seed = parseInteger(flags.seed, '--seed');
  if (flags.onlineSteps === undefined && flags.out !== undefined)
    await checkTableOut(ctx, flags.out, flags.force === true);
  const { matrix, report } = await readMatrixInput(
    input,
    { ...readOptionsFromFlags(flags), progress: ctx.progress(json) },
    ctx.warn,
  );
  const train =
    flags.trainRows === undefined ? matrix : matrix.selectRows(parseRowList(flags.trainRows, matrix, '--train-rows'));
  const exclude = settings.exclude === undefined ? undefined : (await readExclusion(settings.exclude, train)).mask;

  if (flags.onlineSteps !== undefined) {
    const totalSteps = parsePositiveInt(flags.onlineSteps, '--online-steps');
    const probeCount = checkCountAtMost(
      parsePositiveInt(flags.probes, '--probes'),
      '--probes',
      train.cols,
      'examples of the matrix',
    );
    const schedule = onlineReplaySchedule({
      totalSteps,
      examples: train.cols,
      probes: probeCount,
      seed,
      ...(exclude ? { exclude } : {}),
    });
    const probes = Array.from(schedule.probeColumns, (j) => itemAt(train.exampleIds, j, 'probe column'));
    if (json) ctx.printJson({ ...schedule, probes, seed, tasks: train.rows, examples: train.cols });
    else {
      ctx.out(
        `uniform replay for steps 0..${schedule.uniformUntilStep - 1}; measure ${probes.length} examples at step ${schedule.measureAtStep}; predicted replay from step ${schedule.predictedFromStep} to ${totalSteps - 1}\n`,
      );
      ctx.out(`probes: ${probes.join(' ')}\n`);
    }
    return;
  }

  if (flags.observed === undefined)
    throw new ForgetscopeError('usage', 'replay needs --observed FILE (columns example, value)');
  if (settings.nFineTune === undefined)
    throw new ForgetscopeError(
      'usage',
      "replay needs --n-fine-tune (alias --n: the number of the new task's fine-tuning examples)",
    );
  if (flags.out === undefined) throw new ForgetscopeError('usage', 'replay needs --out FILE');
  checkReplayBudget(settings.nFineTune, settings.ratio, train.cols);
  const factorRank = parsePositiveInt(flags.factorRank, '--factor-rank');
  const caps =
    flags.caps !== undefined
      ? { caps: parseCaps(flags.caps, '--caps', exampleSources(train)), sources: exampleSources(train) }
      : {};
  const known = await readMeasuredEntries(flags.observed, train, {}, ctx.warn);
  const side = flags.sideScores === undefined ? undefined : await readSideRow(flags.sideScores, train);
  if (exclude) {
    for (const j of known.columns)
      if (exclude[j]) ctx.warn(`example ${train.exampleIds[j]} is both measured and excluded; it keeps weight 0`);
  }
  const completion = createCompletionMethod(settings.method);
  const backend = await backendFromFlag(flags.backend, ctx, train);
  let plan;
  try {
    plan = await planOfflineReplay({
      train,
      known,
      completion,
      fitOptions: { seed, backend, progress: ctx.progress(json) },
      nFineTune: settings.nFineTune,
      ratio: settings.ratio,
      ...(settings.temperatureGiven ? { temperature: settings.temperature } : {}),
      autoSupport: settings.autoSupport,
      seed,
      method: settings.method,
      policy: settings.policy,
      factorRank,
      ...(side ? { side } : {}),
      ...(exclude ? { exclude } : {}),
      ...caps,
    });
  } finally {
    await backend.dispose();
  }
  warnSpreadsheetIds(ctx, flags.out, train.exampleIds);
  await writeTable(flags.out, replayPlanTable(plan), { force: flags.force === true });
  if (!json) {
    ctx.out(
      `replay ${plan.replayN} of ${train.cols} examples (policy ${plan.policy}, T = ${plan.temperature}, method ${plan.method}, ${known.columns.length} measured) → ${flags.out}\n`,
    );
    return;
  }
  ctx.printJson({
    replayN: plan.replayN,
    temperature: plan.temperature,
    temperatureRule: replayPolicy(settings.policy).reads?.includes('autoTemperature') ? 'auto' : 'fixed',
    policy: plan.policy,
    method: plan.method,
    ratio: plan.ratio,
    n: settings.nFineTune,
    seed,
    tasks: train.rows,
    examples: train.cols,
    observed: known.columns.length,
    excluded: exclude ? exclude.reduce((s, x) => s + x, 0) : 0,
    out: flags.out,
    read: report,
    selected: Array.from(plan.selected, (j) => itemAt(plan.exampleIds, j, 'selected example')),
    ...backendJson(backend),
  });
}

/** The `source` of every example, for `--caps`. */
function exampleSources(train: ForgettingMatrix): string[] {
  return train.exampleIds.map((id, j) => {
    const s = train.exampleMeta[j]?.['source'];
    if (s === undefined || s === null)
      throw new ForgetscopeError('usage', `--caps needs a source for every example; example "${id}" has none`);
    return String(s);
  });
}
