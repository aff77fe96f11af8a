// `npm run bench -- report [--runs 3] [--skip-large]`: wall time of the main job (`forgetscope demo`'s
// pipeline on fixtures/real-dev-v1, without the file writes) and of the report at the paper's size
// (85 × 141,871 synthetic matrix: structure + audit + heat map binning + rendering). Prints medians.
import { readFileSync } from 'node:fs';
import { readForgettingMatrix, selectNodeBackend } from '../../dist/node.js';
import {
  assembleReport,
  buildReportHtml,
  forgettingHeatmapSpec,
  renderSvg,
  ForgettingMatrix,
  VERSION,
} from '../../dist/index.js';
import { flag, median, opt, timeRuns } from '../args.js';

const runs = Number(opt('runs', '3')) || 3;
const provenance = { version: VERSION, command: 'bench report', createdAt: new Date(0).toISOString() };

async function timeIt(label, f) {
  const { median: m, all, out } = await timeRuns(f, runs);
  console.log(`${label}: median ${m.toFixed(2)} s over ${runs} runs (${all.map((t) => t.toFixed(2)).join(', ')})`);
  return out;
}

// 1. The demo pipeline on the fixture.
const TEST_ROWS = [2, 5, 11, 16, 20, 21, 23, 25, 31, 34, 36];
const fixture = 'fixtures/real-dev-v1';
const backend = await selectNodeBackend('cpu');
const held = JSON.parse(readFileSync(`${fixture}/heldout_examples.json`, 'utf8')).example_ids.map(String);
const steps = {};
const html = await timeIt(
  'demo pipeline (read, analyze, evaluate 3 methods × 11 tasks × 5 seeds, RMSE-vs-k, replay, render)',
  async () => {
    const { matrix, report } = await readForgettingMatrix(fixture);
    const exclude = new Uint8Array(matrix.cols);
    for (const id of held) exclude[matrix.exampleIndex(id)] = 1;
    const trainRows = matrix.taskIds.map((_, i) => i).filter((i) => !TEST_ROWS.includes(i));
    const r = await assembleReport(matrix, {
      name: fixture,
      read: report,
      backend,
      provenance,
      evaluation: {
        trainRows,
        testRows: TEST_ROWS,
        known: 30,
        seeds: [0, 1, 2, 3, 4],
        methods: ['additive-ls', 'lowrank', 'knn'],
        curveKs: [5, 10, 30, 100],
      },
      replay: { task: 2, nFineTune: 576, seed: 0, exclude },
    });
    const t0 = performance.now();
    const out = await buildReportHtml(r.data);
    for (const [k, v] of Object.entries({ ...r.timings, render: (performance.now() - t0) / 1000 }))
      (steps[k] ??= []).push(v);
    return out;
  },
);
console.log(
  `  steps (median s): ${Object.entries(steps)
    .map(([k, v]) => `${k} ${median(v).toFixed(2)}`)
    .join(', ')}; HTML ${(html.length / 1024).toFixed(0)} KiB`,
);

// 2. Paper size: 85 × 141,871, rank-5 signal + noise (seeded LCG), float32 storage.
if (!flag('skip-large')) {
  const m = 85;
  const n = 141871;
  let s = 12345;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5;
  const values = new Float32Array(m * n);
  const u = Array.from({ length: 5 }, () => Float64Array.from({ length: m }, rand));
  const v = Array.from({ length: 5 }, () => Float64Array.from({ length: n }, rand));
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let z = 0.4 + 0.1 * rand();
      for (let c = 0; c < 5; c++) z += (2 / (c + 1)) * u[c][i] * v[c][j];
      values[i * n + j] = z;
    }
  const matrix = new ForgettingMatrix({
    values,
    taskIds: Array.from({ length: m }, (_, i) => `t${i}`),
    exampleIds: Array.from({ length: n }, (_, j) => `e${j}`),
  });
  const svg = await timeIt(`heat map spec + SVG at ${m} × ${n} (binned to 60 × 150)`, async () =>
    renderSvg(forgettingHeatmapSpec(matrix)),
  );
  console.log(`  SVG ${(svg.length / 1024).toFixed(0)} KiB`);
  const big = await timeIt(`audit report (structure ranks 1..5, summaries, render) at ${m} × ${n}`, async () => {
    const r = await assembleReport(matrix, { name: 'synthetic', backend, provenance });
    return buildReportHtml(r.data);
  });
  console.log(
    `  HTML ${(big.length / 1024).toFixed(0)} KiB; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
  );
}
await backend.dispose();
