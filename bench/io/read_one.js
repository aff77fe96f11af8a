#!/usr/bin/env node
// Reads one file into a matrix with forgetscope (built dist/) and prints one JSON line:
// {seconds, maxRssMB, shape, kept, embeddingKeys}. Run in its own process so that peak RSS belongs to this read.
import { readForgettingMatrix } from '../../dist/node.js';

const [path, ...flags] = process.argv.slice(2);
const progress = flags.includes('--progress')
  ? (done, total, label) =>
      process.stderr.write(`\r${label} ${total ? `${((100 * done) / total).toFixed(0)}%` : done}   `)
  : undefined;
const t0 = performance.now();
const twoPass = flags.includes('--one-pass') ? { twoPass: false } : {};
const { matrix, report } = await readForgettingMatrix(path, { ...(progress ? { progress } : {}), ...twoPass });
const seconds = (performance.now() - t0) / 1000;
if (progress) process.stderr.write('\n');
const maxRssMB = process.resourceUsage().maxRSS / 1024;
console.log(
  JSON.stringify({
    seconds,
    maxRssMB,
    shape: matrix.shape,
    kept: report.kept,
    matrixMB: matrix.values.byteLength / 2 ** 20,
    embeddingKeys: Object.keys(matrix.exampleMeta[0] ?? {}).filter((k) => k.startsWith('embedding.')).length,
  }),
);
