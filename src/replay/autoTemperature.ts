import { itemAt } from '../util/checked.js';
import { ForgetscopeError } from '../util/errors.js';

/**
 * Effective support of `softmax(scores / T)` over the examples that are not excluded: exp of the
 * weights' entropy (1 when all weight is on one example, the number of examples when uniform).
 */
export function effectiveSupport(scores: ArrayLike<number>, temperature: number, exclude?: Uint8Array): number {
  let max = -Infinity;
  for (let j = 0; j < scores.length; j++) {
    if (exclude?.[j]) continue;
    const z = itemAt(scores, j) / temperature;
    if (z > max) max = z;
  }
  let z = 0;
  let s = 0;
  for (let j = 0; j < scores.length; j++) {
    if (exclude?.[j]) continue;
    const l = itemAt(scores, j) / temperature - max;
    const e = Math.exp(l);
    z += e;
    s += e * l;
  }
  // entropy H = log z − (Σ e·l) / z  for weights e / z with log-weights l − log z
  return Math.exp(Math.log(z) - s / z);
}

/**
 * The temperature at which the replay weights `softmax(score / T)` have an effective support of
 * `support` examples (bisection on log T; the support grows monotonically with T). Measured in the
 * closed-loop experiment (`docs/replay.md`): the paper's T = 0.1 is tuned to its forgetting scale; when a
 * model's rows spread more, T = 0.1 puts the weight on one or two examples and replay becomes a
 * near-deterministic top-k of a noisy prediction. A support of a few replay budgets (e.g.
 * `4 · replayCount(n, ratio)`) keeps the draw spread over the most-forgotten examples.
 * @example
 * autoTemperature(predictedRow, 4 * replayCount(1000, 1 / 32)); // T with exp(entropy) = 128
 */
export function autoTemperature(scores: ArrayLike<number>, support: number, exclude?: Uint8Array): number {
  let live = 0;
  let distinct = false;
  let first: number | undefined;
  for (let j = 0; j < scores.length; j++) {
    if (exclude?.[j]) continue;
    const s = scores[j];
    if (s === undefined || !Number.isFinite(s))
      throw new ForgetscopeError('input', `score of example ${j} is ${s}`, { column: 'score' });
    live++;
    if (first === undefined) first = s;
    else if (s !== first) distinct = true;
  }
  if (!(support >= 1) || support > live) {
    throw new ForgetscopeError(
      'usage',
      `effective support must be between 1 and the ${live} examples that may be replayed, got ${support}`,
    );
  }
  if (!distinct) return 1; // all scores equal: every temperature gives uniform weights
  let lo = Math.log(1e-9);
  let hi = Math.log(1e9);
  for (let it = 0; it < 200 && hi - lo > 1e-12; it++) {
    const mid = (lo + hi) / 2;
    if (effectiveSupport(scores, Math.exp(mid), exclude) < support) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}
