import { itemAt } from '../../util/checked.js';
import { ForgetscopeError } from '../../util/errors.js';
import { replayLogits, softmaxWeights } from '../softmax.js';
import { autoTemperature } from '../autoTemperature.js';
import { createReplayRandom } from '../random.js';
import { topKIndices } from '../topK.js';
import type { PolicyContext, PolicyInput, PolicyWeights, ReplayPolicy } from './types.js';

/** Number of examples that may be replayed. */
function liveCount(n: number, exclude?: Uint8Array): number {
  let live = 0;
  for (let j = 0; j < n; j++) if (!exclude?.[j]) live++;
  return live;
}

/** Uniform weights over `set` (logits 0 there, −Infinity elsewhere). */
export function uniformOver(set: ArrayLike<number>, n: number): { weights: Float64Array; logits: Float64Array } {
  const weights = new Float64Array(n);
  const logits = new Float64Array(n).fill(-Infinity);
  for (let t = 0; t < set.length; t++) {
    const j = itemAt(set, t);
    weights[j] = 1 / set.length;
    logits[j] = 0;
  }
  return { weights, logits };
}

/**
 * The `m` highest-scoring examples that are not excluded (descending; ties broken by a fixed-seed
 * selection, so the same input always gives the same set). Scores must be finite where not excluded.
 */
export function topScoring(scores: ArrayLike<number>, m: number, exclude?: Uint8Array): Int32Array {
  const keys = new Float64Array(scores.length);
  for (let j = 0; j < scores.length; j++) {
    keys[j] = exclude?.[j] ? -Infinity : finiteScore(scores, j);
  }
  return topKIndices(keys, m, createReplayRandom(0));
}

function softmaxOf(scores: Float64Array, temperature: number, exclude?: Uint8Array): PolicyWeights {
  return {
    weights: softmaxWeights(scores, temperature, exclude),
    logits: replayLogits(scores, temperature, exclude),
    temperature,
  };
}

function autoOf(scores: Float64Array, ctx: PolicyContext, exclude?: Uint8Array): PolicyWeights {
  const live = liveCount(scores.length, exclude);
  const t = autoTemperature(scores, Math.min(live, ctx.autoSupport * ctx.replayN), exclude);
  return softmaxOf(scores, t, exclude);
}

function topOf(scores: Float64Array, m: number, exclude?: Uint8Array): PolicyWeights {
  const live = liveCount(scores.length, exclude);
  const set = topScoring(scores, Math.min(live, Math.max(1, Math.round(m))), exclude);
  return { ...uniformOver(set, scores.length), temperature: Infinity };
}

function need<T>(value: T | undefined, policy: string, what: string): T {
  if (value === undefined) throw new ForgetscopeError('usage', `replay policy "${policy}" needs ${what}`);
  return value;
}

/** `softmax`: the paper's weights softmax(score / T) (T = 0.1 by default). Needs: the row. */
export const softmaxPolicy: ReplayPolicy = {
  name: 'softmax',
  reads: ['temperature'],
  budgetDependent: false,
  description: "the paper's softmax(score / T), T = --temperature (0.1)",
  needs: ['scores'],
  weigh: (input, ctx) => softmaxOf(input.scores, ctx.temperature, input.exclude),
};

/**
 * `auto`: softmax(score / T) at the temperature whose effective support (exp of the weights' entropy)
 * is `autoSupport` replay budgets — spreads the draw over the most-forgotten examples whatever the
 * scale of the row. Needs: the row.
 */
export const autoPolicy: ReplayPolicy = {
  name: 'auto',
  reads: ['autoTemperature', 'autoSupport'],
  budgetDependent: true,
  description: 'softmax at the temperature whose effective support is --auto-support replay budgets',
  needs: ['scores'],
  weigh: (input, ctx) => autoOf(input.scores, ctx, input.exclude),
};

/** `topk`: uniform over the `autoSupport · replayN` highest scores (a hard cut instead of a softmax). Needs: the row. */
export const topkPolicy: ReplayPolicy = {
  name: 'topk',
  reads: ['autoSupport'],
  budgetDependent: true,
  description: 'uniform over the --auto-support replay budgets with the highest scores',
  needs: ['scores'],
  weigh: (input, ctx) => topOf(input.scores, ctx.autoSupport * ctx.replayN, input.exclude),
};

/** `uniform`: every example that is not excluded equally likely (random replay, the usual baseline). Needs: nothing. */
export const uniformPolicy: ReplayPolicy = {
  name: 'uniform',
  reads: [],
  budgetDependent: false,
  description: 'uniform random replay over the examples that are not excluded',
  needs: [],
  weigh(input) {
    const set: number[] = [];
    for (let j = 0; j < input.scores.length; j++) if (!input.exclude?.[j]) set.push(j);
    if (set.length === 0) throw new ForgetscopeError('empty', 'every example is excluded: nothing left to replay');
    return { ...uniformOver(set, input.scores.length), temperature: Infinity };
  },
};

/**
 * `oracle`: softmax(true row / T) — for experiments, where the whole row has been measured. Needs: a
 * measured value for every example that is not excluded.
 */
export const oraclePolicy: ReplayPolicy = {
  name: 'oracle',
  reads: ['temperature'],
  budgetDependent: false,
  description: 'softmax(true row / T): needs every non-excluded example measured (experiments)',
  needs: ['measured-row'],
  weigh(input, ctx) {
    const measured = need(input.measured, 'oracle', 'the measured row');
    for (let j = 0; j < input.scores.length; j++) {
      if (!input.exclude?.[j] && !measured[j])
        throw new ForgetscopeError('usage', `replay policy "oracle" needs every example measured; example ${j} is not`);
    }
    return softmaxOf(input.scores, ctx.temperature, input.exclude);
  },
};

/**
 * `surprise`: the replay budget on the examples with the highest base-model NLL (SuRe, surprise-driven
 * replay, arXiv 2511.22367). Needs: the side row = NLL of each example under the base model.
 */
export const surprisePolicy: ReplayPolicy = sideTopPolicy(
  'surprise',
  'the examples with the highest base NLL (SuRe); side row = base NLL',
  'a side row of base-model NLL per example (--side-scores, or nll_before in the dataset)',
  'base-nll',
);

/**
 * `gradient`: the replay budget on the examples whose gradient conflicts most with the task's (the
 * gradient-inner-product baseline of Jin & Ren's released code). Needs: the side row = first-order
 * forgetting estimate −⟨g_task, g_j⟩ (larger = forgotten more), e.g. from projected per-example gradients.
 */
export const gradientPolicy: ReplayPolicy = sideTopPolicy(
  'gradient',
  'the examples with the largest first-order forgetting −<g_task, g_j>; side row = that score',
  'a side row of gradient scores −<g_task, g_j> per example (--side-scores)',
);

/** A policy that puts the replay budget on the highest values of the side row (surprise, gradient). */
function sideTopPolicy(name: string, description: string, what: string, sideDefault?: 'base-nll'): ReplayPolicy {
  return {
    name,
    description,
    needs: ['side'],
    reads: ['side'],
    budgetDependent: true,
    ...(sideDefault ? { sideDefault } : {}),
    weigh(input, ctx) {
      const side = need(input.side, name, what);
      return { ...topOf(side, ctx.replayN, input.exclude), scores: side };
    },
  };
}

/**
 * `neighbour`: the forgetting row of the train task closest to the new one on the measured examples
 * (smallest mean squared difference), measured values kept, then its top replay budget. Needs: train
 * rows and the measured entries.
 */
export const neighbourPolicy: ReplayPolicy = {
  name: 'neighbour',
  reads: [],
  budgetDependent: true,
  description: "the most similar train task's forgetting row (on the measured examples), top budget",
  needs: ['train', 'known'],
  weigh(input, ctx) {
    const train = need(input.train, 'neighbour', 'the train rows');
    const known = need(input.known, 'neighbour', 'measured entries of the new task');
    const row = nearestTrainRow(train, known);
    const scores = Float64Array.from(train.row(row));
    for (const [t, j] of known.columns.entries()) scores[j] = itemAt(known.values, t, 'measured value');
    return { ...topOf(scores, ctx.replayN, input.exclude), scores };
  },
};

/** Index of the train row with the smallest mean squared difference to `known` (observed cells only; ties → first). */
export function nearestTrainRow(
  train: PolicyInput['train'] & object,
  known: NonNullable<PolicyInput['known']>,
): number {
  if (known.values.length !== known.columns.length)
    throw new ForgetscopeError(
      'shape',
      `${known.columns.length} measured columns but ${known.values.length} measured values`,
    );
  let best = -1;
  let bestErr = Infinity;
  for (let i = 0; i < train.rows; i++) {
    let err = 0;
    let count = 0;
    for (const [t, j] of known.columns.entries()) {
      if (!train.isObserved(i, j)) continue;
      const d = train.get(i, j) - itemAt(known.values, t, 'measured value');
      err += d * d;
      count++;
    }
    if (count > 0 && err / count < bestErr) {
      bestErr = err / count;
      best = i;
    }
  }
  if (best < 0) throw new ForgetscopeError('input', 'no train row is observed on any measured example');
  return best;
}

/**
 * `optimistic`: uncertainty-aware — ranks by the upper end of the prediction interval (measured
 * entries keep their value), then softmax at the `auto` temperature: an example that may be badly
 * forgotten is replayed even when its point prediction is modest. Needs: the row and its intervals.
 */
export const optimisticPolicy: ReplayPolicy = {
  name: 'optimistic',
  reads: ['autoTemperature', 'autoSupport'],
  budgetDependent: true,
  description: 'softmax (auto temperature) of the upper end of the prediction interval',
  needs: ['scores', 'intervals'],
  weigh(input, ctx) {
    const upper = need(
      input.upper,
      'optimistic',
      'prediction intervals (a completion method that gives them, e.g. lowrank)',
    );
    const s = Float64Array.from(input.scores);
    for (let j = 0; j < s.length; j++)
      if (!input.measured?.[j]) s[j] = Math.max(itemAt(s, j), itemAt(upper, j, 'example'));
    return { ...autoOf(s, ctx, input.exclude), scores: s };
  },
};

/**
 * `coverage`: greedy facility location — picks the replay set that best covers the predicted forgetting
 * of every upstream example (excluded ones included: replaying a close neighbour protects them), where
 * example j covers i by max(0, cosine of their factors). Spreads the budget over groups of correlated
 * examples instead of piling it on the top of one group. Lazy greedy (the gain is submodular). Needs:
 * the row and the example factors (`exampleFactors` of the train rows).
 */
export const coveragePolicy: ReplayPolicy = {
  name: 'coverage',
  reads: ['factorRank'],
  budgetDependent: true,
  description: 'greedy facility location over the example factors, weighted by the row',
  needs: ['scores', 'factors'],
  weigh(input, ctx) {
    const factors = need(input.factors, 'coverage', 'example factors (from the train rows)');
    const chosen = facilityLocation(input.scores, factors, ctx.replayN, input.exclude);
    return { ...uniformOver(chosen, input.scores.length), chosen, temperature: Infinity };
  },
};

/** The factor rows scaled to unit length (rows of norm below 1e-12 divided by 1e-12), N × rank row-major. */
function unitRows(factors: { rank: number; data: Float64Array }, n: number): Float64Array {
  const r = factors.rank;
  if (factors.data.length !== n * r)
    throw new ForgetscopeError('shape', `factors have ${factors.data.length / r} rows, the row has ${n} examples`);
  const e = new Float64Array(n * r);
  for (let j = 0; j < n; j++) {
    let norm = 0;
    const row = factors.data.subarray(j * r, j * r + r);
    for (const x of row) norm += x ** 2;
    norm = Math.max(Math.sqrt(norm), 1e-12);
    for (const [c, x] of row.entries()) e[j * r + c] = x / norm;
  }
  return e;
}

/** Score i, an input error unless it is finite. */
function finiteScore(scores: ArrayLike<number>, i: number): number {
  const s = scores[i];
  if (s === undefined || !Number.isFinite(s))
    throw new ForgetscopeError('input', `score of example ${i} is ${s}`, { column: 'score' });
  return s;
}

/** The first index of the largest finite bound (−1 when every bound is −Infinity). */
function largestBound(bound: Float64Array): number {
  let j = -1;
  let best = -Infinity;
  for (let c = 0; c < bound.length; c++) {
    const b = itemAt(bound, c);
    if (b > -Infinity && (j < 0 || b > best)) {
      j = c;
      best = b;
    }
  }
  return j;
}

/**
 * Greedy facility location: `count` examples (not excluded) maximising Σ_i p_i · max_{j chosen} sim(i, j),
 * p = max(score, 0), sim = max(0, cosine of the factor rows). Returned in pick order.
 */
export function facilityLocation(
  scores: ArrayLike<number>,
  factors: { rank: number; data: Float64Array },
  count: number,
  exclude?: Uint8Array,
): Int32Array {
  const n = scores.length;
  const r = factors.rank;
  const e = unitRows(factors, n);
  const p = Float64Array.from({ length: n }, (_, i) => Math.max(finiteScore(scores, i), 0));
  const cover = new Float64Array(n);
  const sim = (i: number, j: number): number => {
    let d = 0;
    for (let c = 0; c < r; c++) d += itemAt(e, i * r + c) * itemAt(e, j * r + c);
    return d > 0 ? d : 0;
  };
  const gainOf = (j: number): number => {
    let g = 0;
    for (let i = 0; i < n; i++) {
      const pi = itemAt(p, i);
      if (pi === 0) continue;
      const d = sim(i, j) - itemAt(cover, i);
      if (d > 0) g += pi * d;
    }
    return g;
  };
  const bound = new Float64Array(n).fill(-Infinity);
  let live = 0;
  for (let j = 0; j < n; j++) {
    if (exclude?.[j]) continue;
    bound[j] = gainOf(j);
    live++;
  }
  if (count > live)
    throw new ForgetscopeError('usage', `cannot replay ${count} examples: only ${live} may be replayed`);
  const fresh = new Int32Array(n); // round at which bound[j] was computed
  const out = new Int32Array(count);
  for (let round = 0; round < count; round++) {
    for (;;) {
      // count ≤ live: some example still has a finite bound, so j ≥ 0
      const j = largestBound(bound);
      if (fresh[j] === round) {
        out[round] = j;
        bound[j] = -Infinity;
        for (let i = 0; i < n; i++) {
          const s = sim(i, j);
          if (s > itemAt(cover, i)) cover[i] = s;
        }
        break;
      }
      bound[j] = gainOf(j);
      fresh[j] = round;
    }
  }
  return out;
}
