import { formatReportSummary, reportCharts } from '../../src/report/summary.js';
import { REPORT_CHARTS, sampleReportData } from './sampleReport.js';

describe('the report summary', () => {
  it('lists the charts in page order; sections without data have none', () => {
    const d = sampleReportData();
    expect(reportCharts(d)).toEqual(REPORT_CHARTS);
    const bare = { ...d, heatmap: undefined, sources: [], predicted: undefined, rmseCurve: [], replay: undefined };
    expect(reportCharts(bare)).toEqual(['scree']);
  });

  it('prints the file, its size in KiB, the charts, the shape, R² and one line per method', () => {
    const text = formatReportSummary({
      out: 'r.html',
      bytes: 3 * 1024 + 100,
      charts: ['heatmap', 'scree'],
      tasks: 4,
      examples: 100,
      r2: { ranks: [0.81234], additive: 0.5 },
      evaluation: { methods: { lowrank: { rmse: 0.12345, f1: 0.5 }, knn: { rmse: null, f1: null } } },
    });
    expect(text).toBe(
      [
        'wrote r.html (3 KiB, charts: heatmap, scree)',
        '4 tasks × 100 examples; rank-1 R² 0.812 vs additive 0.500',
        '  lowrank        RMSE 0.1235  F1 0.500',
        '  knn            RMSE    —    F1 —',
        '',
      ].join('\n'),
    );
  });
});
