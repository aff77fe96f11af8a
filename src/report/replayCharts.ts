import { weightDistributionData } from '../viz/replay.js';
import type { ReportReplay } from './types.js';

/**
 * Whether the plan's weights are equal on every example that has one (`topk`, `uniform`, `coverage` …):
 * then a weight histogram is one bar and the report leaves it out.
 */
export function weightsAreUniform(r: Pick<ReportReplay, 'weights'>): boolean {
  const w = weightDistributionData(r);
  return w.positive > 0 && Math.abs(w.effectiveExamples - w.positive) <= 1e-9 * w.positive;
}

/** The charts of the replay section, in page order (the weight histogram only where weights differ). */
export function replayCharts(r: ReportReplay): string[] {
  return weightsAreUniform(r) ? ['replay-scores', 'replay-top'] : ['replay-scores', 'replay-weights', 'replay-top'];
}
