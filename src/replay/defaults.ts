/**
 * The replay defaults in one home. The library (softmax, offline and online plans), the I-LoRA dual
 * memory, the `forgetscope replay` CLI and the Python harness (`python/forgetscope/defaults.json`,
 * checked equal by `test/replay/defaults.test.ts`) all read these values.
 */

/** The paper's softmax temperature of `softmax(score / T)`. */
export const DEFAULT_TEMPERATURE = 0.1;

/** The paper's default replay ratio for base models (OLMo): one replayed example per 32 fine-tuning examples. */
export const DEFAULT_REPLAY_RATIO = 1 / 32;

/** Fraction of fine-tuning steps with uniform replay before the online plan measures its probes. */
export const DEFAULT_UNIFORM_FRACTION = 0.1;

/** Number of upstream examples measured on the new task (the paper's 30 probes). */
export const DEFAULT_PROBES = 30;

/** Effective support, in replay budgets, of the `auto` and `optimistic` policies and the pool of `topk`. */
export const DEFAULT_AUTO_SUPPORT = 4;

/** Rank of the example factors (from the train rows) that the `coverage` policy compares examples by. */
export const DEFAULT_FACTOR_RANK = 5;

/** Seed of a plan's completion, draw and shuffle when none is given. */
export const DEFAULT_REPLAY_SEED = 0;

/**
 * The replay policy of every entry point when neither a policy nor a temperature is given
 * (`resolvePolicy`: the library's plans, `forgetscope replay`, `report`, `demo`, the Python harness):
 * the one the closed-loop benchmark (`python -m forgetscope.bench_replay`, docs/replay.md) found most
 * robust across its three models and two replay ratios (best mean and worst-case share of the best
 * true-row policy's gain). A temperature alone selects the paper's `softmax`.
 */
export const DEFAULT_REPLAY_POLICY = 'stratified';

/** All of the above, keyed as in `python/forgetscope/defaults.json`. */
export const REPLAY_DEFAULTS = {
  temperature: DEFAULT_TEMPERATURE,
  replayRatio: DEFAULT_REPLAY_RATIO,
  uniformFraction: DEFAULT_UNIFORM_FRACTION,
  probes: DEFAULT_PROBES,
  autoSupport: DEFAULT_AUTO_SUPPORT,
  factorRank: DEFAULT_FACTOR_RANK,
  seed: DEFAULT_REPLAY_SEED,
  policy: DEFAULT_REPLAY_POLICY,
} as const;
