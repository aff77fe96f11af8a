/**
 * A small seeded generator for the replay layer: xoshiro128** seeded through splitmix32.
 * Hand-written because replay sampling needs millions of uniform doubles per plan from a plain integer
 * seed, in every JS runtime, without BigInt overhead; bit-compatibility with numpy is not needed here
 * (the completion protocol has its own numpy-compatible PCG64).
 */

/** A seeded source of uniform numbers. */
export interface ReplayRandom {
  /** A uniform double in the open interval (0, 1) — never exactly 0, so `Math.log` is always finite. */
  nextOpen(): number;
  /** A uniform integer in [0, n). */
  nextInt(n: number): number;
}

/**
 * Creates a generator from an integer seed (any safe integer; the same seed gives the same stream).
 * @example
 * const r = createReplayRandom(0); r.nextOpen(); // 0 < x < 1
 */
export function createReplayRandom(seed: number): ReplayRandom {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  // splitmix32 over the low and high 32-bit halves of the seed fills the 128-bit state.
  let sm = (seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) >>> 0, 0x9e3779b9);
  const splitmix = (): number => {
    sm = (sm + 0x9e3779b9) | 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = splitmix();
  let s1 = splitmix();
  let s2 = splitmix();
  let s3 = splitmix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const next32 = (): number => {
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
  const nextOpen = (): number => {
    // 53 random bits, shifted by half an ulp so the value is never 0 or 1.
    const hi = next32() >>> 5; // 27 bits
    const lo = next32() >>> 6; // 26 bits
    return (hi * 67108864 + lo + 0.5) / 9007199254740992;
  };
  return {
    nextOpen,
    nextInt(n: number): number {
      return Math.min(n - 1, Math.floor(nextOpen() * n));
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
