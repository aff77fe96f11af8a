import { pythonHas } from '../../helpers/python.js';
import { execFileSync } from 'node:child_process';
import { completionMetrics, meanMetrics, rocAuc } from '../../../src/completion/protocol/metrics.js';
import { defaultRng } from '../../../src/completion/protocol/generator.js';

describe('completion metrics', () => {
  test('spec §5 metrics case', () => {
    const m = completionMetrics([0.3, -0.1, 0.2, 0.05, -0.2], [0.1, 0.1, 0.3, -0.05, -0.1]);
    expect(m.rmse).toBeCloseTo(0.148324, 6);
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
    expect(m.auc).toBeCloseTo(0.75, 12);
  });

  test('undefined precision/recall are 0, AUC with one class is NaN, scores-only has no RMSE', () => {
    const m = completionMetrics([-1, -2], [-0.5, -0.1], { scoresOnly: true });
    expect(m.rmse).toBeNull();
    expect(m.precision).toBe(0);
    expect(m.recall).toBe(0);
    expect(m.f1).toBe(0);
    expect(Number.isNaN(m.auc)).toBe(true);
  });

  test('AUC: hand-counted pairs with ties', () => {
    // positives scores 1, 1, 3; negatives 1, 0: pairs (1>1 tie .5)(1>0)(1 tie .5)(1>0)(3>1)(3>0) = 5/6.
    expect(rocAuc([1, 1, 1, -1, -1], [1, 1, 3, 1, 0])).toBeCloseTo(5 / 6, 14);
  });

  test('mean over seeds', () => {
    const a = { rmse: 1, f1: 0.5, precision: 0.5, recall: 0.5, auc: 0.5 };
    const b = { rmse: 3, f1: 1, precision: 1, recall: 1, auc: 1 };
    expect(meanMetrics([a, b])).toEqual({ rmse: 2, f1: 0.75, precision: 0.75, recall: 0.75, auc: 0.75 });
    expect(meanMetrics([a, { ...b, rmse: null }]).rmse).toBeNull();
  });

  test('matches scikit-learn on random data with ties (when python3 + sklearn are present)', () => {
    if (!pythonHas('sklearn')) return;
    const rng = defaultRng(7);
    const truth = Array.from(rng.integers(0, 200, 500), (v) => (v - 60) / 100);
    const pred = Array.from(rng.integers(0, 50, 500), (v) => (v - 10) / 10); // many ties
    const py = `
import json, sys, numpy as np
from sklearn.metrics import roc_auc_score, f1_score, precision_score, recall_score
t, p = (np.array(x) for x in json.load(sys.stdin))
print(json.dumps([float(np.sqrt(np.mean((t - p) ** 2))), f1_score(t > 0, p > 0), precision_score(t > 0, p > 0),
                  recall_score(t > 0, p > 0), roc_auc_score(t > 0, p)]))`;
    const out = JSON.parse(
      execFileSync('python3', ['-c', py], { input: JSON.stringify([truth, pred]), encoding: 'utf8' }),
    ) as number[];
    const m = completionMetrics(truth, pred);
    expect(m.rmse).toBeCloseTo(out[0]!, 12);
    expect(m.f1).toBeCloseTo(out[1]!, 12);
    expect(m.precision).toBeCloseTo(out[2]!, 12);
    expect(m.recall).toBeCloseTo(out[3]!, 12);
    expect(m.auc).toBeCloseTo(out[4]!, 12);
  });
});
