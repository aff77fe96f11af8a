import { meaningfulBest } from '../../src/report/bestMethod.js';
import { scores } from './methodScores.js';

describe('the method table marks a best value only where it differs meaningfully', () => {
  it('beyond both the combined standard error and 1 %', () => {
    const methods = {
      lowrank: scores({ rmse: 0.1, f1: 0.991, stderr: { rmse: 0.004, f1: 0.002 } }),
      knn: scores({ rmse: 0.2, f1: 0.993, stderr: { rmse: 0.003, f1: 0.002 } }),
      additive: scores({ rmse: 0.104, f1: 0.99, stderr: { rmse: 0.001, f1: 0.001 } }),
    };
    // RMSE: lowrank 0.100 vs additive 0.104: margin 0.004 < √(0.004² + 0.001²) ≈ 0.00412 → no best
    expect(meaningfulBest(methods, 'rmse', true)).toBeNull();
    // F1 ≈ 0.99 for all: knn leads by 0.002, under 1 % → no best
    expect(meaningfulBest(methods, 'f1', false)).toBeNull();
    const clear = {
      a: scores({ rmse: 0.1, stderr: { rmse: 0.01 } }),
      b: scores({ rmse: 0.2, stderr: { rmse: 0.01 } }),
    };
    expect(meaningfulBest(clear, 'rmse', true)).toBe('a');
    // without standard errors (one seed) the relative tolerance alone decides: 0.2 vs 0.199 is 0.5 %
    expect(meaningfulBest({ a: scores({ auc: 0.2 }), b: scores({ auc: 0.199 }) }, 'auc', false)).toBeNull();
    expect(
      meaningfulBest({ a: scores({ auc: 0.3 }), b: scores({ auc: 0.2 }), c: scores({ auc: null }) }, 'auc', false),
    ).toBe('a');
    expect(meaningfulBest({ a: scores({ rmse: 0.1 }) }, 'rmse', true)).toBeNull();
  });
});
