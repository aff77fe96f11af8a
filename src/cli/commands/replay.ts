import type { Command } from 'commander';
import type { CommandModule } from './types.js';
import type { CliContext } from '../context.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { KnownEntries } from '../../completion/types.js';
import { ForgetscopeError } from '../../util/errors.js';
import { readForgettingMatrix } from '../../io/node/readForgettingMatrix.js';
import { writeTable } from '../../io/node/writeTable.js';
import { refuseOverwrite } from '../../io/node/atomicWrite.js';
import { readIdList } from '../../io/node/readIdList.js';
import { createCompletionMethod } from '../../completion/registry.js';
import { planOfflineReplay } from '../../replay/offline.js';
import { onlineReplaySchedule } from '../../replay/online.js';
import { DEFAULT_AUTO_SUPPORT, DEFAULT_FACTOR_RANK, DEFAULT_PROBES, DEFAULT_REPLAY_POLICY, DEFAULT_REPLAY_RATIO, DEFAULT_REPLAY_SEED, DEFAULT_TEMPERATURE } from '../../replay/defaults.js';
import { REPLAY_POLICY_NAMES, replayPolicy } from '../../replay/policies/registry.js';
import { replayPlanTable } from '../../replay/planTable.js';
import { parseRowList } from './completionArgs.js';

/** Options of `forgetscope replay`, as commander parses them. */
interface ReplayFlags {
  trainRows?: string;
  observed?: string;
  method: string;
  temperature?: string;
  policy?: string;
  side?: string;
  factorRank: string;
  autoSupport: string;
  n?: string;
  ratio: string;
  seed: string;
  exclude?: string;
  caps?: string;
  out?: string;
  onlineSteps?: string;
  probes: string;
  json?: boolean;
  force?: boolean;
}

/**
 * `forgetscope replay <input> --train-rows … --observed FILE [--method lowrank] [--temperature 0.1]
 * --n N_FINE_TUNE [--ratio 0.03125] [--seed 0] [--exclude FILE] --out FILE [--json] [--force]`:
 * completes the new task's row from its measured entries with a completion method, turns it into
 * replay weights `softmax(score / T)` (excluded examples 0) and draws `int(n · ratio) + 1` examples.
 * Writes `example, score, weight, selected` for every example (Parquet, Arrow, CSV or .npy by
 * extension). With `--online-steps S` it prints the online schedule (uniform steps, probes) instead.
 */
export const replayCommand: CommandModule = {
  register(program: Command, ctx: CliContext) {
    const cmd = program
      .command('replay')
      .description('Plan replay for a new task: complete its row from measured entries, weight, draw.')
      .argument('<input>', 'forgetting matrix of the train tasks (file or dataset folder)')
      .option('--train-rows <rows>', 'train rows: ranges and commas (0-45,50) or task ids; default all rows')
      .option('--observed <file>', 'measured forgetting of the new task: a table with columns example, value')
      .option('--method <name>', 'completion method', 'lowrank')
      .option('--temperature <T>', `softmax temperature (implies --policy softmax; default ${DEFAULT_TEMPERATURE}), or "auto" (implies --policy auto)`)
      .option('--auto-support <k>', 'policies auto, optimistic, topk: effective support (pool) in replay budgets', String(DEFAULT_AUTO_SUPPORT));
    registerPolicyOptions(cmd);
    cmd
      .option('--n <count>', "number of the new task's fine-tuning examples")
      .option('--ratio <r>', 'replayed examples per fine-tuning example', String(DEFAULT_REPLAY_RATIO))
      .option('--seed <s>', 'seed of the completion, the draw and the shuffle', String(DEFAULT_REPLAY_SEED))
      .option('--exclude <file>', 'example ids never to replay (held out), one per line')
      .option('--caps <list>', 'per-source caps on replayed examples, e.g. man=5,python=3 (examples need a source)')
      .option('--out <file>', 'weights file: .parquet, .arrow, .csv, .tsv or .npy')
      .option('--online-steps <S>', 'print the online plan for S fine-tuning steps (uniform steps, probes) instead')
      .option('--probes <k>', 'examples to measure in the online plan', String(DEFAULT_PROBES))
      .option('--json', 'print one JSON object on stdout')
      .option('--force', 'overwrite --out')
      .action(async (input: string, flags: ReplayFlags) => {
        await runReplay(input, flags, ctx);
      });
  },
};

async function runReplay(input: string, flags: ReplayFlags, ctx: CliContext): Promise<void> {
  const json = flags.json === true;
  const seed = parseInteger(flags.seed, '--seed');
  const { matrix, report } = await readForgettingMatrix(input, { progress: ctx.progress(json) });
  const train = flags.trainRows === undefined ? matrix : matrix.selectRows(parseRowList(flags.trainRows, matrix, '--train-rows'));
  const exclude = flags.exclude === undefined ? undefined : await readExclusion(flags.exclude, train);

  if (flags.onlineSteps !== undefined) {
    const totalSteps = parseInteger(flags.onlineSteps, '--online-steps');
    const schedule = onlineReplaySchedule({
      totalSteps,
      examples: train.cols,
      probes: parseInteger(flags.probes, '--probes'),
      seed,
      ...(exclude ? { exclude } : {}),
    });
    const probes = Array.from(schedule.probeColumns, (j) => train.exampleIds[j]!);
    if (json) ctx.printJson({ ...schedule, probes, seed, tasks: train.rows, examples: train.cols });
    else {
      ctx.out(`uniform replay for steps 0..${schedule.uniformUntilStep - 1}; measure ${probes.length} examples at step ${schedule.measureAtStep}; predicted replay from step ${schedule.predictedFromStep} to ${totalSteps - 1}\n`);
      ctx.out(`probes: ${probes.join(' ')}\n`);
    }
    return;
  }

  if (flags.observed === undefined) throw new ForgetscopeError('usage', 'replay needs --observed FILE (columns example, value)');
  if (flags.n === undefined) throw new ForgetscopeError('usage', "replay needs --n (the number of the new task's fine-tuning examples)");
  if (flags.out === undefined) throw new ForgetscopeError('usage', 'replay needs --out FILE');
  const nFineTune = parseInteger(flags.n, '--n');
  const { policy, temperature } = policyFromFlags(flags.policy, flags.temperature);
  const side = flags.side === undefined ? undefined : await readSide(flags.side, train);
  const ratio = parseNumber(flags.ratio, '--ratio');
  await refuseOverwrite(flags.out, flags.force === true);
  const known = await readObserved(flags.observed, train);
  if (exclude) {
    for (const j of known.columns) {
      if (exclude[j]) ctx.warn(`example ${train.exampleIds[j]} is both measured and excluded; it keeps weight 0`);
    }
  }
  const completion = createCompletionMethod(flags.method);
  const options: Parameters<typeof planOfflineReplay>[0] = {
    train,
    known,
    completion,
    fitOptions: { seed, progress: ctx.progress(json) },
    nFineTune,
    ratio,
    temperature,
    autoSupport: parseNumber(flags.autoSupport, '--auto-support'),
    seed,
    method: flags.method,
    policy,
    factorRank: parseInteger(flags.factorRank, '--factor-rank'),
  };
  if (side) options.side = side;
  if (exclude) options.exclude = exclude;
  if (flags.caps !== undefined) {
    options.caps = parseCaps(flags.caps);
    options.sources = exampleSources(train);
  }
  const plan = await planOfflineReplay(options);
  await writeTable(flags.out, replayPlanTable(plan), { force: flags.force === true });
  const selectedIds = Array.from(plan.selected, (j) => plan.exampleIds[j]!);
  if (json) {
    ctx.printJson({
      replayN: plan.replayN,
      temperature: plan.temperature,
      temperatureRule: temperature === 'auto' || policy === 'auto' || policy === 'optimistic' ? 'auto' : 'fixed',
      policy: plan.policy,
      method: plan.method,
      ratio: plan.ratio,
      n: nFineTune,
      seed,
      tasks: train.rows,
      examples: train.cols,
      observed: known.columns.length,
      excluded: exclude ? exclude.reduce((s, x) => s + x, 0) : 0,
      out: flags.out,
      read: report,
      selected: selectedIds,
    });
  } else {
    ctx.out(`replay ${plan.replayN} of ${train.cols} examples (policy ${plan.policy}, T = ${plan.temperature}, method ${plan.method}, ${known.columns.length} measured) → ${flags.out}\n`);
  }
}

/**
 * Adds `--policy NAME`, `--side FILE` and `--factor-rank R` to the replay command (one function, so a
 * restructured CLI can register them again).
 */
export function registerPolicyOptions(cmd: Command): Command {
  return cmd
    .option('--policy <name>', `replay policy: ${REPLAY_POLICY_NAMES.join(', ')} (default ${DEFAULT_REPLAY_POLICY}; --temperature implies softmax)`)
    .option('--side <file>', 'side row for the surprise / gradient policies: a table with columns example, value (default for surprise: nll_before)')
    .option('--factor-rank <r>', 'coverage policy: rank of the example factors of the train rows', String(DEFAULT_FACTOR_RANK));
}

/**
 * The policy and temperature of `--policy` / `--temperature`: an explicit policy wins; otherwise
 * `--temperature auto` means `auto`, a number means the paper's `softmax`, and neither the default
 * policy. A temperature only applies to softmax and oracle.
 * @example
 * policyFromFlags(undefined, '0.1'); // { policy: 'softmax', temperature: 0.1 }
 */
export function policyFromFlags(policyFlag: string | undefined, temperatureFlag: string | undefined): { policy: string; temperature: number | 'auto' | undefined } {
  const t = temperatureFlag === undefined ? undefined : temperatureFlag.trim() === 'auto' ? 'auto' : parseNumber(temperatureFlag, '--temperature');
  if (policyFlag === undefined) return { policy: t === undefined ? DEFAULT_REPLAY_POLICY : t === 'auto' ? 'auto' : 'softmax', temperature: t };
  const policy = replayPolicy(policyFlag).name;
  if (typeof t === 'number' && policy !== 'softmax' && policy !== 'oracle') {
    throw new ForgetscopeError('usage', `--temperature ${t} applies to the softmax and oracle policies, not to "${policy}"`);
  }
  if (t === 'auto' && policy !== 'auto' && policy !== 'softmax') throw new ForgetscopeError('usage', `--temperature auto applies to the auto policy, not to "${policy}"`);
  return { policy: t === 'auto' ? 'auto' : policy, temperature: t };
}

/** Reads a side row (`example, value`; every example of the train matrix) in any long-table format. */
async function readSide(path: string, train: ForgettingMatrix): Promise<Float64Array> {
  const { columns, values } = await readObserved(path, train);
  if (columns.length !== train.cols) throw new ForgetscopeError('input', `side row has ${columns.length} of the ${train.cols} examples; it needs a value for every example`, { file: path });
  const out = new Float64Array(train.cols);
  for (let t = 0; t < columns.length; t++) out[columns[t]!] = values[t]!;
  return out;
}

/**
 * Reads the measured entries (`example, value`) in any long-table format the IO layer reads. The IO
 * readers expect a task column, so the example column is read as both task and example: each row
 * becomes one diagonal cell, and duplicates, bad numbers and missing columns get the readers' errors
 * with file, line and column.
 */
async function readObserved(path: string, train: ForgettingMatrix): Promise<KnownEntries> {
  const { matrix } = await readForgettingMatrix(path, { columns: { task: 'example', example: 'example', delta: 'value' } });
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < matrix.rows; i++) {
    const id = matrix.taskIds[i]!;
    const j = train.findExample(id);
    if (j < 0) throw new ForgetscopeError('input', `example "${id}" is not an example of the train matrix`, { file: path, column: 'example' });
    pairs.push([j, matrix.get(i, matrix.exampleIndex(id))]);
  }
  if (pairs.length === 0) throw new ForgetscopeError('empty', 'no measured entries', { file: path });
  pairs.sort((a, b) => a[0] - b[0]);
  return { columns: Int32Array.from(pairs, (p) => p[0]), values: Float64Array.from(pairs, (p) => p[1]) };
}

async function readExclusion(path: string, train: ForgettingMatrix): Promise<Uint8Array> {
  const ids = await readIdList(path);
  const mask = new Uint8Array(train.cols);
  ids.forEach((id, k) => {
    const j = train.findExample(id);
    if (j < 0) throw new ForgetscopeError('input', `example "${id}" is not an example of the train matrix`, { file: path, line: k + 1, column: 1 });
    mask[j] = 1;
  });
  return mask;
}

function parseCaps(spec: string): Record<string, number> {
  const caps: Record<string, number> = {};
  for (const part of spec.split(',').filter((s) => s.trim() !== '')) {
    const m = /^\s*(.+?)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m) throw new ForgetscopeError('usage', `--caps: "${part}" is not SOURCE=COUNT`);
    caps[m[1]!] = Number(m[2]);
  }
  return caps;
}

function exampleSources(train: ForgettingMatrix): string[] {
  return train.exampleIds.map((id, j) => {
    const s = train.exampleMeta[j]?.['source'];
    if (s === undefined || s === null) throw new ForgetscopeError('usage', `--caps needs a source for every example; example "${id}" has none`);
    return String(s);
  });
}

function parseInteger(text: string, flag: string): number {
  const v = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || !Number.isSafeInteger(v)) throw new ForgetscopeError('usage', `${flag} must be an integer, got "${text}"`);
  return v;
}

function parseNumber(text: string, flag: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new ForgetscopeError('usage', `${flag} must be a number, got "${text}"`);
  return v;
}
