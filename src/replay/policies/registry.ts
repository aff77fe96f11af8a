import { ForgetscopeError } from '../../util/errors.js';
import type { ReplayPolicy } from './types.js';
import {
  autoPolicy,
  coveragePolicy,
  gradientPolicy,
  neighbourPolicy,
  optimisticPolicy,
  oraclePolicy,
  softmaxPolicy,
  surprisePolicy,
  topkPolicy,
  uniformPolicy,
} from './builtin.js';
import { blocksPolicy, stratifiedPolicy } from './budget.js';

const POLICIES: readonly ReplayPolicy[] = [
  softmaxPolicy,
  autoPolicy,
  topkPolicy,
  stratifiedPolicy,
  blocksPolicy,
  coveragePolicy,
  optimisticPolicy,
  uniformPolicy,
  surprisePolicy,
  gradientPolicy,
  neighbourPolicy,
  oraclePolicy,
];

/** Names of the built-in replay policies, in documentation order. */
export const REPLAY_POLICY_NAMES: readonly string[] = POLICIES.map((p) => p.name);

/**
 * The built-in replay policy called `name` (`softmax`, `auto`, `topk`, `stratified`, `blocks`, `coverage`,
 * `optimistic`, `uniform`, `surprise`, `gradient`, `neighbour`, `oracle`).
 * @example
 * replayPolicy('auto').needs; // ['scores']
 */
export function replayPolicy(name: string): ReplayPolicy {
  const p = POLICIES.find((x) => x.name === name.trim());
  if (p === undefined)
    throw new ForgetscopeError(
      'usage',
      `unknown replay policy "${name}"; choose one of ${REPLAY_POLICY_NAMES.join(', ')}`,
    );
  return p;
}
