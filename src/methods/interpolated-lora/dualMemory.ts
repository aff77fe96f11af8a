import { weightedSampleWithoutReplacement } from '../../linalg/random.js';
import { createReplayRandom } from '../../replay/random.js';
import { softmaxWeights } from '../../replay/softmax.js';
import { DEFAULT_TEMPERATURE } from '../../replay/defaults.js';
import { ForgetscopeError } from '../../util/errors.js';
import { itemAt } from '../../util/checked.js';

/**
 * Reservoir buffer as in the I-LoRA / ER code: the i-th item seen (from 0) goes to slot i while
 * i < cap; after that r = randInt(i) is drawn uniformly in {0…i} and the item replaces slot r if r < cap.
 * `randInt(hiInclusive)` is injected so the draws are seeded (or scripted in tests).
 */
export class ReservoirBuffer<T> {
  private readonly slots: T[] = [];
  private count = 0;

  constructor(
    readonly capacity: number,
    private readonly randInt: (hiInclusive: number) => number,
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 1))
      throw new ForgetscopeError('usage', `buffer capacity must be a positive integer, got ${capacity}`);
  }

  /** Number of items offered so far. */
  get seen(): number {
    return this.count;
  }

  /** Offers one item; returns the slot it went to, or −1 when skipped (the `buffer_log.jsonl` record). */
  add(x: T): number {
    const i = this.count++;
    if (i < this.capacity) {
      this.slots.push(x);
      return i;
    }
    const r = this.randInt(i);
    if (!(Number.isInteger(r) && r >= 0 && r <= i))
      throw new ForgetscopeError('internal', `randInt(${i}) returned ${r}`);
    if (r < this.capacity) {
      this.slots[r] = x;
      return r;
    }
    return -1;
  }

  /** A uniform draw of n distinct items (partial Fisher–Yates over the slots). */
  sample(n: number, randInt: (hiInclusive: number) => number = this.randInt): T[] {
    const idx = this.slots.map((_, i) => i);
    const k = Math.min(n, idx.length);
    for (let i = 0; i < k; i++) {
      const j = i + randInt(idx.length - 1 - i);
      [idx[i], idx[j]] = [itemAt(idx, j), itemAt(idx, i)];
    }
    return idx.slice(0, k).map((i) => itemAt(this.slots, i, 'slot'));
  }

  /** The items in slot order. */
  items(): T[] {
    return this.slots.slice();
  }
}

/**
 * Weighted sampling without replacement by Efraimidis–Spirakis keys u^(1/w): the n largest keys win
 * (returned by descending key). `u` are the uniforms (one per item) so the draw is reproducible. The
 * draw of `weightedSampleWithoutReplacement` on the log-weights (the same order: log w − log(−log u) is
 * an increasing function of u^(1/w)); items of weight 0 are never drawn.
 * @example weightedReplaySample(Float64Array.of(1, 2, 0.5, 4), 2, Float64Array.of(0.5, 0.5, 0.9, 0.2)) // [2, 1]
 */
export function weightedReplaySample(w: Float64Array, n: number, u: Float64Array): Int32Array {
  if (w.length !== u.length)
    throw new ForgetscopeError('shape', `weightedReplaySample: ${w.length} weights but ${u.length} uniforms`);
  const logWeights = Float64Array.from(w, (wi) => (wi > 0 ? Math.log(wi) : -Infinity));
  return weightedSampleWithoutReplacement(logWeights, u, n);
}

/** An item of the dual-memory buffer: an upstream example id and its forgetting score. */
export interface ScoredItem {
  id: string;
  score: number;
}

/**
 * I-LoRA's replay memory driven by forgetscope's replay weights: a reservoir (the uniform baseline)
 * holds the items, and `sample` draws from it without replacement with weights softmax(score / T)
 * (T = `temperature`), via Efraimidis–Spirakis keys from a seeded generator. `uniform: true` gives
 * the original reservoir draw.
 */
export class DualMemoryBuffer {
  private readonly reservoir: ReservoirBuffer<ScoredItem>;
  private readonly rng;

  constructor(capacity: number, options: { seed?: number; temperature?: number } = {}) {
    this.rng = createReplayRandom(options.seed ?? 0);
    this.temperature = options.temperature ?? DEFAULT_TEMPERATURE;
    this.reservoir = new ReservoirBuffer<ScoredItem>(capacity, (hi) => this.rng.nextInt(hi + 1));
  }

  /** Softmax temperature of the replay weights. */
  readonly temperature: number;

  /** Number of items offered. */
  get seen(): number {
    return this.reservoir.seen;
  }

  /** Offers an item; returns its slot or −1. */
  add(item: ScoredItem): number {
    return this.reservoir.add(item);
  }

  /** The buffered items. */
  items(): ScoredItem[] {
    return this.reservoir.items();
  }

  /** Draws n distinct buffered items, weighted by softmax(score / T) (or uniformly). */
  sample(n: number, options: { uniform?: boolean } = {}): ScoredItem[] {
    if (options.uniform) return this.reservoir.sample(n, (hi) => this.rng.nextInt(hi + 1));
    const items = this.reservoir.items();
    const w = softmaxWeights(
      items.map((x) => x.score),
      this.temperature,
    );
    const u = Float64Array.from(items, () => this.rng.nextOpen());
    return Array.from(weightedReplaySample(w, n, u), (i) => itemAt(items, i, 'item'));
  }
}
