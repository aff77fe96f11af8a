#!/usr/bin/env node
// lowrank's example effects on a dataset folder other than the fixture (e.g. the closed-loop benchmark's
// hf-llama matrix, bench/replay/dataset-hf-llama): the paper's protocol (numpy default_rng(seed) probes,
// pooled RMSE per seed, mean over seeds) for lowrank with and without the effects, without and with the
// given side matrices, on the given splits (test rows; every other row trains), and svd as the reference;
// for each lowrank variant also the coverage and mean width of its 90 % intervals (as `evaluate` reports them).
// Usage: node bench/completion/effects.js --data DIR --splits 0-3/4-7/13-16 [--side first_order] [--seeds 0-4]
//        [--known 30] [--examples FILE] [--out FILE]
// --examples FILE merges a JSON Lines file of example metadata into the folder's (e.g. its embeddings.jsonl:
// `embedding.<i>` keys, taken as covariates of the effects).
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createCompletionMethod, evaluate, withFitOptions } from '../../dist/index.js';
import { readForgettingMatrix } from '../../dist/node.js';
import { opt, range } from './splits.js';

const data = opt('data', null);
if (!data) throw new Error('--data DIR is required');
const sideNames = opt('side', 'first_order').split(',');
const seeds = range(opt('seeds', '0-4'));
const known = Number(opt('known', '30'));
const out = opt('out', null);
const examples = opt('examples', null);
const { matrix, side } = await readForgettingMatrix(data, { side: sideNames, ...(examples ? { examples } : {}) });
const splits = opt('splits', '0-3')
  .split('/')
  .map((spec) => {
    const test = range(spec);
    return { test, train: Array.from({ length: matrix.rows }, (_, i) => i).filter((i) => !test.includes(i)) };
  });
const lowrank = (effects) =>
  effects
    ? createCompletionMethod('lowrank')
    : withFitOptions(createCompletionMethod('lowrank'), { exampleEffects: false });

const results = {
  machine: { loadavg: loadavg(), node: process.version },
  data,
  side: sideNames,
  ...(examples ? { examples } : {}),
  seeds,
  known,
  runs: [],
};
for (const split of splits) {
  const row = { test: split.test, rmse: {}, coverage: {}, intervalWidth: {} };
  const base = { trainRows: split.train, testRows: split.test, known, seeds };
  row.rmse.svd = (await evaluate(matrix, { ...base, methods: [createCompletionMethod('svd')] })).methods.svd.rmse;
  for (const withSide of [false, true])
    for (const effects of [false, true]) {
      const r = await evaluate(matrix, { ...base, methods: [lowrank(effects)], ...(withSide ? { side } : {}) });
      const name = `lowrank${withSide ? '+side' : ''}${effects ? '+effects' : ''}`;
      row.rmse[name] = r.methods.lowrank.rmse;
      // the 90 % intervals: share of unmeasured test entries inside, and their mean width
      row.coverage[name] = r.methods.lowrank.coverage;
      row.intervalWidth[name] = r.methods.lowrank.intervalWidth;
    }
  results.runs.push(row);
  process.stderr.write(JSON.stringify(row) + '\n');
}
results.machine.loadavgEnd = loadavg();
const text = JSON.stringify(results, null, 1) + '\n';
if (out) writeFileSync(out, text);
else process.stdout.write(text);
