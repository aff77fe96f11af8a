import { weightedSampleKeys } from '../linalg/random.js';
import { itemAt } from '../util/checked.js';
import { ForgetscopeError } from '../util/errors.js';
import { createReplayRandom } from './random.js';
import type { ReplayRandom } from './random.js';
import { topKIndices } from './topK.js';

/** Options of `sampleWithoutReplacement`. */
export interface SampleOptions {
  /** Seed of the draw and of the final shuffle. Default 0. */
  seed?: number;
  /** Per-example source (domain) label, needed with `caps`. */
  sources?: readonly string[];
  /** At most this many selected examples per source; sources not listed are uncapped. */
  caps?: Readonly<Record<string, number>>;
  /** Keep the draw order (most likely first) instead of shuffling. Default false. */
  keepDrawOrder?: boolean;
}

/**
 * Draws `k` distinct indices with probabilities proportional to `exp(logWeights)` by successive
 * sampling without replacement (draw one, remove it, renormalise, repeat) — computed in one pass with
 * exponential keys (Efraimidis–Spirakis, in log form: key = log w − log E, E ~ Exp(1)) and a top-k
 * selection, O(N) expected, then shuffled with the same seed. Examples with log-weight −Infinity (weight
 * 0: excluded) are never drawn. With per-source `caps`, a source that has reached its cap is removed
 * from the draw (the sequential process continues over the other sources).
 * @example
 * sampleWithoutReplacement(replayLogits(scores), replayCount(n), { seed: 0 });
 */
export function sampleWithoutReplacement(logWeights: Float64Array, k: number, options: SampleOptions = {}): Int32Array {
  const rng = createReplayRandom(options.seed ?? 0);
  if (!Number.isSafeInteger(k) || k < 0)
    throw new ForgetscopeError('usage', `replay count must be a non-negative integer, got ${k}`);
  const n = logWeights.length;
  let selectable = 0;
  for (let j = 0; j < n; j++) {
    const lw = itemAt(logWeights, j);
    if (Number.isNaN(lw) || lw === Infinity) throw new ForgetscopeError('input', `log-weight of example ${j} is ${lw}`);
    if (lw !== -Infinity) selectable++;
  }
  const keys = weightedSampleKeys(logWeights, () => rng.nextOpen());
  if (k > selectable) {
    throw new ForgetscopeError(
      'usage',
      `cannot replay ${k} examples: only ${selectable} of ${n} examples may be replayed (the rest are excluded)`,
    );
  }
  const caps = options.caps;
  const picked =
    caps === undefined
      ? topKIndices(keys, k, rng)
      : cappedTopK(keys, k, selectable, { caps, sources: options.sources }, rng);
  if (!options.keepDrawOrder) shuffleInPlace(picked, rng);
  return picked;
}

/** Walks candidates in key order, skipping sources at their cap; widens the candidate set as needed. */
function cappedTopK(
  keys: Float64Array,
  k: number,
  selectable: number,
  { caps, sources }: Pick<SampleOptions, 'sources'> & { caps: Readonly<Record<string, number>> },
  rng: ReplayRandom,
): Int32Array {
  if (sources === undefined || sources.length !== keys.length) {
    throw new ForgetscopeError('usage', 'per-source caps need a source label for every example');
  }
  for (const [src, cap] of Object.entries(caps)) {
    if (!Number.isSafeInteger(cap) || cap < 0)
      throw new ForgetscopeError('usage', `cap of source "${src}" must be a non-negative integer, got ${cap}`);
  }
  let m = Math.min(selectable, Math.max(k, 1) * 2);
  for (;;) {
    const candidates = topKIndices(keys, m, rng);
    const taken = new Map<string, number>();
    const out = new Int32Array(k);
    let c = 0;
    for (const j of candidates) {
      if (c === k) break;
      const src = itemAt(sources, j, 'example');
      const cap = caps[src];
      const have = taken.get(src) ?? 0;
      if (cap !== undefined && have >= cap) continue;
      taken.set(src, have + 1);
      out[c++] = j;
    }
    if (c === k) return out;
    if (m === selectable) {
      throw new ForgetscopeError('usage', `cannot replay ${k} examples within the per-source caps (only ${c} fit)`);
    }
    m = Math.min(selectable, m * 2);
  }
}

/** Seeded Fisher–Yates shuffle. */
export function shuffleInPlace(a: Int32Array, rng: ReplayRandom): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = itemAt(a, i);
    a[i] = itemAt(a, j);
    a[j] = t;
  }
}
