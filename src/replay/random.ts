import { openUniform, splitmix32, xoshiro128ss } from '../linalg/random.js';

/**
 * The replay layer's seeded generator: the library's xoshiro128** (`linalg/random.ts`), its state
 * filled by splitmix32 from both 32-bit halves of an integer seed. Bit-compatibility with numpy is not
 * needed here (the completion protocol has its own numpy-compatible PCG64).
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
  const splitmix = splitmix32((seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) >>> 0, 0x9e3779b9));
  let s0 = splitmix();
  const s1 = splitmix();
  const s2 = splitmix();
  const s3 = splitmix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const next32 = xoshiro128ss(s0, s1, s2, s3);
  const nextOpen = (): number => openUniform(next32);
  return {
    nextOpen,
    nextInt(n: number): number {
      return Math.min(n - 1, Math.floor(nextOpen() * n));
    },
  };
}
