// `npm run bench -- analyze [structure|stream] [--runs R]`: structure analysis timings (see bench/RESULTS.md).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeStructure, auditForgetting, encodeNpy, ForgettingMatrix } from '../../dist/index.js';
import { createNodeCpuBackend } from '../../dist/node.js';
import { extendSpectrum, fixtureSpectrum, syntheticMatrix } from './synthetic.js';

const args = process.argv.slice(2);
const mode = args.find((a) => !a.startsWith('--')) ?? 'structure';
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(3);

if (mode === 'structure') await structure();
else if (mode === 'stream') await (await import('./stream.js')).streamBench(args);
else {
  console.error('usage: npm run bench -- analyze [structure|stream] [--runs R]');
  process.exit(2);
}

async function structure() {
  const m = 85;
  const n = 141_871;
  const backend = createNodeCpuBackend();
  const spec = await fixtureSpectrum();
  const s = extendSpectrum(spec, m, n, m);
  const values = await syntheticMatrix(m, n, s, backend, 1);
  const z = new ForgettingMatrix({
    values,
    taskIds: Array.from({ length: m }, (_, i) => `t${i}`),
    exampleIds: Array.from({ length: n }, (_, j) => `e${j}`),
    exampleMeta: Array.from({ length: n }, (_, j) => ({ source: `s${j % 7}` })),
  });
  console.error(
    `synthetic ${m}×${n} float64 with the fixture spectrum (s1 = ${s[0].toFixed(1)}, s85 = ${s[m - 1].toFixed(3)})`,
  );

  const times = [];
  let last;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const a = await analyzeStructure(z, { ranks: 5, backend });
    const audit = auditForgetting(z, { rankOneTask: a.multiplicative.taskScalars });
    times.push((performance.now() - t0) / 1000);
    last = { a, audit };
  }
  // One broken-down run (same work, each step timed).
  const parts = {};
  let t = performance.now();
  const step = (name) => {
    const now = performance.now();
    parts[name] = (now - t) / 1000;
    t = now;
  };
  const { fitTruncatedRanks, fitAdditive, fitAdditiveAls, fitRowMeans, fitColumnMeans } = await import(
    '../../dist/index.js'
  );
  await fitTruncatedRanks(z, { ranks: 5, backend });
  step('lowRank');
  fitAdditive(z);
  fitRowMeans(z);
  fitColumnMeans(z);
  step('additive+row+column');
  fitAdditiveAls(z);
  step('additiveAls');
  auditForgetting(z);
  step('summaries');
  await backend.dispose();

  const dir = mkdtempSync(join(tmpdir(), 'forgetscope-bench-analyze-'));
  try {
    const npy = join(dir, 'z.npy');
    writeFileSync(npy, encodeNpy(values, [m, n]));
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const py = spawnSync('python3', [join('bench', 'analyze', 'numpy_analyze.py'), npy, String(runs)], {
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    if (py.status !== 0) throw new Error(py.stderr);
    const ref = JSON.parse(py.stdout);
    const ours = median(times);
    const npSvd = median(ref.svd.times);
    const npGram = median(ref.gram_eigh.times);
    const maxDiff = Math.max(...ref.svd.result.r2.map((x, k) => Math.abs(x - last.a.lowRank.r2[k])));
    console.log(
      JSON.stringify({
        case: `${m}x${n} float64, ranks 1..5 + additive + additiveAls + row/column + summaries`,
        runs,
        forgetscope_s: times,
        numpy_svd_s: ref.svd.times,
        numpy_gram_eigh_s: ref.gram_eigh.times,
        breakdown_s: parts,
        numpy: ref.numpy,
        maxR2DiffVsNumpy: maxDiff,
        additiveDiff: Math.abs(ref.svd.result.additive - last.a.additive.r2),
        additiveAlsDiff: Math.abs(ref.svd.result.additiveAls - last.a.additiveAls.r2),
        sameTop10: JSON.stringify(ref.svd.result.top) === JSON.stringify(last.audit.topForgotten.map((x) => x.index)),
      }),
    );
    console.log(
      `forgetscope (cpu, threads) median ${fmt(ours)} s | numpy svd ${fmt(npSvd)} s (ratio ${fmt(npSvd / ours)}× in our favour) | numpy gram+eigh ${fmt(npGram)} s (ratio ${fmt(npGram / ours)}×)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
