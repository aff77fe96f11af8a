#!/usr/bin/env node
// Side information on the bundled fixture (issue 12): the paper's protocol (numpy default_rng(seed)
// probes, pooled RMSE per seed, mean over seeds) for lowrank without and with side matrices, the
// ensemble, and the paper's best method (svd), on the reference split and on seeded random 26/11
// splits; the 90 % interval coverage of lowrank over the unmeasured entries; per-fit seconds.
// The full-row span floors are computed by bench/completion/side-floors.py from the splits this script
// writes. Nothing here is tuned: lowrank and the ensemble choose their settings by leave-one-task-out.
// --derive basic adds the derived candidate side matrices of `deriveSideMatrices` (from the given ones,
// the base NLL and the examples' `source`), among which lowrank keeps, per column set, those that help
// by leave-one-task-out; each run records which were kept (`sideKept`, share of completed rows).
// Usage: node bench/completion/side.js [--side first_order] [--derive basic] [--ks 30,10] [--seeds 0-9] [--random 3]
//        [--random-seeds 0-4] [--svd-seeds 0-4] [--out bench/completion/side-results.json] [--no-svd] [--no-ensemble]
//        [--no-coverage] [--no-reference] [--no-effects]
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  evaluate,
  createCompletionMethod as createMethod,
  withFitOptions,
  fitLowrankCompletion as fitLowrank,
  defaultRng,
  deriveSideMatrices,
  knownEntriesOf,
  sideDeriveFeatures,
  selectSideRows,
  sideRowOf,
} from '../../dist/index.js';
import { readForgettingMatrix } from '../../dist/node.js';
import { REFERENCE_SPLIT, flag, opt, randomSplit, range, root } from './splits.js';

const sideNames = opt('side', 'first_order').split(',');
const ks = opt('ks', '30,10').split(',').map(Number);
const seeds = range(opt('seeds', '0-9'));
const randomSeeds = range(opt('random-seeds', '0-4'));
const svdSeeds = range(opt('svd-seeds', '0-4'));
const nRandom = Number(opt('random', '3'));
const out = opt('out', join(root, 'bench', 'completion', 'side-results.json'));
const withSvd = !flag('no-svd');
const withEnsemble = !flag('no-ensemble');
const withCoverage = !flag('no-coverage');
const derive = opt('derive', 'none');
// --no-effects: lowrank without its example effects (the figures recorded before they existed)
const effectsOff = flag('no-effects');
const createCompletionMethod = (name) =>
  effectsOff && name === 'lowrank' ? withFitOptions(createMethod(name), { exampleEffects: false }) : createMethod(name);
const log = (s) => process.stderr.write(s + '\n');

const read = await readForgettingMatrix(join(root, 'fixtures', 'real-dev-v1'), { side: sideNames });
const matrix = read.matrix;
const side = deriveSideMatrices(read.side, sideDeriveFeatures(matrix), derive);
const splits = [
  ...(flag('no-reference') ? [] : [REFERENCE_SPLIT]),
  ...Array.from({ length: nRandom }, (_, s) => randomSplit(matrix.rows, s)),
];

/** 90 % interval coverage of lowrank over the unmeasured entries (paper probes), and the mean width. */
async function coverage(split, k, useSide, seedList) {
  const train = matrix.selectRows(Int32Array.from(split.train));
  const fitted = await fitLowrank(train, {
    ...(useSide ? { side: selectSideRows(side, split.train) } : {}),
    ...(effectsOff ? { exampleEffects: false } : {}),
  });
  let inside = 0;
  let total = 0;
  let width = 0;
  for (const seed of seedList) {
    const drawn = defaultRng(seed).choice(matrix.cols, k);
    for (const t of split.test) {
      const e = knownEntriesOf(drawn, matrix.row(t), null);
      const known = useSide ? { ...e, side: sideRowOf(side, t) } : e;
      const { lower, upper } = await fitted.predictRow(known);
      const measured = new Set(e.columns);
      for (let j = 0; j < matrix.cols; j++) {
        if (measured.has(j)) continue;
        const y = matrix.get(t, j);
        if (y >= lower[j] && y <= upper[j]) inside++;
        width += upper[j] - lower[j];
        total++;
      }
    }
  }
  return { coverage: inside / total, meanWidth: width / total };
}

const results = {
  machine: { loadavg: loadavg(), node: process.version },
  side: sideNames,
  derive,
  exampleEffects: !effectsOff,
  candidates: side.map((s) => s.name),
  splits,
  runs: [],
};
for (const split of splits) {
  for (const k of ks) {
    const seedList = split.name === 'reference' ? seeds : randomSeeds;
    const row = { split: split.name, k, seeds: seedList, rmse: {}, seconds: {} };
    const plain = await evaluate(matrix, {
      trainRows: split.train,
      testRows: split.test,
      known: k,
      seeds: seedList,
      methods: [createCompletionMethod('lowrank')],
    });
    row.rmse['lowrank'] = plain.methods.lowrank.rmse;
    row.seconds['lowrank'] = plain.methods.lowrank.seconds / plain.methods.lowrank.fits;
    const methods = [
      createCompletionMethod('lowrank'),
      ...(withEnsemble && split.name === 'reference' ? [createCompletionMethod('ensemble')] : []),
    ];
    const withSide = await evaluate(matrix, {
      trainRows: split.train,
      testRows: split.test,
      known: k,
      seeds: seedList,
      methods,
      side,
    });
    for (const [name, m] of Object.entries(withSide.methods)) {
      row.rmse[`${name}+side`] = m.rmse;
      row.seconds[`${name}+side`] = m.seconds / m.fits;
      if (m.sideKeptShare) row.sideKept = { ...row.sideKept, [`${name}+side`]: m.sideKeptShare };
    }
    if (withEnsemble && split.name === 'reference') {
      const ens = await evaluate(matrix, {
        trainRows: split.train,
        testRows: split.test,
        known: k,
        seeds: seedList,
        methods: [createCompletionMethod('ensemble')],
      });
      row.rmse['ensemble'] = ens.methods.ensemble.rmse;
    }
    if (withSvd) {
      const svdList = split.name === 'reference' && k === 30 ? seeds : svdSeeds.filter((s) => seedList.includes(s));
      const s = await evaluate(matrix, {
        trainRows: split.train,
        testRows: split.test,
        known: k,
        seeds: svdList,
        methods: [createCompletionMethod('svd')],
      });
      row.rmse['svd'] = s.methods.svd.rmse;
      row.svdSeeds = svdList;
      // lowrank on exactly svd's seeds, for a like-for-like ratio (the runs above when the seeds agree)
      const sameSeeds = svdList.join() === seedList.join();
      const on = async (withSide) =>
        (
          await evaluate(matrix, {
            trainRows: split.train,
            testRows: split.test,
            known: k,
            seeds: svdList,
            methods: [createCompletionMethod('lowrank')],
            ...(withSide ? { side } : {}),
          })
        ).methods.lowrank;
      const same = sameSeeds ? withSide.methods.lowrank : await on(true);
      const samePlain = sameSeeds ? plain.methods.lowrank : await on(false);
      row.ratioToSvd = {
        lowrank: samePlain.rmse / s.methods.svd.rmse,
        'lowrank+side': same.rmse / s.methods.svd.rmse,
      };
    }
    if (withCoverage)
      row.coverage = {
        lowrank: await coverage(split, k, false, seedList),
        'lowrank+side': await coverage(split, k, true, seedList),
      };
    results.runs.push(row);
    log(JSON.stringify(row));
    writeFileSync(out, JSON.stringify(results, null, 1) + '\n');
  }
}
results.machine.loadavgEnd = loadavg();
writeFileSync(out, JSON.stringify(results, null, 1) + '\n');
log(`wrote ${out}`);
