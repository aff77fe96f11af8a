import { ForgetscopeError } from '../util/errors.js';
import { createReplayRandom } from './random.js';
import { topKIndices } from './topK.js';
import { DEFAULT_PROBES, DEFAULT_REPLAY_SEED, DEFAULT_UNIFORM_FRACTION } from './defaults.js';

/** Options of `onlineReplaySchedule`. */
export interface OnlineScheduleOptions {
  /** Total fine-tuning steps. */
  totalSteps: number;
  /** Number of upstream examples N. */
  examples: number;
  /** Fraction of steps with uniform replay before measuring; default 0.1 (the paper's online variant). */
  uniformFraction?: number;
  /** How many upstream examples to measure at the switch; default 30. */
  probes?: number;
  /** Examples never replayed nor probed (held-out evaluation set): 1 = excluded. */
  exclude?: Uint8Array;
  /** Measure these columns instead of a seeded uniform draw (e.g. actively selected probes). */
  probeColumns?: Int32Array;
  /** Seed of the probe draw; default 0. */
  seed?: number;
}

/** The online replay schedule: uniform replay, a measurement, then predicted weights. */
export interface OnlineReplaySchedule {
  totalSteps: number;
  /** Steps [0, uniformUntilStep) replay uniformly. */
  uniformUntilStep: number;
  /** After step `measureAtStep − 1`, measure the probes' forgetting (NLL now − NLL of the base model). */
  measureAtStep: number;
  /** Columns to measure, ascending and distinct (the `known` entries of the completion). */
  probeColumns: Int32Array;
  /** Steps [predictedFromStep, totalSteps) replay with weights predicted from the probes. */
  predictedFromStep: number;
}

/**
 * The paper's online replay variant as a schedule: the first 10 % of steps use uniform replay; then
 * the forgetting of 30 upstream examples is measured, the row is completed, and the remaining steps
 * replay with the predicted weights. Probes are drawn uniformly without replacement from the
 * examples that are not excluded (seeded), and returned ascending.
 * @example
 * onlineReplaySchedule({ totalSteps: 1000, examples: 5000 }); // uniform 0..99, measure at 100, predicted 100..999
 */
export function onlineReplaySchedule(options: OnlineScheduleOptions): OnlineReplaySchedule {
  const { totalSteps, examples } = options;
  if (!Number.isSafeInteger(totalSteps) || totalSteps < 1)
    throw new ForgetscopeError('usage', `total steps must be a positive integer, got ${totalSteps}`);
  if (!Number.isSafeInteger(examples) || examples < 1)
    throw new ForgetscopeError('usage', `examples must be a positive integer, got ${examples}`);
  const fraction = options.uniformFraction ?? DEFAULT_UNIFORM_FRACTION;
  if (!(fraction >= 0 && fraction <= 1))
    throw new ForgetscopeError('usage', `uniform fraction must be in [0, 1], got ${fraction}`);
  const uniformUntilStep = Math.min(totalSteps, Math.ceil(totalSteps * fraction));
  let probeColumns: Int32Array;
  if (options.probeColumns !== undefined) {
    probeColumns = Int32Array.from(new Set(options.probeColumns)).sort();
    for (const j of probeColumns) {
      if (j < 0 || j >= examples)
        throw new ForgetscopeError('usage', `probe column ${j} is outside 0..${examples - 1}`);
      if (options.exclude?.[j]) throw new ForgetscopeError('usage', `probe column ${j} is excluded (held out)`);
    }
  } else {
    const probes = options.probes ?? DEFAULT_PROBES;
    const rng = createReplayRandom(options.seed ?? DEFAULT_REPLAY_SEED);
    // Uniform draw without replacement: random keys, top-k (excluded columns get −Infinity).
    const keys = new Float64Array(examples);
    let available = 0;
    for (let j = 0; j < examples; j++) {
      if (options.exclude?.[j]) keys[j] = -Infinity;
      else {
        keys[j] = rng.nextOpen();
        available++;
      }
    }
    if (probes > available)
      throw new ForgetscopeError('usage', `cannot probe ${probes} examples: only ${available} are not excluded`);
    probeColumns = topKIndices(keys, probes, rng).sort();
  }
  return {
    totalSteps,
    uniformUntilStep,
    measureAtStep: uniformUntilStep,
    probeColumns,
    predictedFromStep: uniformUntilStep,
  };
}
