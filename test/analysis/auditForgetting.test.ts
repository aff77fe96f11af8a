import { auditForgetting } from '../../src/analysis/auditForgetting.js';
import { handWorked as z } from './helpers/handWorked.js';

describe('auditForgetting', () => {
  test('gathers the summaries of the hand-worked 2×4 matrix (e1 missing for t1)', () => {
    const audit = auditForgetting(z);
    // Example means over observed cells: (0.2 + 0.6)/2, 0.4, (−0.1 + 0.1)/2, (0.3 − 0.3)/2.
    expect(Array.from(audit.examples.mean).map((x) => Math.round(x * 1e12) / 1e12)).toEqual([0.4, 0.4, 0, 0]);
    // Task means: (0.2 + 0.4 − 0.1 + 0.3)/4 = 0.2 and (0.6 + 0.1 − 0.3)/3 = 0.4/3.
    expect(audit.tasks.mean[0]).toBeCloseTo(0.2, 15);
    expect(audit.tasks.mean[1]).toBeCloseTo(0.4 / 3, 15);
    // Four examples, fewer than the default 10: all listed, the tie at 0.4 in column order.
    expect(audit.topForgotten.map((e) => e.example)).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect(audit.sources.map((s) => s.source).sort()).toEqual(['code', 'web']);
    expect(audit.similarity).toBeNull();
  });

  test('passes its options on: top, the source key, the rank-1 scalars and a similarity', () => {
    const audit = auditForgetting(z, {
      top: 1,
      sourceKey: 'text',
      rankOneTask: Float64Array.of(2, 3),
      similarity: Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8),
    });
    expect(audit.topForgotten.map((e) => e.example)).toEqual(['e0']);
    // Grouped by the `text` field: one source per example.
    expect(audit.sources.map((s) => s.source).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(Array.from(audit.tasks.rankOneScalar ?? [])).toEqual([2, 3]);
    expect(audit.similarity).not.toBeNull();
  });
});
