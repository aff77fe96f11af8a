// The cases of the one-ridge golden file (ridgeGolden.json): lowrank's decisions, predictions and interval
// bounds on the bundled fixture and on a small synthetic matrix. Shared by the recording script
// (recordRidgeGolden.js, run on the built library) and the test (ridgeGolden.test.ts, run on the sources):
// the library is passed in, so both run exactly these cases.
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Bits of a Float64Array as a hex digest, so every value is compared without storing it. */
function digest(a) {
  const f = Float64Array.from(a);
  return createHash('sha256').update(new Uint8Array(f.buffer)).digest('hex');
}

/** Every `stride`-th value (kept in clear for tolerance checks and for reading a failure). */
function sample(a, stride) {
  const out = [];
  for (let j = 0; j < a.length; j += stride) out.push(a[j]);
  return out;
}

/** A 14×50 matrix of rank-3 structure plus a deterministic wiggle, and one side matrix near its rows. */
function synthetic(lib) {
  const m = 14;
  const n = 50;
  const values = new Float64Array(m * n);
  const side = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      const low =
        Math.sin(0.7 * i + 0.3 * j) + 0.5 * Math.cos(1.1 * i - 0.2 * j) + 0.2 * (i % 3) * Math.sin(0.05 * j * j);
      values[i * n + j] = 1 + (0.1 * j) / n + low + 0.05 * Math.sin(17.3 * i * j + 1.7);
      side[i * n + j] = low + 0.3 * Math.cos(5.1 * i * j);
    }
  const matrix = new lib.ForgettingMatrix({
    values,
    taskIds: Array.from({ length: m }, (_, i) => `t${i}`),
    exampleIds: Array.from({ length: n }, (_, j) => `e${j}`),
  });
  return { matrix, side: [{ name: 'near', rows: m, cols: n, data: side }], train: 11 };
}

async function fixture(lib) {
  const { matrix, side } = await lib.readForgettingMatrix(join(root, 'fixtures', 'real-dev-v1'), {
    side: ['first_order', 'task_gradient'],
  });
  return { matrix, side, train: 26 };
}

/** The fits of each data set: options, and whether the new task's side row is passed. */
const FITS = [
  { name: 'default', options: {} },
  { name: 'no-intervals', options: { intervals: false } },
  { name: 'train-calibration', options: { calibration: 'train' } },
  { name: 'fixed-hyper', options: { hyper: { variant: 'column', k: 3, alpha: 1 } } },
  // every side matrix in the ridge, as lowrank did when these were recorded (`sideSelection: 'all'`;
  // code from before that option ignores it)
  { name: 'side', options: { sideAll: true, sideSelection: 'all' }, side: true },
  { name: 'side-no-intervals', options: { sideAll: true, sideSelection: 'all', intervals: false }, side: true },
];

/**
 * Runs every case through `lib` (the package's exports, or the sources', with `readForgettingMatrix`) and returns the record: per data set, fit, probe set and
 * test row, the decision and the digests and samples of prediction, lower and upper.
 */
export async function runRidgeGoldenCases(lib) {
  const out = {};
  for (const [dataName, load, probeCounts, testRows, stride] of [
    ['fixture', fixture, [30, 10, 5], [26, 31, 36], 50],
    ['synthetic', synthetic, [20, 8, 4], [11, 12, 13], 5],
  ]) {
    const { matrix, side, train: mTrain } = await load(lib);
    const trainRows = Array.from({ length: mTrain }, (_, i) => i);
    const train = matrix.selectRows(Int32Array.from(trainRows));
    const trainSide = lib.selectSideRows(side, trainRows);
    const probes = probeCounts.map((k, s) => [`seed${s}-k${k}`, lib.defaultRng(s).choice(matrix.cols, k)]);
    for (const fit of FITS) {
      const { sideAll, ...rest } = fit.options;
      // the golden pins the ridge: the example effects that follow it (on by default since) are off
      const fitted = await lib.fitLowrankCompletion(train, {
        ...rest,
        exampleEffects: false,
        ...(sideAll ? { side: trainSide } : {}),
      });
      for (const [probeName, cols] of probes) {
        const columns = Int32Array.from(cols);
        const d = fitted.decide(columns);
        const rows = [];
        for (const t of testRows) {
          const e = lib.knownEntriesOf(columns, matrix.row(t), null);
          const known = fit.side ? { ...e, side: lib.sideRowOf(side, t) } : e;
          const p = await fitted.predictRow(known);
          const row = { row: t };
          for (const key of ['prediction', 'lower', 'upper'])
            if (p[key]) row[key] = { digest: digest(p[key]), sample: sample(p[key], stride) };
          rows.push(row);
        }
        out[`${dataName}/${fit.name}/${probeName}`] = {
          side: fit.side === true,
          decision: { ...d.hyper, looRmse: d.looRmse, kappa: d.kappa },
          rows,
        };
      }
    }
  }
  return out;
}
