import { ForgetscopeError } from '../../util/errors.js';
import { itemAt } from '../../util/checked.js';

function mean(x: readonly number[]): number {
  let s = 0;
  for (const v of x) s += v;
  return x.length ? s / x.length : NaN;
}

/**
 * Δlearning (mean gain of each target task right after its own stage) and Δheld-out (mean change of
 * the held-out benchmarks; negative = forgetting). `mode` 'final' (default) uses the last stage;
 * 'meanOverStages' averages the held-out change over all stages (the paper does not say which).
 * @example learningForgetting({ base: [40], afterOwnStage: [70] }, { base: [80], perStage: [[79]] }) // {dLearning: 30, dHeldOut: -1}
 */
export function learningForgetting(
  target: { base: readonly number[]; afterOwnStage: readonly number[] },
  heldOut: { base: readonly number[]; perStage: readonly (readonly number[])[] },
  mode: 'final' | 'meanOverStages' = 'final',
): { dLearning: number; dHeldOut: number } {
  if (target.base.length !== target.afterOwnStage.length)
    throw new ForgetscopeError('shape', 'learningForgetting: target base and afterOwnStage differ in length');
  const dLearning = mean(target.afterOwnStage.map((a, i) => a - itemAt(target.base, i)));
  if (heldOut.perStage.length === 0) throw new ForgetscopeError('empty', 'learningForgetting: no held-out stages');
  const stageDelta = (scores: readonly number[]) => {
    if (scores.length !== heldOut.base.length)
      throw new ForgetscopeError(
        'shape',
        'learningForgetting: a held-out stage has a different number of benchmarks than base',
      );
    return mean(scores.map((s, b) => s - itemAt(heldOut.base, b)));
  };
  const last = heldOut.perStage.at(-1);
  if (last === undefined) throw new ForgetscopeError('empty', 'learningForgetting: no held-out stages');
  const dHeldOut = mode === 'final' ? stageDelta(last) : mean(heldOut.perStage.map(stageDelta));
  return { dLearning, dHeldOut };
}

/**
 * How much of a benchmark's drop was recovered by the end: (A_final − A_min)/(A₀ − A_min) when the
 * minimum over stages is below the base score, NaN when there was no drop.
 * @example recovery(60, [50, 52, 58, 57]) // 0.7
 */
export function recovery(base: number, perStage: readonly number[]): number {
  const last = perStage.at(-1);
  if (last === undefined) return NaN;
  const min = Math.min(...perStage);
  if (!(min < base)) return NaN;
  return (last - min) / (base - min);
}
