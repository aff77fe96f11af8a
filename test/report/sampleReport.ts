import type { ReportData } from '../../src/report/index.js';

/** The charts of a full report, in page order (written out by hand from the report's sections). */
export const REPORT_CHARTS = [
  'heatmap',
  'scree',
  'sources',
  'predicted',
  'rmse-k',
  'replay-scores',
  'replay-weights',
  'replay-top',
];

/** A small deterministic LCG so the sample data needs no library (test fixture only). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A complete report model over an 8 × 60 rank-1-plus-noise matrix, with every section filled, for
 * exercising the HTML and the browser. The statistics are display values, not analysis results.
 */
export function sampleReportData(): ReportData {
  const rand = lcg(7);
  const m = 8;
  const n = 60;
  const u = Array.from({ length: m }, (_, i) => 0.2 + 0.1 * i);
  const v = Array.from({ length: n }, () => 0.5 + rand());
  const values = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) values[i * n + j] = u[i]! * v[j]! + 0.1 * (rand() - 0.6);
  const sources = ['python', 'man', 'license'];
  const exampleIds = Array.from({ length: n }, (_, j) => `ex${j}`);
  const exampleMeta = exampleIds.map((_, j) => ({ source: sources[j % 3]!, text: `line ${j} <b>&amp;\n\tindent` }));
  const row = values.subarray(2 * n, 3 * n);
  const prediction = Float64Array.from(row, (x, j) => x + 0.05 * Math.sin(j));
  const weights = new Float64Array(n);
  let total = 0;
  for (let j = 0; j < n; j++) total += weights[j] = j === 5 ? 0 : Math.exp(prediction[j]! / 0.1);
  for (let j = 0; j < n; j++) weights[j]! /= total;
  return {
    title: 'Forgetting audit <sample>',
    dataset: {
      name: 'sample.csv',
      format: 'csv',
      tasks: m,
      examples: n,
      observed: m * n,
      mean: 0.3,
      std: 0.2,
      min: -0.05,
      max: 1.2,
      fractionForgotten: 0.95,
    },
    read: { rows: 482, kept: 480, dropped: { 'empty value': 1, 'duplicate (replaced by a later row)': 1 } },
    heatmap: { values, rows: m, cols: n, taskIds: u.map((_, i) => `task${i}`), taskFactor: u, exampleFactor: v },
    structure: {
      singularValues: [9, 1.2, 0.8, 0.5],
      r2: [0.9, 0.95, 0.97, 0.98],
      additiveR2: 0.8,
      models: [
        { name: 'rank 1 (multiplicative)', r2: 0.9, rmse: 0.05 },
        { name: 'additive', r2: 0.8, rmse: 0.07, note: 'least squares' },
      ],
      backend: 'cpu',
    },
    topForgotten: [
      {
        example: 'ex3',
        mean: 0.9,
        max: 1.2,
        fractionForgotten: 1,
        source: 'python',
        text: 'def f(x):\n    return <x>',
      },
      { example: 'ex7', mean: 0.8, max: 1.0, fractionForgotten: 0.875, source: 'man', text: 'NAME\n  ls - list' },
    ],
    sources: [
      { source: 'python', mean: 0.35, fractionForgotten: 0.96, share: 0.4, examples: 20 },
      { source: 'man', mean: 0.3, fractionForgotten: 0.95, share: 0.33, examples: 20 },
      { source: 'license', mean: 0.25, fractionForgotten: 0.94, share: 0.27, examples: 20 },
    ],
    tasks: u.map((ui, i) => ({
      task: `task${i}`,
      mean: ui * 0.9,
      max: ui * 1.5,
      fractionForgotten: 0.9,
      rankOneScalar: ui * 7,
      meta: { family: i % 2 ? 'real' : 'synthetic', lr: 1e-4, steps: 60 },
    })),
    evaluation: {
      methods: {
        additive: { rmse: 0.12, f1: 0.9, precision: 0.88, recall: 0.93, auc: 0.7, seconds: 1.5, fits: 10 },
        lowrank: { rmse: 0.08, f1: 0.95, precision: 0.93, recall: 0.97, auc: 0.8, seconds: 0.01, fits: 10 },
        lgmf: { rmse: null, f1: 0.91, precision: 0.9, recall: 0.92, auc: 0.75, seconds: 3, fits: 10 },
      },
      select: 'paper',
      known: 30,
      seeds: [0, 1, 2],
      trainRows: '0-5',
      testRows: '6-7',
      notes: ['lgmf scores logits, so it has no RMSE.'],
    },
    predicted: { truth: row, prediction, known: [1, 4, 9], task: 'task2', method: 'lowrank' },
    rmseCurve: [5, 10, 30].flatMap((k) => [
      { k, rmse: 0.3 / Math.sqrt(k), select: 'random' },
      { k, rmse: 0.2 / Math.sqrt(k), select: 'active' },
    ]),
    replay: {
      weights,
      scores: prediction,
      selected: [10, 20, 30],
      exampleIds,
      exampleMeta,
      task: 'task2',
      replayN: 3,
      temperature: 0.1,
      method: 'lowrank',
      seed: 0,
      basis: '3 measured examples',
    },
    provenance: {
      version: '0.0.0-test',
      command: 'forgetscope report sample.csv --out r.html',
      createdAt: '2026-01-01T00:00:00.000Z',
      seeds: '0-2',
      backend: 'cpu',
      runtime: 'node',
    },
    missing: ['active probes: not requested'],
  };
}
