import { itemAt } from '../../util/checked.js';
import { ForgetscopeError } from '../../util/errors.js';
import { DEFAULT_REPLAY_SEED } from '../defaults.js';
import { createReplayRandom, type ReplayRandom } from '../random.js';
import { shuffleInPlace } from '../sample.js';
import { argsortDescending } from '../argsort.js';
import type { PolicyContext, PolicyInput, PolicyWeights, ReplayPolicy } from './types.js';

/**
 * A budget-aware selection: the `budget` chosen examples and each example's inclusion probability
 * (the chance that the seeded selection picks it; they sum to `budget`).
 */
export interface BudgetSelection {
  chosen: Int32Array;
  inclusion: Float64Array;
}

/** The pool by rank (0 = highest score): `ranked[r]` is an example, `sorted[r]` its score. */
interface Ranked {
  ranked: Int32Array;
  sorted: Float64Array;
}

/**
 * The examples that may be replayed, ranked by descending score; equal scores in a seeded random
 * order, so that no tied example is favoured (`tieFair` then gives tied examples one probability).
 * A non-finite score is an input error, a budget above the pool a usage error. Work O(L), plus
 * O(r log r) for each run of r equal scores.
 */
function rankedPool(scores: ArrayLike<number>, budget: number, rng: ReplayRandom, exclude?: Uint8Array): Ranked {
  if (!Number.isSafeInteger(budget) || budget < 1)
    throw new ForgetscopeError('usage', `replay count must be a positive integer, got ${budget}`);
  let count = 0;
  for (let j = 0; j < scores.length; j++) if (!exclude?.[j]) count++;
  if (budget > count)
    throw new ForgetscopeError(
      'usage',
      `cannot replay ${budget} examples: only ${count} of ${scores.length} examples may be replayed (the rest are excluded)`,
    );
  const live = new Int32Array(count);
  const keys = new Float64Array(count);
  for (let j = 0, c = 0; j < scores.length; j++) {
    if (exclude?.[j]) continue;
    const s = scores[j];
    if (s === undefined || !Number.isFinite(s))
      throw new ForgetscopeError('input', `score of example ${j} is ${s}`, { column: 'score' });
    live[c] = j;
    keys[c++] = s;
  }
  const order = argsortDescending(keys);
  const ranked = new Int32Array(count);
  const sorted = new Float64Array(count);
  for (let t = 0; t < count; t++) {
    const c = itemAt(order, t);
    ranked[t] = itemAt(live, c);
    sorted[t] = itemAt(keys, c);
  }
  // Every example draws a tie key (in index order, whether or not it ties), equal scores rank by it.
  const tie = new Float64Array(scores.length);
  for (let c = 0; c < count; c++) tie[itemAt(live, c)] = rng.nextOpen();
  for (let lo = 0; lo < count; ) {
    const hi = runEnd(sorted, lo);
    if (hi - lo > 1) ranked.subarray(lo, hi).sort((a, b) => itemAt(tie, a) - itemAt(tie, b));
    lo = hi;
  }
  return { ranked, sorted };
}

/** The end of the run of equal values that starts at `lo`. */
function runEnd(sorted: Float64Array, lo: number): number {
  let hi = lo + 1;
  while (hi < sorted.length && sorted[hi] === sorted[lo]) hi++;
  return hi;
}

/**
 * Inclusion probabilities by rank → by example, averaged over each run of equal scores: tied examples
 * are in a uniformly random order, so each is equally likely to hold any of the run's ranks.
 */
function tieFair({ ranked, sorted }: Ranked, byRank: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let lo = 0; lo < ranked.length; ) {
    const hi = runEnd(sorted, lo);
    let sum = 0;
    for (let r = lo; r < hi; r++) sum += itemAt(byRank, r);
    for (let r = lo; r < hi; r++) out[itemAt(ranked, r)] = sum / (hi - lo);
    lo = hi;
  }
  return out;
}

/**
 * Stratified selection over the predicted-forgotten region (coverage-centric selection, CCS, arXiv
 * 2210.15809, with its hard cut turned to keep the high scores). With L examples that may be replayed
 * and a budget of B:
 * - the region is the top M = min(L, max(B, round(support · B))) by score — topk's pool, so the region
 *   covers a share min(1, support · B / L) of the pool and grows with the budget;
 * - the region, in score order, is cut into B strata of consecutive ranks, stratum t holding ranks
 *   ⌊t·M/B⌋ … ⌊(t+1)·M/B⌋ − 1 (score quantiles of the region; sizes differ by at most one);
 * - one example is drawn uniformly from each stratum (seeded): every score level of the region is
 *   represented by the same share of the budget, and an example of stratum t is replayed with
 *   probability 1 / |stratum t|.
 * No top share is cut as outliers. Equal scores are ranked in a seeded random order and share one
 * inclusion probability. Work O(L) (a radix
 * sort of the scores).
 * @example
 * stratifiedSelection(scores, 3, 4, 0).chosen; // one of each 4 consecutive ranks of the top 12
 */
export function stratifiedSelection(
  scores: ArrayLike<number>,
  budget: number,
  support: number,
  seed: number,
  exclude?: Uint8Array,
): BudgetSelection {
  if (!(support > 0) || !Number.isFinite(support))
    throw new ForgetscopeError('usage', `support must be a positive number of replay budgets, got ${support}`);
  const rng = createReplayRandom(seed);
  const pool = rankedPool(scores, budget, rng, exclude);
  const ranked = pool.ranked;
  const m = Math.min(ranked.length, Math.max(budget, Math.round(support * budget)));
  const chosen = new Int32Array(budget);
  const byRank = new Float64Array(ranked.length);
  for (let t = 0; t < budget; t++) {
    const lo = Math.floor((t * m) / budget);
    const hi = Math.floor(((t + 1) * m) / budget);
    byRank.fill(1 / (hi - lo), lo, hi);
    chosen[t] = itemAt(ranked, lo + rng.nextInt(hi - lo));
  }
  return { chosen, inclusion: tieFair(pool, byRank, scores.length) };
}

/**
 * Best-of-n blocks (tournament selection): the L examples that may be replayed are split by a seeded
 * random partition into B blocks of ⌊L/B⌋ or ⌈L/B⌉ examples, and the highest-scoring example of each
 * block is replayed. Only ranks matter (no temperature, no scale). The example of rank ρ (0 = highest)
 * is replayed when none of the ρ better ones shares its block, with probability
 *   P(ρ) = Σ_sizes (count · n / L) · C(L − 1 − ρ, n − 1) / C(L − 1, n − 1)
 * (n the block size): 1 for the top example, about (1 − ρ/L)^(n − 1) further down — a soft top whose
 * reach grows with the budget (B ≪ L: the top few budgets; B = L/2: the better of each pair; B = L:
 * everything). Equal scores are ranked in a seeded random order and share one inclusion probability
 * (the mean of P over their ranks). Work O(L) (a radix sort of the scores).
 * @example
 * bestOfBlocks(scores, 3, 0).chosen; // the best of each of 3 random blocks
 */
export function bestOfBlocks(
  scores: ArrayLike<number>,
  budget: number,
  seed: number,
  exclude?: Uint8Array,
): BudgetSelection {
  const rng = createReplayRandom(seed);
  const pool = rankedPool(scores, budget, rng, exclude);
  const ranked = pool.ranked;
  const live = ranked.length;
  // Shuffled ranks; block b is a run of consecutive positions, its best = the smallest rank in it.
  const order = new Int32Array(live);
  for (let r = 0; r < live; r++) order[r] = r;
  shuffleInPlace(order, rng);
  const small = Math.floor(live / budget);
  const bigBlocks = live - small * budget; // this many blocks hold small + 1
  const chosen = new Int32Array(budget);
  let at = 0;
  for (let b = 0; b < budget; b++) {
    const size = b < bigBlocks ? small + 1 : small;
    let best = itemAt(order, at);
    for (let q = at + 1; q < at + size; q++) best = Math.min(best, itemAt(order, q));
    chosen[b] = itemAt(ranked, best);
    at += size;
  }
  const byRank = new Float64Array(live);
  const classes: [number, number][] = [
    [small + 1, bigBlocks],
    [small, budget - bigBlocks],
  ];
  for (const [n, count] of classes) {
    if (count === 0) continue;
    // f(ρ) = C(L−1−ρ, n−1) / C(L−1, n−1); f(0) = 1, f(ρ+1) = f(ρ) · (L−ρ−n) / (L−1−ρ).
    let f = 1;
    const share = (count * n) / live;
    for (let r = 0; r < live && f > 0; r++) {
      byRank[r] = itemAt(byRank, r) + share * f;
      f = r + 1 < live ? (f * Math.max(0, live - r - n)) / (live - 1 - r) : 0;
    }
  }
  return { chosen, inclusion: tieFair(pool, byRank, scores.length) };
}

/**
 * A policy's weights from a selection: inclusion probabilities / budget (they sum to 1), the chosen set
 * drawn as it is; with per-source caps, a capped draw from these weights.
 */
function weightsOf(sel: BudgetSelection, budget: number): PolicyWeights {
  const weights = Float64Array.from(sel.inclusion, (p) => p / budget);
  return { weights, chosen: sel.chosen, temperature: Infinity, capsDrawFromWeights: true };
}

/** The plan's seed (the draw's), so the same plan always selects the same set. */
const seedOf = (ctx: PolicyContext): number => ctx.seed ?? DEFAULT_REPLAY_SEED;

/**
 * `stratified`: one replayed example from each of B score strata of topk's pool (the top
 * `autoSupport` · B scores), see `stratifiedSelection`. Weights: each example's inclusion probability
 * divided by B. Needs: the row.
 */
export const stratifiedPolicy: ReplayPolicy = {
  name: 'stratified',
  reads: ['autoSupport'],
  budgetDependent: true,
  description: 'one example from each of B score strata of the top --auto-support replay budgets (CCS-style)',
  needs: ['scores'],
  weigh: (input: PolicyInput, ctx: PolicyContext) =>
    weightsOf(stratifiedSelection(input.scores, ctx.replayN, ctx.autoSupport, seedOf(ctx), input.exclude), ctx.replayN),
};

/**
 * `blocks`: best-of-n blocks — the best-scoring example of each of B seeded random blocks of the pool,
 * see `bestOfBlocks`. Weights: each example's inclusion probability divided by B. Needs: the row.
 */
export const blocksPolicy: ReplayPolicy = {
  name: 'blocks',
  reads: [],
  budgetDependent: true,
  description: 'the highest score of each of B seeded random blocks of the pool (best-of-n)',
  needs: ['scores'],
  weigh: (input: PolicyInput, ctx: PolicyContext) =>
    weightsOf(bestOfBlocks(input.scores, ctx.replayN, seedOf(ctx), input.exclude), ctx.replayN),
};
