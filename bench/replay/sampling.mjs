// Speed of replay planning at large N: softmax weights + Efraimidis–Spirakis keys + quickselect top-k
// (forgetscope) against the same keys fully sorted (the reference a straightforward implementation
// would use), measured in the same run. usage: npm run bench -- replay sampling [--runs 5]
import { replayLogits, softmaxWeights, sampleWithoutReplacement } from '../../dist/index.js';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function referenceSortedDraw(logw, k, seed) {
  // same keys, then a full sort of all N keys (O(N log N))
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
  const keys = new Float64Array(logw.length);
  for (let j = 0; j < logw.length; j++) keys[j] = logw[j] - Math.log(-Math.log(rand()));
  const idx = Int32Array.from({ length: logw.length }, (_, j) => j);
  idx.sort((a, b) => keys[b] - keys[a]);
  return idx.slice(0, k);
}

console.log('| N | k | forgetscope plan (weights + draw) ms | reference (full sort) ms | ratio |');
console.log('|---|---|---|---|---|');
for (const n of [1_000_000, 10_000_000]) {
  const scores = new Float64Array(n);
  for (let j = 0; j < n; j++) scores[j] = Math.sin(j * 12.9898) * 0.3;
  for (const k of [32, 10_000]) {
    const ours = [];
    const ref = [];
    for (let r = 0; r < runs; r++) {
      let t = performance.now();
      softmaxWeights(scores, 0.1);
      const lw = replayLogits(scores, 0.1);
      sampleWithoutReplacement(lw, k, { seed: r });
      ours.push(performance.now() - t);
      t = performance.now();
      softmaxWeights(scores, 0.1);
      referenceSortedDraw(replayLogits(scores, 0.1), k, r);
      ref.push(performance.now() - t);
    }
    const a = median(ours);
    const b = median(ref);
    console.log(
      `| ${n.toLocaleString('en')} | ${k} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b / a).toFixed(1)}× faster |`,
    );
  }
}
