import { ForgetscopeError } from '../util/errors.js';
import { DEFAULT_REPLAY_RATIO } from './defaults.js';

export { DEFAULT_REPLAY_RATIO };

/**
 * Number of upstream examples to replay: `int(n · ratio) + 1`, where `n` is the number of the new task's
 * fine-tuning examples (not the number of upstream examples).
 * @example
 * replayCount(1000, 1 / 32); // 32
 */
export function replayCount(n: number, ratio: number = DEFAULT_REPLAY_RATIO): number {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new ForgetscopeError('usage', `n (fine-tuning examples) must be a non-negative integer, got ${n}`);
  if (!(ratio >= 0) || !Number.isFinite(ratio))
    throw new ForgetscopeError('usage', `ratio must be a non-negative number, got ${ratio}`);
  return Math.trunc(n * ratio) + 1;
}
