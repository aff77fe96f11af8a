import { ForgetscopeError } from '../../util/errors.js';
import { createReplayRandom } from '../random.js';
import { sampleWithoutReplacement, shuffleInPlace } from '../sample.js';
import type { SampleOptions } from '../sample.js';
import type { PolicyWeights } from './types.js';

/**
 * The seeded draw of a policy's weights: `replayN` examples without replacement ∝ exp(logits)
 * (Efraimidis–Spirakis, as `sampleWithoutReplacement`), or a policy's own chosen set shuffled with the seed.
 * With per-source caps, stratified and blocks draw from their weights (inclusion probabilities) under the
 * caps; coverage refuses caps.
 */
export function drawFromPolicy(w: PolicyWeights, replayN: number, options: SampleOptions): Int32Array {
  if (w.chosen !== undefined && !(options.caps !== undefined && w.capsDrawFromWeights)) {
    if (options.caps !== undefined)
      throw new ForgetscopeError(
        'usage',
        'per-source caps are not supported by the coverage policy (it chooses its own set); use --policy stratified or topk',
      );
    if (w.chosen.length !== replayN)
      throw new ForgetscopeError('shape', `policy chose ${w.chosen.length} examples, the budget is ${replayN}`);
    const out = Int32Array.from(w.chosen);
    if (!options.keepDrawOrder) shuffleInPlace(out, createReplayRandom(options.seed ?? 0));
    return out;
  }
  const logits = w.logits ?? Float64Array.from(w.weights, (x) => Math.log(x));
  return sampleWithoutReplacement(logits, replayN, options);
}
