#!/usr/bin/env node
// 90 % interval coverage and mean width of lowrank on the bundled fixture, as `evaluate --json` reports
// them (methods.lowrank.coverage / intervalWidth: unmeasured test entries, pooled per seed, mean over
// seeds), with and without side matrices, for the fixture's reference split (splits.js) and seeded
// random 26/11 splits, under both interval calibrations (`probes`: the task's own probes; `train`: the
// train rows' leave-one-task-out scale). Nothing is tuned on the test rows.
// Usage: node bench/completion/coverage.js [--side first_order] [--ks 30,10] [--seeds 0-9] [--random 3]
//        [--random-seeds 0-4] [--calibrations probes,train] [--out FILE]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg, cpus } from 'node:os';
import { evaluate, fitLowrankCompletion as fitLowrank } from '../../dist/index.js';
import { readForgettingMatrix } from '../../dist/node.js';
import { REFERENCE_SPLIT, opt, optList, optNumbers, randomSplit, range, root } from './splits.js';

const sideNames = optList('side', 'first_order');
const ks = optNumbers('ks', '30,10');
const seeds = range(opt('seeds', '0-9'));
const randomSeeds = range(opt('random-seeds', '0-4'));
const nRandom = Number(opt('random', '3'));
const calibrations = optList('calibrations', 'probes,train');
const out = opt('out', null);
const { matrix, side } = await readForgettingMatrix(join(root, 'fixtures', 'real-dev-v1'), { side: sideNames });
const splits = [REFERENCE_SPLIT, ...Array.from({ length: nRandom }, (_, s) => randomSplit(matrix.rows, s))];
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
