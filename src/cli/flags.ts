/**
 * Flag parsing for every command, with one error style: a usage error (exit 2) saying
 * `--flag must be <what>, got "<text>"`. Parsers take the text and the flag name and are used in actions
 * or, through `parser`, as commander argument parsers. Option groups (`addBackendOption`,
 * `addReadOptions`, `addRowOptions`, `addReplayOptions`) register a family of flags in one call and come
 * with the function that turns the parsed flags into library options; a new shared flag belongs in
 * one of these groups (or a new small group function here), not in a command file.
 */
import type { Command } from 'commander';
import type { CommandModule } from './commands/types.js';
import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import type { InputFormat, ReadOptions } from '../io/types.js';
import type { Backend, BackendDescription } from '../linalg/types.js';
import type { BackendKind, ProblemShape } from '../linalg/selectBackend.js';
import { resolveNodeBackend } from '../linalg/node.js';
import { completionMethods, OPT_IN_METHODS, withFitOptions } from '../completion/registry.js';
import type { CompletionMethod } from '../completion/types.js';
import { checkSideName } from '../io/dataset/sideMatrix.js';
import {
  DEFAULT_AUTO_SUPPORT,
  DEFAULT_FACTOR_RANK,
  DEFAULT_REPLAY_POLICY,
  DEFAULT_REPLAY_RATIO,
  DEFAULT_TEMPERATURE,
} from '../replay/defaults.js';
import { REPLAY_POLICY_NAMES } from '../replay/policies/registry.js';
import { resolvePolicy } from '../replay/policies/resolve.js';
import { ForgetscopeError } from '../util/errors.js';
import type { CliContext } from './context.js';

/** The one usage error of a bad flag value. */
export function badFlag(flag: string, what: string, text: string): ForgetscopeError {
  return new ForgetscopeError('usage', `${flag} must be ${what}, got "${text}"`);
}

/** An integer (negative allowed). */
export function parseInteger(text: string, flag: string): number {
  const v = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || !Number.isSafeInteger(v)) throw badFlag(flag, 'an integer', text);
  return v;
}

/** A non-negative integer (seeds, fixed ranks). */
export function parseNonNegativeInt(text: string, flag: string): number {
  const v = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(v)) throw badFlag(flag, 'a non-negative integer', text);
  return v;
}

/** A positive integer (counts). */
export function parsePositiveInt(text: string, flag: string): number {
  const v = parseNonNegativeInt(text, flag);
  if (v < 1) throw badFlag(flag, 'a positive integer', text);
  return v;
}

/**
 * Checks a count flag against the data: `value` must lie in `1..max`, where `max` is what the data
 * allows (`of` says what that is, e.g. "examples of the matrix"). A usage error naming the flag and the
 * range otherwise.
 * @example checkCountAtMost(40, '--known', 30, 'examples of the matrix'); // throws "--known must be in 1..30 (the examples of the matrix), got 40"
 */
export function checkCountAtMost(value: number, flag: string, max: number, of: string): number {
  if (!(value >= 1 && value <= max)) {
    throw new ForgetscopeError(
      'usage',
      max < 1 ? `${flag}: there are no ${of}` : `${flag} must be in 1..${max} (the ${of}), got ${value}`,
    );
  }
  return value;
}

/**
 * Checks that the replay budget `int(n · ratio) + 1` fits the examples there are to replay (a usage
 * error naming --n-fine-tune and --ratio otherwise), before any completion is fitted.
 */
export function checkReplayBudget(nFineTune: number, ratio: number, examples: number): void {
  const replayN = Math.trunc(nFineTune * ratio) + 1;
  if (replayN > examples) {
    throw new ForgetscopeError(
      'usage',
      `--n-fine-tune ${nFineTune} with --ratio ${ratio} asks for ${replayN} replayed examples (int(n·ratio) + 1), but the matrix has ${examples} examples; lower --n-fine-tune or --ratio`,
    );
  }
}

/** A finite number. */
export function parseNumber(text: string, flag: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw badFlag(flag, 'a number', text);
  return v;
}

/** A finite number > 0. */
export function parsePositiveNumber(text: string, flag: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0) throw badFlag(flag, 'a positive number', text);
  return v;
}

/** A number in [lo, hi] (or (lo, hi] with `openLow`). */
export function parseNumberIn(text: string, flag: string, lo: number, hi: number, openLow = false): number {
  const v = parseNumber(text, flag);
  if (!(openLow ? v > lo : v >= lo) || !(v <= hi)) throw badFlag(flag, `in ${openLow ? '(' : '['}${lo}, ${hi}]`, text);
  return v;
}

/** One of a fixed set of words. */
export function parseChoice<T extends string>(text: string, flag: string, choices: readonly T[]): T {
  if (!choices.includes(text as T))
    throw badFlag(flag, `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`, text);
  return text as T;
}

/** A softmax temperature: a positive number or `auto`. */
export function parseTemperature(text: string, flag = '--temperature'): number | 'auto' {
  return text.trim() === 'auto' ? 'auto' : parsePositiveNumber(text, flag);
}

/** `parser(parsePositiveInt, '--top')`: a parser as commander's option argument parser. */
export function parser<T>(parse: (text: string, flag: string) => T, flag: string): (text: string) => T {
  return (text) => parse(text, flag);
}

/** The parts of a comma-separated list, trimmed, empty parts dropped. */
function listParts(spec: string): string[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A list with at least one entry (what the list parsers return: an empty list is a usage error). */
export type NonEmpty<T> = [T, ...T[]];

/** The items without repeats, first occurrences kept; a usage error with `message` when there are none. */
function distinctNonEmpty<T>(items: readonly T[], message: string): NonEmpty<T> {
  const [first, ...rest] = new Set(items);
  if (first === undefined) throw new ForgetscopeError('usage', message);
  return [first, ...rest];
}

/** `0-9,12`: non-negative integers and inclusive ranges, in order, repeats removed (seeds). */
export function parseIntList(spec: string, flag: string): NonEmpty<number> {
  const out: number[] = [];
  for (const part of listParts(spec)) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (a > b) throw new ForgetscopeError('usage', `${flag}: empty range ${part}`);
      if (b - a > 100000) throw new ForgetscopeError('usage', `${flag}: range ${part} is too long`);
      for (let i = a; i <= b; i++) out.push(i);
    } else if (/^\d+$/.test(part) && Number.isSafeInteger(Number(part))) {
      out.push(Number(part));
    } else {
      throw new ForgetscopeError('usage', `${flag}: "${part}" is not a non-negative integer or a range a-b`);
    }
  }
  return distinctNonEmpty(out, `${flag} is empty`);
}

/** `5,10,30`: positive integers, in the order given. */
export function parsePositiveIntList(spec: string, flag: string): number[] {
  const parts = listParts(spec);
  if (parts.length === 0) throw new ForgetscopeError('usage', `${flag} is empty`);
  return parts.map((p) => parsePositiveInt(p, flag));
}

/**
 * `0-45,50` (inclusive ranges and single indices) or task ids, comma-separated, in the order given
 * (repeats removed). A numeric token that is also a task id means that task.
 */
export function parseRowList(spec: string, matrix: ForgettingMatrix, flag: string): NonEmpty<number> {
  const rows: number[] = [];
  const ids = new Map(matrix.taskIds.map((t, i) => [t, i]));
  for (const part of listParts(spec)) {
    const byId = ids.get(part);
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (byId !== undefined) {
      rows.push(byId);
    } else if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (a > b || b >= matrix.rows)
        throw new ForgetscopeError('usage', `${flag}: range ${part} is outside 0-${matrix.rows - 1}`);
      for (let i = a; i <= b; i++) rows.push(i);
    } else if (/^\d+$/.test(part)) {
      const i = Number(part);
      if (i >= matrix.rows) throw new ForgetscopeError('usage', `${flag}: row ${i} is outside 0-${matrix.rows - 1}`);
      rows.push(i);
    } else {
      throw new ForgetscopeError('usage', `${flag}: "${part}" is neither a row index, a range (a-b) nor a task id`);
    }
  }
  return distinctNonEmpty(rows, `${flag} selects no rows`);
}

/** Comma-separated registered completion method names (all registered when absent). */
export function parseMethodList(spec: string | undefined, flag = '--methods'): string[] {
  // without a list: every registered method except the opt-in ones (so the default output is unchanged)
  const names =
    spec === undefined ? Object.keys(completionMethods).filter((m) => !OPT_IN_METHODS.includes(m)) : listParts(spec);
  if (names.length === 0) throw new ForgetscopeError('usage', `${flag} is empty`);
  for (const name of names) checkMethod(name, flag);
  return [...new Set(names)];
}

/** A registered completion method name. */
export function checkMethod(name: string, flag = '--method'): string {
  if (!completionMethods[name]) {
    throw new ForgetscopeError(
      'usage',
      `${flag}: unknown method "${name}"; available: ${Object.keys(completionMethods).join(', ')}`,
    );
  }
  return name;
}

/** `man=5,python=3`: per-source caps. */
export function parseCaps(spec: string, flag = '--caps', sources?: readonly string[]): Record<string, number> {
  const caps: Record<string, number> = Object.create(null) as Record<string, number>;
  const known = sources ? new Set(sources) : null;
  for (const part of spec.split(',').filter((s) => s.trim() !== '')) {
    const m = /^\s*(.+?)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m) throw new ForgetscopeError('usage', `${flag}: "${part}" is not SOURCE=COUNT`);
    const [, source = '', digits] = m;
    const count = Number(digits);
    if (!Number.isSafeInteger(count)) throw new ForgetscopeError('usage', `${flag}: count of "${source}" is too large`);
    if (known && !known.has(source)) {
      const list = [...known].sort();
      throw new ForgetscopeError(
        'usage',
        `${flag}: no example has source "${source}"; the sources are ${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''}`,
      );
    }
    if (source in caps) throw new ForgetscopeError('usage', `${flag} names source "${source}" twice`);
    caps[source] = count;
  }
  if (Object.keys(caps).length === 0) throw new ForgetscopeError('usage', `${flag} is empty`);
  return caps;
}

/**
 * The value of a flag that also has another name (`--n` for `--n-fine-tune`): the one given on the
 * command line (the canonical name's default when neither is), a usage error when both are given with
 * different values.
 */
export function aliased<T>(
  cmd: Command,
  flags: Record<string, unknown>,
  key: string,
  aliasKey: string,
  names: [string, string],
): T | undefined {
  const given = (k: string) => flags[k] !== undefined && cmd.getOptionValueSource(k) !== 'default';
  if (given(key) && given(aliasKey) && String(flags[key]) !== String(flags[aliasKey])) {
    throw new ForgetscopeError('usage', `${names[0]} and its alias ${names[1]} disagree; give one`);
  }
  return (given(aliasKey) && !given(key) ? flags[aliasKey] : flags[key]) as T | undefined;
}

// ---------------------------------------------------------------------------------------------------
// Option groups

const BACKENDS: readonly BackendKind[] = ['auto', 'cpu', 'webgpu'];

/** `--backend <kind>` (auto, cpu or webgpu). */
export function addBackendOption(
  cmd: Command,
  fallback: BackendKind = 'auto',
  description = 'numerical backend: auto, cpu or webgpu',
): Command {
  return cmd.option('--backend <kind>', description, fallback);
}

/**
 * The `--backend` choice as a linalg backend, through the one resolution (`resolveNodeBackend`). A
 * fallback (e.g. WebGPU unavailable → cpu) is always reported on stderr. `problem` — the matrix ahead
 * (rows × cols) or its multiply–adds — lets `auto` keep small work on the cpu without starting a GPU.
 */
export async function backendFromFlag(
  kind: string | undefined,
  ctx: CliContext,
  problem?: number | ProblemShape,
): Promise<Backend> {
  const requested = parseChoice(kind ?? 'auto', '--backend', BACKENDS);
  return resolveNodeBackend({
    requested,
    warn: ctx.warn,
    ...(typeof problem === 'number' ? { problemSize: problem } : problem !== undefined ? { problem } : {}),
  });
}

/** `{ backendDescription }` for a command's --json output: what ran, read after the work (see `BackendDescription`). */
export function backendJson(backend: Backend): { backendDescription: BackendDescription } {
  return { backendDescription: backend.description };
}

/** Flags of the matrix reader (`addReadOptions`). */
export interface ReadFlags {
  format?: string;
  duplicates?: string;
  dtype?: string;
  nanAsMissing?: boolean;
  taskIds?: string;
  exampleIds?: string;
  examples?: string;
  delimiter?: string;
  taskColumn?: string;
  exampleColumn?: string;
  deltaColumn?: string;
  nllBeforeColumn?: string;
  nllAfterColumn?: string;
}

const FORMATS: readonly InputFormat[] = ['csv', 'tsv', 'jsonl', 'arrow', 'arrow-stream', 'parquet', 'npy', 'folder'];

/** The reader's flags, for every command that reads a forgetting matrix. */
export function addReadOptions(cmd: Command): Command {
  return cmd
    .option('--format <format>', `force the input format (${FORMATS.join(', ')})`)
    .option('--duplicates <policy>', 'repeated (task, example) pairs: error, mean or last', 'error')
    .option('--dtype <dtype>', 'matrix storage: float64 or float32', 'float64')
    .option('--nan-as-missing', 'treat NaN values as missing entries instead of an error')
    .option('--task-ids <file>', 'task ids of a dense .npy, one per line')
    .option('--example-ids <file>', 'example ids of a dense .npy, one per line')
    .option(
      '--examples <file>',
      'example metadata to merge in: JSON Lines, one object per example with id (and source, text, …)',
    )
    .option('--delimiter <char>', 'field delimiter of delimited text (\\t for tab)')
    .option('--task-column <name>', 'task id column (default task)')
    .option('--example-column <name>', 'example id column (default example)')
    .option('--delta-column <name>', 'Z column (default delta)')
    .option('--nll-before-column <name>', 'NLL-before column (default nll_before)')
    .option('--nll-after-column <name>', 'NLL-after column (default nll_after)');
}

/** Turns the reader's flags into `ReadOptions`. */
export function readOptionsFromFlags(flags: ReadFlags): ReadOptions {
  const options: ReadOptions = {};
  if (flags.format !== undefined) options.format = parseChoice(flags.format, '--format', FORMATS);
  if (flags.duplicates !== undefined)
    options.duplicates = parseChoice(flags.duplicates, '--duplicates', ['error', 'mean', 'last'] as const);
  if (flags.dtype !== undefined) options.dtype = parseChoice(flags.dtype, '--dtype', ['float64', 'float32'] as const);
  if (flags.nanAsMissing) options.nanAsMissing = true;
  if (flags.taskIds !== undefined) options.taskIds = flags.taskIds;
  if (flags.exampleIds !== undefined) options.exampleIds = flags.exampleIds;
  if (flags.examples !== undefined) options.examples = flags.examples;
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
 * `--side <names>` (evaluate, predict): side matrices read from `side/<name>.npy` of the input folder
 * (M×N, aligned with Z.npy, every task's row) or the numeric columns `<name>` of a long table; with
 * `sideRow`, also `--side-row` (predict: the row holding the new task's side values).
 */
export function addSideOptions(cmd: Command, setup: { sideRow?: boolean } = {}): Command {
  cmd.option(
    '--side <names>',
    'side matrices to use, comma-separated: side/<name>.npy of the input folder (M×N, aligned with Z.npy) or numeric columns of a long table',
  );
  cmd.option(
    '--no-example-effects',
    "lowrank: no correction along the examples' covariates (source groups, text character classes, base NLL)",
  );
  if (setup.sideRow) {
    cmd.option(
      '--side-row <row>',
      "with --side: the input's row (index or task id) holding the new task's side values (default: the one row not in --train-rows)",
    );
  }
  return cmd;
}

/** Parses `--side`: distinct valid side matrix names (usage error otherwise); undefined → []. */
export function parseSideList(spec: string | undefined, flag = '--side'): string[] {
  if (spec === undefined) return [];
  const names = listParts(spec);
  if (names.length === 0) throw new ForgetscopeError('usage', `${flag} is empty`);
  for (const name of names) checkSideName(name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new ForgetscopeError('usage', `${flag} names "${dup}" twice`);
  return names;
}

/** `--train-rows` (and `--test-rows` unless `train` only). */
export function addRowOptions(cmd: Command, text: { train: string; test?: string }): Command {
  cmd.option('--train-rows <rows>', text.train);
  return text.test === undefined ? cmd : cmd.option('--test-rows <rows>', text.test);
}

/** Flags of the replay group (`addReplayOptions`). */
export interface ReplayFlags {
  nFineTune?: number | string;
  n?: string;
  ratio?: number | string;
  temperature?: string;
  autoSupport: string;
  replayMethod?: string;
  method?: string;
  exclude?: string;
}

/** What `addReplayOptions` registers besides the common flags. */
export interface ReplayOptionSetup {
  /** Default fine-tuning size (none: required where the command needs it). */
  nFineTune?: number;
  /** The command's older name of `--replay-method` (replay: `--method`). */
  methodAlias?: boolean;
}

/**
 * The replay plan's flags: fine-tuning size (`--n-fine-tune`, alias `--n`), `--ratio`,
 * `--temperature` (number or auto) with `--auto-support`, `--replay-method`, `--exclude`.
 */
export function addReplayOptions(cmd: Command, setup: ReplayOptionSetup = {}): Command {
  const nText = "the new task's fine-tuning examples (replay draws int(n·ratio) + 1)";
  if (setup.nFineTune !== undefined)
    cmd.option('--n-fine-tune <n>', nText, parser(parsePositiveInt, '--n-fine-tune'), setup.nFineTune);
  else cmd.option('--n-fine-tune <n>', nText);
  cmd
    .option('--n <count>', 'alias of --n-fine-tune')
    .option('--ratio <r>', 'replayed examples per fine-tuning example', String(DEFAULT_REPLAY_RATIO))
    .option(
      '--temperature <T>',
      'softmax temperature of the softmax and oracle policies (alone, it selects softmax), or "auto" (effective support of --auto-support replay budgets)',
      String(DEFAULT_TEMPERATURE),
    )
    .option(
      '--auto-support <k>',
      'with --temperature auto (policies auto, optimistic, topk, stratified): effective support (pool) in replay budgets',
      String(DEFAULT_AUTO_SUPPORT),
    )
    .option('--replay-method <name>', 'completion method behind the replay scores', 'lowrank');
  if (setup.methodAlias) cmd.option('--method <name>', 'alias of --replay-method');
  return cmd.option(
    '--exclude <file>',
    'example ids never to replay (held out): one per line, or a JSON list / {"example_ids": [...]}',
  );
}

/** The replay group's flags, parsed. */
export interface ReplaySettings {
  /** Undefined when neither --n-fine-tune nor --n was given and there is no default. */
  nFineTune: number | undefined;
  ratio: number;
  temperature: number | 'auto';
  autoSupport: number;
  method: string;
  exclude: string | undefined;
}

/** Parses the replay group (`addReplayOptions`); `cmd` tells given flags from defaults (for the aliases). */
export function replaySettingsFromFlags(flags: ReplayFlags, cmd: Command): ReplaySettings {
  const bag = flags as unknown as Record<string, unknown>;
  const n = aliased<number | string>(cmd, bag, 'nFineTune', 'n', ['--n-fine-tune', '--n']);
  return {
    nFineTune:
      n === undefined
        ? undefined
        : typeof n === 'number'
          ? n
          : parsePositiveInt(n, flags.nFineTune === undefined ? '--n' : '--n-fine-tune'),
    ratio: parseNumberIn(String(flags.ratio ?? DEFAULT_REPLAY_RATIO), '--ratio', 0, 1, true),
    temperature: parseTemperature(flags.temperature ?? String(DEFAULT_TEMPERATURE)),
    autoSupport: parsePositiveNumber(flags.autoSupport, '--auto-support'),
    method: checkMethod(
      aliased<string>(cmd, bag, 'replayMethod', 'method', ['--replay-method', '--method']) ?? 'lowrank',
      '--replay-method',
    ),
    exclude: flags.exclude,
  };
}

/** Flags of the replay-policy group (`addReplayPolicyOptions`). */
export interface ReplayPolicyFlags {
  policy?: string;
  sideScores?: string;
  factorRank: string;
}

/** `--policy NAME` alone (report): the replay policy, read with `replayPolicyFromFlags`. */
export function addPolicyOption(cmd: Command): Command {
  return cmd.option(
    '--policy <name>',
    `replay policy: ${REPLAY_POLICY_NAMES.join(', ')} (default ${DEFAULT_REPLAY_POLICY}; --temperature implies softmax)`,
  );
}

/**
 * The replay policy's flags: `--policy NAME`, `--side-scores FILE` (the per-example score row of surprise / gradient; not `--side`, which names side matrices of the input folder) and
 * `--factor-rank R` (coverage). Registered after `addReplayOptions`, whose `--temperature` they read.
 */
export function addReplayPolicyOptions(cmd: Command): Command {
  return addPolicyOption(cmd)
    .option(
      '--side-scores <file>',
      'per-example score row for the surprise / gradient policies: a table with columns example, value (default for surprise: nll_before)',
    )
    .option(
      '--factor-rank <r>',
      'coverage policy: rank of the example factors of the train rows',
      String(DEFAULT_FACTOR_RANK),
    );
}

/** The replay-policy flags given on the command line (beyond `--policy` / `--temperature`), for `replayPolicyFromFlags`. */
export interface PolicyFlagsGiven {
  autoSupport?: number;
  factorRank?: number;
  side?: boolean;
}

/**
 * The policy and temperature of `--policy` / `--temperature` by the library's one rule
 * (`resolvePolicy`): an explicit policy wins; otherwise a temperature given on the command line means
 * the paper's `softmax` (or `auto` for "auto"), and neither the default policy (`stratified`). A temperature
 * the policy does not read is a usage error; other given flags it ignores come back in `ignored`
 * (the commands print them as warnings).
 * @example
 * replayPolicyFromFlags(undefined, 0.1, true); // { policy: 'softmax', temperature: 0.1, ignored: [] }
 */
export function replayPolicyFromFlags(
  policyFlag: string | undefined,
  temperature: number | 'auto',
  temperatureGiven: boolean,
  given: PolicyFlagsGiven = {},
): { policy: string; temperature: number | 'auto'; ignored: string[] } {
  const r = resolvePolicy(policyFlag, {
    ...(temperatureGiven ? { temperature } : {}),
    ...given,
    labels: {
      temperature: '--temperature',
      autoSupport: '--auto-support',
      factorRank: '--factor-rank',
      side: '--side-scores',
    },
  });
  return { policy: r.policy.name, temperature, ignored: r.ignored };
}

// ---------------------------------------------------------------------------------------------------
// Commands

/** The `<input>` of the commands that read a forgetting matrix. */
export const MATRIX_INPUT: [string, string] = [
  '<input>',
  'a long table (csv, tsv, jsonl, arrow, parquet), a dense .npy, or a dataset folder',
];

/**
 * The command module of `name`: adds the command with its description and `[usage, description]`
 * arguments, then lets `configure` add its options and action.
 */
export function defineCommand(
  name: string,
  description: string,
  args: [string, string][],
  configure: (cmd: Command, ctx: CliContext) => void,
): CommandModule {
  return { register: (program, ctx) => configure(addCommand(program, name, description, ...args), ctx) };
}

/** Adds a command with its description and arguments (`[usage, description]` pairs). */
export function addCommand(program: Command, name: string, description: string, ...args: [string, string][]): Command {
  const cmd = program.command(name).description(description);
  for (const [usage, text] of args) cmd.argument(usage, text);
  return cmd;
}

/** The method with lowrank's example effects off when `--no-example-effects` was given (`flag` false). */
export function withEffectsFlag(method: CompletionMethod, flag: boolean | undefined): CompletionMethod {
  return flag === false ? withFitOptions(method, { exampleEffects: false }) : method;
}
