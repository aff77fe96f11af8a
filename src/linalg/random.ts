/**
 * forgetscope's one fast seeded generator: xoshiro128** on 32-bit words, its state filled by a
 * splitmix32 sequence, with 53-bit uniform doubles and Box–Muller normals. Hand-written because
 * randomized SVD and replay sampling need millions of draws from a plain integer seed, in every JS
 * runtime, without BigInt overhead. Deterministic for a given seed on every platform; not meant to
 * match numpy's streams (the completion protocol has its own numpy-exact PCG64 and MT19937).
 *
 * The consumers seed it differently (randomized SVD, replay sampling) and each keeps its own stream;
 * `seededGaussian` (starting points of the iterative fits) keeps its mulberry32 uniforms so that the
 * fits' numbers stay what they were.
 * Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
 */

/**
 * A splitmix32 sequence of uniform 32-bit unsigned integers from a 32-bit start state (used to fill
 * xoshiro's state from a small seed).
 * @example
 * const next = splitmix32(0); next(); // the same integer in [0, 2³²) on every run
 */
export function splitmix32(start: number): () => number {
  let x = start | 0;
  return () => {
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * xoshiro128** (Blackman & Vigna) from four 32-bit state words (not all zero): returns a function giving
 * uniform 32-bit unsigned integers.
 * @example
 * const next = xoshiro128ss(1, 2, 3, 4); next(); // 11520
 */
export function xoshiro128ss(s0: number, s1: number, s2: number, s3: number): () => number {
  s0 |= 0;
  s1 |= 0;
  s2 |= 0;
  s3 |= 0;
  return () => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
}

/**
 * A uniform double in the open interval (0, 1) from two 32-bit draws: 53 random bits, shifted by half an
 * ulp so the value is never 0 (so `Math.log` of it is always finite). The one draw of all ones would round
 * up to 1 and is held at the largest double below 1.
 * @example
 * openUniform(() => 0); // 2⁻⁵⁴
 */
export function openUniform(next32: () => number): number {
  const hi = next32() >>> 5; // 27 bits
  const lo = next32() >>> 6; // 26 bits
  return Math.min((hi * 67108864 + lo + 0.5) / 9007199254740992, LARGEST_BELOW_ONE);
}

const LARGEST_BELOW_ONE = 1 - 2 ** -53;

/**
 * Standard normal deviates by Box–Muller from uniform draws in (0, 1): each pair of uniforms
 * (`radial` then `angle`) gives two normals, the cosine one first.
 * @example
 * const normal = boxMuller(() => 0.5); normal(); // √(2 ln 2)·cos π = −1.1774…
 */
export function boxMuller(radial: () => number, angle: () => number = radial): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = radial();
    const v = angle();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * A seeded generator for the random test matrices of randomized SVD: xoshiro128** seeded from
 * `(seed ⊕ 0x9e3779b9)` through splitmix32, 53-bit uniforms and Box–Muller normals.
 * @example
 * const g = new SeededNormal(0); g.normal(); // the same number on every run with seed 0
 */
export class SeededNormal {
  private readonly next32: () => number;
  private readonly normalDraw: () => number;

  /** Seeds the four words from `seed` with a splitmix32 sequence. */
  constructor(seed: number) {
    const next = splitmix32((seed >>> 0) ^ 0x9e3779b9);
    const s0 = next();
    const s1 = next();
    const s2 = next();
    const s3 = next() | 1;
    this.next32 = xoshiro128ss(s0, s1, s2, s3);
    this.normalDraw = boxMuller(() => this.uniform());
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    return this.next32();
  }

  /** A uniform double in (0, 1). */
  uniform(): number {
    return openUniform(this.next32);
  }

  /** A standard normal deviate. */
  normal(): number {
    return this.normalDraw();
  }
}

/**
 * A seeded source of standard normal draws (mulberry32 uniforms + Box–Muller), used to start the
 * iterative fits (ALS) reproducibly. It only has to be deterministic given the seed.
 * @example
 * const draw = seededGaussian(7);
 * draw(); // the same number on every run with seed 7
 */
export function seededGaussian(seed: number): () => number {
  const uniform = mulberry32((seed >>> 0) ^ 0x9e3779b9);
  const nonZero = (): number => {
    let u = 0;
    while (u === 0) u = uniform();
    return u;
  };
  return boxMuller(nonZero, uniform);
}

/**
 * mulberry32 uniforms in [0, 1) with 32 bits of resolution from a 32-bit start state: the small generator
 * behind `seededGaussian`, also used for reproducible test and benchmark data.
 * @example
 * const u = mulberry32(42); u(); // the same number in [0, 1) on every run
 */
export function mulberry32(start: number): () => number {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * The Efraimidis–Spirakis keys of a weighted draw without replacement, in log form: item j gets
 * logWeights[j] − log(−log u_j) from its uniform u_j ∈ (0, 1), and the k largest keys are the draw.
 * Items with log-weight −Infinity get the key −Infinity and consume no uniform: `uniform(j)` is called
 * once per drawable item, in index order, so a generator's stream advances exactly as many steps.
 * @example
 * weightedSampleKeys(Float64Array.of(0, -Infinity), () => Math.exp(-1)); // [0, -Infinity]
 */
export function weightedSampleKeys(logWeights: Float64Array, uniform: (j: number) => number): Float64Array {
  const keys = new Float64Array(logWeights.length);
  for (let j = 0; j < logWeights.length; j++) {
    const lw = logWeights[j]!;
    keys[j] = lw === -Infinity ? -Infinity : lw - Math.log(-Math.log(uniform(j)));
  }
  return keys;
}

/**
 * Weighted sampling without replacement (Efraimidis–Spirakis, log form): item j gets the key
 * logWeights[j] − log(−log u_j) from its uniform u_j ∈ (0, 1) (`weightedSampleKeys`), and the k largest
 * keys win, returned by descending key (ties: lower index first). Equivalent to drawing k times in turn
 * with probabilities ∝ exp(logWeights) among the items not yet drawn. Items with log-weight −Infinity are
 * never drawn, so fewer than k come back when fewer are drawable. The uniforms are passed in so that any
 * seeded generator gives a reproducible draw. O(N log N).
 * @example
 * weightedSampleWithoutReplacement(Float64Array.of(0, Math.log(2), -Infinity), Float64Array.of(0.5, 0.5, 0.5), 2); // [1, 0]
 */
export function weightedSampleWithoutReplacement(
  logWeights: Float64Array,
  uniforms: Float64Array,
  k: number,
): Int32Array {
  const keys = weightedSampleKeys(logWeights, (j) => uniforms[j]!);
  const order: number[] = [];
  for (let j = 0; j < keys.length; j++) if (keys[j]! > -Infinity) order.push(j);
  order.sort((a, b) => keys[b]! - keys[a]! || a - b);
  return Int32Array.from(order.slice(0, Math.max(0, k)));
}
