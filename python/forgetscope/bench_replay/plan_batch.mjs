// Batch planner of the closed-loop replay benchmark: plans every (task, seed, ratio, policy) job through
// forgetscope's engine (`planOfflineReplay`, the same call `forgetscope replay` makes) in one Node process,
// so the benchmark does not pay a Node start per plan; the benchmark checks the CLI selects the same.
// usage: node plan_batch.mjs <forgetscope dist folder> jobs.json out.json
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, jobsFile, outFile] = process.argv.slice(2);
const { readForgettingMatrix, readIdList } = await import(pathToFileURL(join(dist, 'node.js')).href);
const { createCompletionMethod, planOfflineReplay } = await import(pathToFileURL(join(dist, 'index.js')).href);

const spec = JSON.parse(readFileSync(jobsFile, 'utf8'));
const { matrix } = await readForgettingMatrix(spec.train);
const exclude = new Uint8Array(matrix.cols);
for (const id of await readIdList(spec.exclude)) exclude[matrix.exampleIndex(id)] = 1;
const sides = {};
for (const [name, values] of Object.entries(spec.sides ?? {})) {
  const row = new Float64Array(matrix.cols);
  spec.sideIds.forEach((id, t) => (row[matrix.exampleIndex(String(id))] = values[t]));
  sides[name] = row;
}
const out = {};
let done = 0;
for (const job of spec.jobs) {
  const pairs = job.observed.ids.map((id, t) => [matrix.exampleIndex(String(id)), job.observed.values[t]]).sort((a, b) => a[0] - b[0]);
  const options = {
    train: matrix,
    known: { columns: Int32Array.from(pairs, (p) => p[0]), values: Float64Array.from(pairs, (p) => p[1]) },
    completion: createCompletionMethod(job.method),
    fitOptions: { seed: job.seed },
    nFineTune: job.n,
    ratio: job.ratio,
    seed: job.seed,
    exclude,
    policy: job.policy,
    autoSupport: job.autoSupport,
    factorRank: job.factorRank,
    method: job.method,
  };
  if (job.side) options.side = sides[job.side];
  const plan = await planOfflineReplay(options);
  out[job.name] = { selected: Array.from(plan.selected, (j) => matrix.exampleIds[j]), scores: Array.from(plan.scores), replayN: plan.replayN, temperature: plan.temperature, policy: plan.policy };
  if (++done % 50 === 0) process.stderr.write(`  planned ${done}/${spec.jobs.length}\n`);
}
writeFileSync(outFile + '.tmp', JSON.stringify(out));
renameSync(outFile + '.tmp', outFile);
