import { ForgetscopeError } from '../../util/errors.js';
import { DEFAULT_AUTO_SUPPORT, DEFAULT_FACTOR_RANK, DEFAULT_REPLAY_POLICY, DEFAULT_TEMPERATURE } from '../defaults.js';
import { replayPolicy } from './registry.js';
import type { PolicyOption, ReplayPolicy } from './types.js';

/** The plan options as the caller gave them: undefined = not given (the policy's default applies). */
export interface PolicyOptionsGiven {
  /** A fixed softmax temperature, or `'auto'` (the temperature set from `autoSupport`). */
  temperature?: number | 'auto';
  autoSupport?: number;
  factorRank?: number;
  /** True when the caller gave a side row (`--side-scores`, `side`). */
  side?: boolean;
  /** How the options are named in messages (the CLI passes its flags); default: the option keys. */
  labels?: Partial<Record<Exclude<PolicyOption, 'autoTemperature'>, string>>;
}

/** A policy with its option values filled in, and the given options it does not read. */
export interface ResolvedPolicy {
  policy: ReplayPolicy;
  /** Fixed temperature for the policy context (the default 0.1 where none applies or `'auto'` was given). */
  temperature: number;
  /** `'auto'` when the policy sets its temperature from `autoSupport`, `'fixed'` otherwise (JSON `temperatureRule`). */
  temperatureRule: 'auto' | 'fixed';
  autoSupport: number;
  factorRank: number;
  /** Given options the policy does not read, one sentence each (the CLI prints them as warnings). */
  ignored: string[];
}

/**
 * The one rule that turns a policy name (or none) and the given plan options into a policy, used by
 * every entry point (`planOfflineReplay`, `planReplayFromScores`, the `replay` and `report` commands,
 * and through them the Python harness).
 *
 * - No name: a given numeric temperature means the paper's `softmax`, `'auto'` the `auto` policy;
 *   with neither, `DEFAULT_REPLAY_POLICY` (`topk`).
 * - A name: that policy; `temperature: 'auto'` turns `softmax` into `auto`.
 * - A temperature the policy does not read is an error (a usage ForgetscopeError): it would change
 *   nothing, and the caller most likely meant softmax. Other given options it does not read
 *   (auto support, factor rank, side row) are listed in `ignored` — the plan is the same with or
 *   without them.
 * @example
 * resolvePolicy().policy.name;                          // 'stratified'
 * resolvePolicy(undefined, { temperature: 0.1 }).policy.name; // 'softmax'
 * resolvePolicy('topk', { temperature: 0.1 });          // throws: topk does not read a temperature
 */
export function resolvePolicy(name?: string | ReplayPolicy, given: PolicyOptionsGiven = {}): ResolvedPolicy {
  const t = given.temperature;
  let policy: ReplayPolicy;
  if (name === undefined)
    policy = replayPolicy(t === undefined ? DEFAULT_REPLAY_POLICY : t === 'auto' ? 'auto' : 'softmax');
  else policy = typeof name === 'string' ? replayPolicy(name) : name;
  if (t === 'auto' && policy.name === 'softmax') policy = replayPolicy('auto');
  const reads = policy.reads;
  const ignored: string[] = [];
  const label = (key: Exclude<PolicyOption, 'autoTemperature'>): string => given.labels?.[key] ?? key;
  if (reads !== undefined) {
    if (typeof t === 'number' && !reads.includes('temperature')) {
      throw new ForgetscopeError(
        'usage',
        `${label('temperature')} ${t} applies to the softmax and oracle policies, not to "${policy.name}" (${describeReads(policy)}); drop it, or choose --policy softmax`,
      );
    }
    if (t === 'auto' && !reads.includes('autoTemperature')) {
      throw new ForgetscopeError(
        'usage',
        `${label('temperature')} auto applies to the auto and optimistic policies, not to "${policy.name}" (${describeReads(policy)})`,
      );
    }
    const other: [Exclude<PolicyOption, 'temperature' | 'autoTemperature'>, boolean][] = [
      ['autoSupport', given.autoSupport !== undefined],
      ['factorRank', given.factorRank !== undefined],
      ['side', given.side === true],
    ];
    for (const [key, isGiven] of other) {
      if (isGiven && !reads.includes(key))
        ignored.push(`${label(key)} is ignored by the "${policy.name}" policy (${describeReads(policy)})`);
    }
  }
  return {
    policy,
    temperature: typeof t === 'number' ? t : DEFAULT_TEMPERATURE,
    temperatureRule: reads?.includes('autoTemperature') ? 'auto' : 'fixed',
    autoSupport: given.autoSupport ?? DEFAULT_AUTO_SUPPORT,
    factorRank: given.factorRank ?? DEFAULT_FACTOR_RANK,
    ignored,
  };
}

/** "it reads: temperature" / "it reads no option", for messages. */
function describeReads(policy: ReplayPolicy): string {
  const r = (policy.reads ?? []).filter((x) => x !== 'autoTemperature');
  return r.length === 0 ? 'it reads no option' : `it reads: ${r.join(', ')}`;
}
