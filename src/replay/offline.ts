import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import type { CompletionMethod, FitOptions, KnownEntries } from '../completion/types.js';
import { ForgetscopeError } from '../util/errors.js';
import { itemAt } from '../util/checked.js';
import { replayCount } from './replayCount.js';
import type { SampleOptions } from './sample.js';
import type { ReplayPlan } from './types.js';
import { DEFAULT_REPLAY_RATIO, DEFAULT_REPLAY_SEED } from './defaults.js';
import { createCpuBackend } from '../linalg/cpu/backend.js';
import { drawFromPolicy } from './policies/draw.js';
import { exampleFactorsWith } from './policies/factors.js';
import { resolvePolicy, type ResolvedPolicy } from './policies/resolve.js';
import type { PolicyInput, ReplayPolicy } from './policies/types.js';

/** How many to replay and how to draw them: shared by every plan builder. */
export interface ReplayDrawOptions {
  /** Number of the new task's fine-tuning examples (n, not N). */
  nFineTune: number;
  /** Replay ratio; default 1/32 (the paper's OLMo setting; 1/8 for instruction-tuned models). */
  ratio?: number;
  /**
   * Softmax temperature of `softmax` / `oracle` (default 0.1, the paper's). Given without `policy`, it
   * selects `softmax`; `'auto'` selects `auto` (the temperature at which the weights' effective support
   * is `autoSupport` replay budgets, see `autoTemperature`). A policy that reads no temperature refuses one.
   */
  temperature?: number | 'auto';
  /** Policies auto, optimistic, topk: effective support (pool) in multiples of the replay count; default 4. */
  autoSupport?: number;
  /**
   * Replay policy (a name of `replayPolicy` or a policy object). Default: `DEFAULT_REPLAY_POLICY`
   * (`topk`), or as `temperature` says (see `resolvePolicy`) — the same rule as the CLI.
   */
  policy?: string | ReplayPolicy;
  /** Called with each given option the policy ignores (see `resolvePolicy`); default: none. */
  onIgnored?: (message: string) => void;
  /** What the policy needs beyond the row: intervals, a side row, example factors, train rows, known entries. */
  policyInput?: Omit<PolicyInput, 'scores' | 'exclude'>;
  /** Seed of the draw and shuffle; default 0. */
  seed?: number;
  /** 1 = never replay this example (held-out evaluation examples). Length N. */
  exclude?: Uint8Array;
  /** Per-example source labels, for `caps`. */
  sources?: readonly string[];
  /** Per-source maximum number of replayed examples. */
  caps?: Readonly<Record<string, number>>;
  /** Name recorded in the plan (the completion method, "oracle", "uniform" …). */
  method?: string;
}

/**
 * A replay plan from a full row of scores (predicted or true forgetting per upstream example):
 * weights by the policy `resolvePolicy` picks (default `topk`: uniform over the highest scores) with
 * exclusions at 0, `int(n · ratio) + 1` examples drawn without replacement and shuffled.
 * @example
 * planReplayFromScores(predictedRow, exampleIds, { nFineTune: 1000 }); // 32 selected examples
 */
export function planReplayFromScores(
  scores: Float64Array,
  exampleIds: readonly string[],
  options: ReplayDrawOptions,
): ReplayPlan {
  return drawPlan(scores, exampleIds, options, resolveFrom(options));
}

/** `planReplayFromScores` with the policy already resolved. */
function drawPlan(
  scores: Float64Array,
  exampleIds: readonly string[],
  options: ReplayDrawOptions,
  resolved: ResolvedPolicy,
): ReplayPlan {
  if (exampleIds.length !== scores.length) {
    throw new ForgetscopeError('shape', `${scores.length} scores but ${exampleIds.length} example ids`);
  }
  const ratio = options.ratio ?? DEFAULT_REPLAY_RATIO;
  const seed = options.seed ?? DEFAULT_REPLAY_SEED;
  const replayN = replayCount(options.nFineTune, ratio);
  const policy = resolved.policy;
  const input: PolicyInput = { ...options.policyInput, scores };
  if (options.exclude !== undefined) input.exclude = options.exclude;
  const weighed = policy.weigh(input, {
    replayN,
    temperature: resolved.temperature,
    autoSupport: resolved.autoSupport,
    seed,
  });
  const { weights, temperature } = weighed;
  const drawOptions: SampleOptions = { seed };
  if (options.sources !== undefined) drawOptions.sources = options.sources;
  if (options.caps !== undefined) drawOptions.caps = options.caps;
  const selected = drawFromPolicy(weighed, replayN, drawOptions);
  const plan: ReplayPlan = {
    exampleIds,
    weights,
    scores,
    selected,
    temperature,
    method: options.method ?? 'scores',
    seed,
    replayN,
    ratio,
    policy: policy.name,
  };
  if (options.exclude !== undefined) plan.excluded = options.exclude;
  return plan;
}

/** `resolvePolicy` over a plan's options; ignored options go to `onIgnored`. */
function resolveFrom(options: ReplayDrawOptions & { factorRank?: number; side?: Float64Array }): ResolvedPolicy {
  const r = resolvePolicy(options.policy, {
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options.autoSupport !== undefined ? { autoSupport: options.autoSupport } : {}),
    ...(options.factorRank !== undefined ? { factorRank: options.factorRank } : {}),
    side: options.side !== undefined || options.policyInput?.side !== undefined,
  });
  for (const m of r.ignored) options.onIgnored?.(m);
  return r;
}

/** Inputs of `planOfflineReplay`: the train rows and what is known about the new task. */
export interface OfflineReplayInput extends ReplayDrawOptions {
  /** Forgetting matrix of the train tasks (fully observed rows). */
  train: ForgettingMatrix;
  /** Measured entries of the new task's row (column indices ascending). */
  known?: KnownEntries;
  /** The completion method that predicts the rest of the row (needed unless `predicted` is given). */
  completion?: CompletionMethod;
  /** Options for the method's `fit`. */
  fitOptions?: FitOptions;
  /** A predicted full row (length N) to use instead of running a method. */
  predicted?: Float64Array;
  /** Side row for `surprise` / `gradient` (length N); default for `surprise`: the train matrix's `nllBefore`. */
  side?: Float64Array;
  /** Rank of the example factors for `coverage`; default 5. */
  factorRank?: number;
}

/**
 * The paper's offline replay plan (§4): complete the new task's row from its few measured entries (or
 * take a given predicted row), score = measured value where observed else the prediction, then
 * `planReplayFromScores`.
 * @example
 * await planOfflineReplay({ train, known, completion: lowrank, nFineTune: 1000, seed: 0 });
 */
export async function planOfflineReplay(input: OfflineReplayInput): Promise<ReplayPlan> {
  const n = input.train.cols;
  let prediction: Float64Array;
  let lower: Float64Array | undefined;
  let upper: Float64Array | undefined;
  let method = input.method;
  if (input.predicted !== undefined) {
    prediction = input.predicted;
    method ??= 'given';
  } else {
    if (input.completion === undefined)
      throw new ForgetscopeError('usage', 'planOfflineReplay needs a completion method or a predicted row');
    if (input.known === undefined)
      throw new ForgetscopeError('usage', 'planOfflineReplay needs the measured entries of the new task');
    const fitted = await input.completion.fit(input.train, input.fitOptions);
    const row = await fitted.predictRow(input.known, { seed: input.seed ?? DEFAULT_REPLAY_SEED });
    prediction = row.prediction;
    if (row.lower !== undefined) lower = row.lower;
    if (row.upper !== undefined) upper = row.upper;
    method ??= input.completion.name;
  }
  if (prediction.length !== n)
    throw new ForgetscopeError(
      'shape',
      `predicted row has ${prediction.length} entries, the train rows have ${n} columns`,
    );
  const scores = Float64Array.from(prediction);
  const measured = new Uint8Array(n);
  if (input.known !== undefined) {
    const { columns, values } = input.known;
    if (values.length !== columns.length)
      throw new ForgetscopeError('shape', `${columns.length} measured columns but ${values.length} measured values`);
    for (const [t, j] of columns.entries()) {
      if (!(j >= 0 && j < n)) throw new ForgetscopeError('input', `measured column ${j} is outside 0..${n - 1}`);
      scores[j] = itemAt(values, t, 'measured value');
      measured[j] = 1;
    }
  }
  const resolved = resolveFrom(input);
  const policy = resolved.policy;
  const extra: NonNullable<ReplayDrawOptions['policyInput']> = { ...input.policyInput, measured, train: input.train };
  if (input.known !== undefined) extra.known = input.known;
  if (lower !== undefined) extra.lower = lower;
  if (upper !== undefined) extra.upper = upper;
  const side = input.side ?? (policy.sideDefault === 'base-nll' ? (input.train.nllBefore ?? undefined) : undefined);
  if (side !== undefined) {
    if (side.length !== n)
      throw new ForgetscopeError('shape', `side row has ${side.length} entries, the train rows have ${n} columns`);
    extra.side = side;
  }
  if (policy.needs.includes('factors') && extra.factors === undefined)
    extra.factors = await factorsOn(input, resolved.factorRank);
  const plan = drawPlan(scores, input.train.exampleIds, { ...input, method, policyInput: extra }, resolved);
  plan.measured = measured;
  return plan;
}

/** The train rows' example factors on the completion's backend (`fitOptions.backend`), else the CPU one. */
async function factorsOn(input: OfflineReplayInput, rank: number): Promise<{ rank: number; data: Float64Array }> {
  const given = input.fitOptions?.backend;
  const backend = given ?? createCpuBackend();
  try {
    return await exampleFactorsWith(backend, input.train, rank);
  } finally {
    if (given === undefined) await backend.dispose();
  }
}
