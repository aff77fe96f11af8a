#!/usr/bin/env node
// 90 % interval coverage and mean width of lowrank on the bundled fixture, as `evaluate --json` reports
// them (methods.lowrank.coverage / intervalWidth: unmeasured test entries, pooled per seed, mean over
// seeds), with and without side matrices, for the reference split (train 0-25, test 26-36) and seeded
// random 26/11 splits, under both interval calibrations (`probes`: the task's own probes; `train`: the
// train rows' leave-one-task-out scale). Nothing is tuned on the test rows.
// Usage: node bench/completion/coverage.js [--side first_order] [--ks 30,10] [--seeds 0-9] [--random 3]
//        [--random-seeds 0-4] [--calibrations probes,train] [--out FILE]
import { writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate, defaultRng, fitLowrankCompletion as fitLowrank } from '../../dist/index.js';
import { readForgettingMatrix } from '../../dist/node.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const range = (spec) =>
  spec.split(',').flatMap((p) => {
    const m = /^(\d+)-(\d+)$/.exec(p);
    return m ? Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i) : [Number(p)];
  });
const sideNames = opt('side', 'first_order').split(',');
const ks = opt('ks', '30,10').split(',').map(Number);
const seeds = range(opt('seeds', '0-9'));
const randomSeeds = range(opt('random-seeds', '0-4'));
const nRandom = Number(opt('random', '3'));
const calibrations = opt('calibrations', 'probes,train').split(',');
const out = opt('out', null);
const { matrix, side } = await readForgettingMatrix(join(root, 'fixtures', 'real-dev-v1'), { side: sideNames });
/** A seeded 26/11 split: Fisher–Yates with draws from default_rng(1000 + s) (as bench/completion/side.js). */
function randomSplit(s) {
  const rng = defaultRng(1000 + s);
  const order = Array.from({ length: matrix.rows }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.integers(0, i + 1, 1)[0];
    [order[i], order[j]] = [order[j], order[i]];
  }
  return {
    name: `random-${s}`,
    train: order.slice(0, 26).sort((a, b) => a - b),
    test: order.slice(26).sort((a, b) => a - b),
  };
}
const reference = {
  name: 'reference',
  train: Array.from({ length: 26 }, (_, i) => i),
  test: Array.from({ length: 11 }, (_, i) => 26 + i),
};
const splits = [reference, ...Array.from({ length: nRandom }, (_, s) => randomSplit(s))];
const rows = [];
for (const split of splits) {
  for (const k of ks) {
    for (const withSide of [false, true]) {
      for (const calibration of calibrations) {
        const method = { name: 'lowrank', fit: (train, o) => fitLowrank(train, { ...o, calibration }) };
        const seedList = split.name === 'reference' ? seeds : randomSeeds;
        const r = await evaluate(matrix, {
          trainRows: split.train,
          testRows: split.test,
          known: k,
          seeds: seedList,
          methods: [method],
          ...(withSide ? { side } : {}),
        });
        const m = r.methods.lowrank;
        const row = {
          split: split.name,
          k,
          side: withSide ? sideNames.join(',') : null,
          calibration,
          seeds: seedList,
          rmse: m.rmse,
          coverage: m.coverage,
          intervalWidth: m.intervalWidth,
        };
        rows.push(row);
        process.stdout.write(JSON.stringify(row) + '\n');
      }
    }
  }
}
if (out)
  writeFileSync(
    out,
    JSON.stringify({ machine: { cpus: cpus().length, loadavg: loadavg(), node: process.version }, rows }, null, 1) +
      '\n',
  );
