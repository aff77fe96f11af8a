import { itemAt } from '../util/checked.js';
import { ForgetscopeError } from '../util/errors.js';
import { DEFAULT_TEMPERATURE } from './defaults.js';

/**
 * Replay weights `softmax(score / T)`, numerically stable (the largest logit is subtracted before
 * exponentiating). Excluded examples (`exclude[j] = 1`) get weight exactly 0 and the softmax runs over
 * the rest. Scores must be finite for every example that is not excluded.
 * @example
 * softmaxWeights(Float64Array.of(0, 0.1, 0.2, -100)); // ≈ [0.090031, 0.244728, 0.665241, 0]
 */
export function softmaxWeights(
  scores: ArrayLike<number>,
  temperature = DEFAULT_TEMPERATURE,
  exclude?: Uint8Array,
): Float64Array {
  const logits = replayLogits(scores, temperature, exclude);
  const w = new Float64Array(logits.length);
  let sum = 0;
  for (let j = 0; j < logits.length; j++) {
    const e = Math.exp(itemAt(logits, j)); // exp(-Infinity) = 0 for excluded examples
    w[j] = e;
    sum += e;
  }
  for (let j = 0; j < w.length; j++) w[j] = itemAt(w, j) / sum;
  return w;
}

/**
 * The shifted logits `score / T − max(score / T)` (≤ 0; −Infinity for excluded examples). The log of the
 * replay weights up to a constant, without underflow: the sampler ranks on these, so an example whose
 * weight underflows to 0 in `softmaxWeights` keeps its (tiny) chance and its relative order.
 */
export function replayLogits(
  scores: ArrayLike<number>,
  temperature = DEFAULT_TEMPERATURE,
  exclude?: Uint8Array,
): Float64Array {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new ForgetscopeError('usage', `temperature must be a positive finite number, got ${temperature}`);
  }
  const n = scores.length;
  if (exclude !== undefined && exclude.length !== n) {
    throw new ForgetscopeError('shape', `exclude mask has ${exclude.length} entries, scores have ${n}`);
  }
  const out = new Float64Array(n);
  let max = -Infinity;
  for (let j = 0; j < n; j++) {
    if (exclude?.[j]) {
      out[j] = -Infinity;
      continue;
    }
    const s = scores[j];
    if (s === undefined || !Number.isFinite(s)) {
      throw new ForgetscopeError(
        'input',
        `score of example ${j} is ${s}; every example that is not excluded needs a finite score`,
        {
          column: 'score',
        },
      );
    }
    const z = s / temperature;
    out[j] = z;
    if (z > max) max = z;
  }
  if (max === -Infinity) throw new ForgetscopeError('empty', 'every example is excluded: nothing left to replay');
  for (let j = 0; j < n; j++) out[j] = itemAt(out, j) - max;
  return out;
}
