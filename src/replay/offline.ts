import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import type { CompletionMethod, FitOptions, KnownEntries } from '../completion/types.js';
import { ForgetscopeError } from '../util/errors.js';
import { replayLogits, softmaxWeights } from './softmax.js';
import { replayCount, DEFAULT_REPLAY_RATIO } from './replayCount.js';
import { sampleWithoutReplacement } from './sample.js';
import { autoTemperature } from './autoTemperature.js';
import type { ReplayPlan } from './types.js';

/** How many to replay and how to draw them: shared by every plan builder. */
export interface ReplayDrawOptions {
  /** Number of the new task's fine-tuning examples (n, not N). */
  nFineTune: number;
  /** Replay ratio; default 1/32 (the paper's OLMo setting; 1/8 for instruction-tuned models). */
  ratio?: number;
  /**
   * Softmax temperature; default 0.1 (the paper's). `'auto'`: the temperature at which the weights'
   * effective support is `autoSupport` replay budgets (see `autoTemperature`).
   */
  temperature?: number | 'auto';
  /** With `temperature: 'auto'`: effective support in multiples of the replay count; default 4. */
  autoSupport?: number;
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
 * weights `softmax(score / T)` with exclusions at 0, `int(n · ratio) + 1` examples drawn without
 * replacement and shuffled.
 * @example
 * planReplayFromScores(predictedRow, exampleIds, { nFineTune: 1000 }); // 32 selected examples
 */
export function planReplayFromScores(
  scores: Float64Array,
  exampleIds: readonly string[],
  options: ReplayDrawOptions,
): ReplayPlan {
  if (exampleIds.length !== scores.length) {
    throw new ForgetscopeError('shape', `${scores.length} scores but ${exampleIds.length} example ids`);
  }
  const ratio = options.ratio ?? DEFAULT_REPLAY_RATIO;
  const seed = options.seed ?? 0;
  const replayN = replayCount(options.nFineTune, ratio);
  let temperature: number;
  if (options.temperature === 'auto') {
    let live = 0;
    for (let j = 0; j < scores.length; j++) if (!options.exclude?.[j]) live++;
    temperature = autoTemperature(scores, Math.min(live, (options.autoSupport ?? 4) * replayN), options.exclude);
  } else {
    temperature = options.temperature ?? 0.1;
  }
  const weights = softmaxWeights(scores, temperature, options.exclude);
  const logits = replayLogits(scores, temperature, options.exclude);
  const drawOptions: Parameters<typeof sampleWithoutReplacement>[2] = { seed };
  if (options.sources !== undefined) drawOptions.sources = options.sources;
  if (options.caps !== undefined) drawOptions.caps = options.caps;
  const selected = sampleWithoutReplacement(logits, replayN, drawOptions);
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
  };
  if (options.exclude !== undefined) plan.excluded = options.exclude;
  return plan;
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
  let method = input.method;
  if (input.predicted !== undefined) {
    prediction = input.predicted;
    method ??= 'given';
  } else {
    if (input.completion === undefined) throw new ForgetscopeError('usage', 'planOfflineReplay needs a completion method or a predicted row');
    if (input.known === undefined) throw new ForgetscopeError('usage', 'planOfflineReplay needs the measured entries of the new task');
    const fitted = await input.completion.fit(input.train, input.fitOptions);
    const row = await fitted.predictRow(input.known, { seed: input.seed ?? 0 });
    prediction = row.prediction;
    method ??= input.completion.name;
  }
  if (prediction.length !== n) throw new ForgetscopeError('shape', `predicted row has ${prediction.length} entries, the train rows have ${n} columns`);
  const scores = Float64Array.from(prediction);
  const measured = new Uint8Array(n);
  if (input.known !== undefined) {
    const { columns, values } = input.known;
    for (let t = 0; t < columns.length; t++) {
      const j = columns[t]!;
      if (!(j >= 0 && j < n)) throw new ForgetscopeError('input', `measured column ${j} is outside 0..${n - 1}`);
      scores[j] = values[t]!;
      measured[j] = 1;
    }
  }
  const plan = planReplayFromScores(scores, input.train.exampleIds, { ...input, method });
  plan.measured = measured;
  return plan;
}
