#!/usr/bin/env node
// Bit-for-bit check of the closed-form completion methods on the bundled fixture: the predictions and
// interval bounds of lowrank (with and without side matrices, with and without intervals), the
// ensemble (with and without side), soft-impute and lowrank on active probes, for a few seeds with rows
// 0–25 training and 26–36 tested, written as one little-endian Float64 stream. `--save FILE` records a baseline;
// `--compare FILE` reports how many values differ from it (=== on the float64 bits) and the largest
// difference, and exits 1 on any difference. Used around refactors that must not change a number.
// Usage: node bench/completion/bitcheck.js --save out.f64 | --compare out.f64 [--points] [--seeds 0-2]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultRng,
  fitEnsemble,
  fitLowrankCompletion as fitLowrank,
  fitSoftImpute,
  knownEntriesOf,
  selectActiveProbes,
  selectSideRows,
  sideRowOf,
} from '../../dist/index.js';
import { readForgettingMatrix } from '../../dist/node.js';
import { flag, headSplit, opt, range, root } from './splits.js';

const seeds = range(opt('seeds', '0-2'));
const { matrix, side } = await readForgettingMatrix(join(root, 'fixtures', 'real-dev-v1'), {
  side: ['first_order', 'task_gradient'],
});
// Rows 0–25 train, 26–36 test: the split the recorded baselines were made on (not the reference split).
const { train: trainRows, test: testRows } = headSplit(26, 11);
const train = matrix.selectRows(Int32Array.from(trainRows));
const trainSide = selectSideRows(side, trainRows);
const firstOnly = selectSideRows([side[0]], trainRows);

const chunks = [];
const labels = [];
function record(label, pred) {
  for (const key of ['prediction', 'lower', 'upper']) {
    if (!pred[key]) continue;
    chunks.push(Float64Array.from(pred[key]));
    labels.push(`${label}.${key}`);
  }
}
async function run(label, fitted, withSide, sideSet, probeSets) {
  for (const [name, cols] of probeSets) {
    for (const t of testRows) {
      const e = knownEntriesOf(cols, matrix.row(t), null);
      const known = withSide ? { ...e, side: sideRowOf(sideSet, t) } : e;
      record(`${label}/${name}/row${t}`, await fitted.predictRow(known));
    }
  }
}
const probeSets = [];
for (const seed of seeds)
  for (const k of [30, 10]) probeSets.push([`seed${seed}-k${k}`, defaultRng(seed).choice(matrix.cols, k)]);
const t0 = Date.now();
await run('lowrank', await fitLowrank(train, { reuse: false }), false, null, probeSets);
await run('lowrank-nointervals', await fitLowrank(train, { reuse: false, intervals: false }), false, null, probeSets);
await run('lowrank-side1', await fitLowrank(train, { side: firstOnly }), true, [side[0]], probeSets);
await run('lowrank-side2', await fitLowrank(train, { side: trainSide }), true, side, probeSets);
const few = probeSets.filter(([, c]) => c.length === 30).slice(0, 1);
await run('ensemble', await fitEnsemble(train, {}), false, null, few);
await run('ensemble-side1', await fitEnsemble(train, { side: firstOnly }), true, [side[0]], few);
await run('soft-impute', await fitSoftImpute(train, {}), false, null, probeSets);
for (const method of ['variance', 'leverage']) {
  for (const k of [30, 10]) {
    const cols = await selectActiveProbes(train, k, { method });
    chunks.push(Float64Array.from(cols));
    labels.push(`active-${method}-k${k}.columns`);
    await run(`lowrank-active-${method}`, await fitLowrank(train, { reuse: false }), false, null, [[`k${k}`, cols]]);
  }
}
const total = chunks.reduce((a, c) => a + c.length, 0);
const all = new Float64Array(total);
let o = 0;
for (const c of chunks) {
  all.set(c, o);
  o += c.length;
}
process.stderr.write(`${labels.length} arrays, ${total} values, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
if (opt('save')) {
  writeFileSync(opt('save'), Buffer.from(all.buffer));
  writeFileSync(opt('save') + '.labels', labels.join('\n') + '\n');
}
if (opt('compare')) {
  const base = new Float64Array(new Uint8Array(readFileSync(opt('compare'))).buffer);
  if (base.length !== all.length) {
    process.stderr.write(`length differs: ${base.length} vs ${all.length}\n`);
    process.exit(1);
  }
  let diff = 0;
  let worst = 0;
  let at = -1;
  const baseBits = new BigUint64Array(base.buffer);
  const allBits = new BigUint64Array(all.buffer);
  // --points: compare point predictions (and chosen columns) only, not interval bounds
  const skip = new Uint8Array(all.length);
  if (flag('points')) {
    let s = 0;
    for (let c = 0; c < chunks.length; c++) {
      if (labels[c].endsWith('.lower') || labels[c].endsWith('.upper')) skip.fill(1, s, s + chunks[c].length);
      s += chunks[c].length;
    }
  }
  for (let i = 0; i < all.length; i++) {
    if (!skip[i] && baseBits[i] !== allBits[i]) {
      diff++;
      const d = Math.abs(base[i] - all[i]);
      if (!(d <= worst)) {
        worst = d;
        at = i;
      }
    }
  }
  let label = '';
  if (at >= 0) {
    let s = 0;
    for (let c = 0; c < chunks.length; c++) {
      if (at < s + chunks[c].length) {
        label = labels[c];
        break;
      }
      s += chunks[c].length;
    }
  }
  process.stdout.write(`${diff} of ${all.length} values differ${diff ? `; largest |Δ| ${worst} in ${label}` : ''}\n`);
  process.exit(diff ? 1 : 0);
}
