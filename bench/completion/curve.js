#!/usr/bin/env node
// RMSE versus the number of measured examples k, random (paper) probes versus active probes, on the
// dev data's reference train/test split (seeds 0–9, the paper's protocol through `evaluate`), then
// the same comparison on random row splits of the dev data and on a synthetic low-rank matrix.
// Usage: node bench/completion/curve.js [--methods lowrank,additive-ls,svd] [--ks 5,10,...] [--selects paper,active]
//   [--parts reference,splits,synthetic,coverage] [--splits 5] [--split-ks 10,30] [--out FILE]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createCompletionMethod,
  evaluate,
  selectActiveProbes,
  fitLowrankCompletion as fitLowrank,
  defaultRng,
  knownEntriesOf,
  ForgettingMatrix,
} from '../../dist/index.js';
import { readForgettingMatrix } from '../../dist/node.js';
import { REFERENCE_SPLIT, curveRandomSplit, headSplit, opt, optList, optNumbers, root } from './splits.js';

const methods = optList('methods', 'additive-ls,lowrank,svd');
const ks = optNumbers('ks', '5,10,15,20,30,50,75,100');
const seeds = Array.from({ length: 10 }, (_, s) => s);
const splitCount = Number(opt('splits', '5'));
const outFile = opt('out', null);
const selects = optList('selects', 'paper,active');
const splitKs = optNumbers('split-ks', '10,30');
const parts = optList('parts', 'reference,splits,synthetic');

const { matrix } = await readForgettingMatrix(join(root, 'fixtures', 'real-dev-v1'));

/** A selector that measures the same active probes for every test row and seed (deterministic). */
function activeSelector() {
  const cache = new Map();
  return async ({ train, k }) => {
    if (!cache.has(k)) cache.set(k, await selectActiveProbes(train, k));
    return cache.get(k);
  };
}

async function curve(z, trainRows, testRows, label, ksHere, methodNames, seedList) {
  const rows = [];
  for (const k of ksHere) {
    for (const select of selects) {
      const t0 = performance.now();
      const result = await evaluate(z, {
        trainRows,
        testRows,
        known: k,
        seeds: seedList,
        methods: methodNames.map((m) => createCompletionMethod(m)),
        select: select === 'paper' ? 'paper' : activeSelector(),
      });
      for (const [name, m] of Object.entries(result.methods)) {
        rows.push({
          data: label,
          k,
          select,
          method: name,
          rmse: m.rmse,
          f1: m.f1,
          auc: m.auc,
          seconds: m.seconds,
          fits: m.fits,
        });
        console.error(
          `${label} k=${k} ${select} ${name}: rmse ${m.rmse?.toFixed(4)} auc ${m.auc?.toFixed(4)} (${m.seconds.toFixed(2)} s)`,
        );
      }
      console.error(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
  }
  return rows;
}

/** A synthetic matrix with the dev data's shape and a decaying spectrum: additive + rank-8 + noise. */
function synthetic(m, n, seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const r = 8;
  const A = Array.from({ length: m * r }, normal);
  const B = Array.from({ length: n * r }, normal);
  const loading = Array.from({ length: n }, () => Math.exp(normal()));
  const rowEff = Array.from({ length: m }, () => 0.4 + 0.3 * normal());
  const colEff = Array.from({ length: n }, () => 0.1 * normal());
  const values = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let x = rowEff[i] + colEff[j];
      for (let c = 0; c < r; c++) x += (0.2 / (c + 1)) * A[i * r + c] * B[j * r + c] * loading[j];
      values[i * n + j] = x + 0.05 * normal();
    }
  }
  return new ForgettingMatrix({
    values,
    taskIds: Array.from({ length: m }, (_, i) => `s${i}`),
    exampleIds: Array.from({ length: n }, (_, j) => `x${j}`),
  });
}

const all = [];
if (parts.includes('reference'))
  all.push(
    ...(await curve(matrix, REFERENCE_SPLIT.train, REFERENCE_SPLIT.test, 'dev reference split', ks, methods, seeds)),
  );
for (let s = 0; s < (parts.includes('splits') ? splitCount : 0); s++) {
  const { train, test } = curveRandomSplit(matrix.rows, s);
  all.push(...(await curve(matrix, train, test, `dev random split ${s}`, splitKs, methods, seeds)));
}
if (parts.includes('synthetic')) {
  const syn = synthetic(37, 1000, 7);
  const { train, test } = headSplit(26, 11);
  all.push(...(await curve(syn, train, test, 'synthetic additive+rank-8', splitKs, methods, seeds)));
}
/**
 * Coverage of lowrank's 90% intervals on held-out rows: every test row × seed of the paper's draw
 * (and the active probes), pooled over the unmeasured cells.
 */
async function coverage(z, trainRows, testRows, label, k) {
  const train = z.selectRows(Int32Array.from(trainRows));
  const fitted = await fitLowrank(train, { level: 0.9 });
  const out = [];
  for (const select of ['paper', 'active']) {
    let inside = 0;
    let count = 0;
    let width = 0;
    const active = select === 'active' ? await selectActiveProbes(train, k) : null;
    for (const seed of select === 'active' ? [0] : seeds) {
      const drawn = active ?? defaultRng(seed).choice(z.cols, k);
      for (const t of testRows) {
        const known = knownEntriesOf(drawn, z.row(t), z.rowMask(t));
        const { lower, upper } = await fitted.predictRow(known);
        const skip = new Set(known.columns);
        for (let j = 0; j < z.cols; j++) {
          if (skip.has(j)) continue;
          const y = z.get(t, j);
          if (y >= lower[j] && y <= upper[j]) inside++;
          width += upper[j] - lower[j];
          count++;
        }
      }
    }
    out.push({ data: label, k, select, coverage90: inside / count, meanWidth: width / count });
    console.error(
      `${label} k=${k} ${select} lowrank 90% interval coverage ${(inside / count).toFixed(3)} width ${(width / count).toFixed(3)}`,
    );
  }
  return out;
}
const coverageRows = [];
if (parts.includes('coverage')) {
  coverageRows.push(
    ...(await coverage(matrix, REFERENCE_SPLIT.train, REFERENCE_SPLIT.test, 'dev reference split', 30)),
  );
  for (let s = 0; s < splitCount; s++) {
    const { train, test } = curveRandomSplit(matrix.rows, s);
    coverageRows.push(...(await coverage(matrix, train, test, `dev random split ${s}`, 30)));
  }
  const syn = synthetic(37, 1000, 7);
  const { train, test } = headSplit(26, 11);
  coverageRows.push(...(await coverage(syn, train, test, 'synthetic additive+rank-8', 30)));
}
const text = JSON.stringify({ machine: 'shared 2-core VM', seeds, rows: all, coverage: coverageRows }, null, 1);
if (outFile) writeFileSync(outFile, text);
else console.log(text);
