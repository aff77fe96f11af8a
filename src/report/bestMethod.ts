import type { ReportMethodScores } from './types.js';

/** A metric of the method table. */
export type MetricKey = 'rmse' | 'f1' | 'precision' | 'recall' | 'auc';

/** Relative margin below which two methods' scores are called equal, whatever their standard errors. */
export const BEST_RELATIVE_TOLERANCE = 0.01;

/**
 * The method that is best on `key` by a meaningful margin, or null when none is: the best value must
 * beat the runner-up by more than both the seeds' combined standard error √(se₁² + se₂²) and
 * `BEST_RELATIVE_TOLERANCE` of its size. Methods without a finite value are skipped; one method alone
 * is never "best".
 * @example
 * meaningfulBest({ a: { rmse: 0.10, ... }, b: { rmse: 0.20, ... } }, 'rmse', true); // 'a'
 */
export function meaningfulBest(
  methods: Record<string, ReportMethodScores>,
  key: MetricKey,
  lowerIsBetter: boolean,
): string | null {
  const ranked = Object.entries(methods)
    .map(([name, m]) => ({ name, v: m[key], se: m.stderr?.[key] ?? 0 }))
    .filter((x): x is { name: string; v: number; se: number } => x.v !== null && Number.isFinite(x.v))
    .sort((a, b) => (lowerIsBetter ? a.v - b.v : b.v - a.v));
  const [best, second] = ranked;
  if (best === undefined || second === undefined) return null;
  const margin = Math.abs(best.v - second.v);
  const noise = Math.hypot(best.se ?? 0, second.se ?? 0);
  return margin > noise && margin > BEST_RELATIVE_TOLERANCE * Math.abs(best.v) ? best.name : null;
}
