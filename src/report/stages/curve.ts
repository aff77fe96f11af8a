import { evaluate } from '../../completion/protocol/evaluate.js';
import { createCompletionMethod } from '../../completion/registry.js';
import type { RmseCurvePoint } from '../../viz/rmseCurve.js';
import { backendOption, type StageContext } from './context.js';
import type { EvaluationSetup } from './evaluation.js';
import { ForgetscopeError } from '../../util/errors.js';

/**
 * RMSE versus the number of measured examples k for the plot method: random probes over all seeds
 * (with the seed range as the band) against active probes (deterministic, one seed).
 */
export async function curveStage(
  ctx: StageContext,
  curveKs: readonly number[],
  setup: EvaluationSetup,
): Promise<RmseCurvePoint[]> {
  const { matrix, progress } = ctx;
  const { plotMethod, trainRows, testRows, seeds } = setup;
  ctx.onStep('curve', `RMSE versus k for ${plotMethod}, random vs active probes, k = ${curveKs.join(', ')}`);
  return ctx.timed('curve', async () => {
    const points: RmseCurvePoint[] = [];
    const ks = curveKs.filter((k) => k >= 1 && k <= matrix.cols);
    let done = 0;
    for (const k of ks) {
      for (const sel of ['random', 'active'] as const) {
        const r = await evaluate(matrix, {
          trainRows,
          testRows,
          known: k,
          seeds: sel === 'active' ? seeds.slice(0, 1) : seeds,
          methods: [createCompletionMethod(plotMethod)],
          ...(sel === 'active' ? { select: await setup.activeSelector(k) } : {}),
          ...backendOption(ctx),
        });
        const m = r.methods[plotMethod];
        if (!m) throw new ForgetscopeError('internal', `the evaluation has no result for ${plotMethod}`);
        const perSeed = m.perSeed.map((s) => s.rmse).filter((x): x is number => x !== null && Number.isFinite(x));
        points.push({
          k,
          rmse: m.rmse ?? NaN,
          select: sel,
          method: plotMethod,
          ...(perSeed.length > 1 ? { lower: Math.min(...perSeed), upper: Math.max(...perSeed) } : {}),
        });
        progress(++done, ks.length * 2, 'RMSE versus k');
      }
    }
    return points;
  });
}
