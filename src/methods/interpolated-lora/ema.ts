// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { ForgetscopeError } from '../../util/errors.js';

/**
 * The released I-LoRA code's EMA factor at optimizer step k: min(1 − 1/(k+1), λ_max), so the slow
 * adapter is the running mean of the fast iterates until the cap is reached.
 * @example emaLambda(2, 0.99) // 0.666667
 */
export function emaLambda(step: number, lambdaMax: number): number {
  return Math.min(1 - 1 / (step + 1), lambdaMax);
}

/** One EMA step, element-wise: slow ← λ·slow + (1 − λ)·fast (A and B separately). Returns a new array. */
export function emaStep(
  slow: Float32Array | Float64Array,
  fast: Float32Array | Float64Array,
  lambda: number,
): Float32Array {
  if (slow.length !== fast.length)
    throw new ForgetscopeError('shape', `emaStep: slow has ${slow.length} entries, fast ${fast.length}`);
  const out = new Float32Array(slow.length);
  for (let i = 0; i < out.length; i++) out[i] = lambda * slow[i]! + (1 - lambda) * fast[i]!;
  return out;
}

/**
 * Replays the slow adapter from logged fast snapshots: step k = step0 + 1, step0 + 2, … uses
 * λ_k = emaLambda(k, λ_max) (step0 = 0: the first step copies the fast weights; step0 = 1 is the HF `global_step`
 * convention of the released code, whose first callback already sees k = 1).
 */
export function emaRun(
  slow0: Float32Array | Float64Array,
  fastSeq: readonly (Float32Array | Float64Array)[],
  lambdaMax: number,
  step0 = 0,
): Float32Array[] {
  const out: Float32Array[] = [];
  let slow: Float32Array | Float64Array = slow0;
  fastSeq.forEach((fast, i) => {
    slow = emaStep(slow, fast, emaLambda(step0 + i, lambdaMax));
    out.push(slow as Float32Array);
  });
  return out;
}
