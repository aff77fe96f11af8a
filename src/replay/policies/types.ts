import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { KnownEntries } from '../../completion/types.js';

/** What a replay policy may read about the new task and the upstream examples (length N each). */
export interface PolicyInput {
  /** The row: measured forgetting where observed, else the prediction (or the true row, for `oracle`). */
  scores: Float64Array;
  /** 1 = never replay (held-out evaluation examples): weight 0. */
  exclude?: Uint8Array;
  /** 1 where `scores` holds a measured value. */
  measured?: Uint8Array;
  /** Lower / upper bound of the prediction interval (e.g. lowrank's ± one standard deviation). */
  lower?: Float64Array;
  upper?: Float64Array;
  /** One side row per example: base NLL (`surprise`) or a gradient score (`gradient`). */
  side?: Float64Array;
  /** Example factors, N × rank row-major (e.g. V·S of the train rows' SVD), for `coverage`. */
  factors?: { rank: number; data: Float64Array };
  /** The train rows (for `neighbour`). */
  train?: ForgettingMatrix;
  /** The measured entries of the new task (for `neighbour`). */
  known?: KnownEntries;
}

/** The size of the draw and the knobs shared by every policy. */
export interface PolicyContext {
  /** Number of examples to draw (`replayCount(n, ratio)`). */
  replayN: number;
  /** Softmax temperature of `softmax` and `oracle`. */
  temperature: number;
  /** Effective support (auto, optimistic) or pool size (topk, stratified) in replay budgets. */
  autoSupport: number;
  /** The plan's seed, for a policy that draws its own set (stratified, blocks); default 0. */
  seed?: number;
}

/**
 * A policy's weights: `weights` sums to 1 over the examples that may be replayed. The draw samples
 * `replayN` examples without replacement with probabilities ∝ exp(`logits`); a policy that chooses a
 * set itself (greedy coverage) gives `chosen` instead, which is only shuffled.
 */
export interface PolicyWeights {
  weights: Float64Array;
  logits?: Float64Array;
  chosen?: Int32Array;
  /**
   * With per-source caps, draw from `weights` under the caps instead of refusing them: for a chosen set
   * whose weights are its inclusion probabilities (stratified, blocks), so the capped draw keeps each
   * example's chance where no cap binds and gives up only the stratification.
   */
  capsDrawFromWeights?: boolean;
  /** The temperature used (Infinity for uniform weights over a set). */
  temperature: number;
  /** The scores the policy ranked by, when they differ from the input row (side row, neighbour row …). */
  scores?: Float64Array;
}

/** What a policy needs beyond the row, for documentation and input checks. */
export type PolicyNeed = 'scores' | 'measured-row' | 'intervals' | 'side' | 'factors' | 'train' | 'known';

/**
 * A plan option a policy reads: `temperature` (a fixed softmax temperature), `autoTemperature` (it sets
 * its temperature from `autoSupport`; `temperature: 'auto'` names it), `autoSupport` (support or pool
 * size in replay budgets), `factorRank` (rank of the example factors), `side` (a side row).
 */
export type PolicyOption = 'temperature' | 'autoTemperature' | 'autoSupport' | 'factorRank' | 'side';

/** A replay policy: from a row (and what `needs` lists) to replay weights; the draw is seeded by the plan. */
export interface ReplayPolicy {
  readonly name: string;
  /** One line: what it does and where it comes from. */
  readonly description: string;
  readonly needs: readonly PolicyNeed[];
  /**
   * The plan options it reads (`resolvePolicy` refuses a temperature it does not read and reports the
   * other options it ignores). A policy without this list is not checked.
   */
  readonly reads?: readonly PolicyOption[];
  /**
   * True when its weights — which examples may be replayed and how likely — change with the budget
   * `replayN`, not only the number drawn (topk's pool, the auto temperature, a chosen set, stratified,
   * blocks); false for the fixed weights of softmax, oracle and uniform. Optional for policies of
   * one's own; every built-in declares it.
   */
  readonly budgetDependent?: boolean;
  /** Where its side row comes from when none is given: `base-nll` = the train matrix's `nllBefore`. */
  readonly sideDefault?: 'base-nll';
  weigh(input: PolicyInput, ctx: PolicyContext): PolicyWeights;
}
