// Replay plans for the closed-loop experiment through forgetscope's TypeScript API (built dist/):
// one process plans every (task, seed, ratio, policy) job, so the experiment does not pay a Node start
// per plan. The experiment checks once per ratio that `forgetscope replay` (the CLI) selects the same.
// usage: node bench/replay/plan.mjs jobs.json out.json
import { readFileSync, writeFileSync } from 'node:fs';
import { readForgettingMatrix, readIdList } from '../../dist/node.js';
import { createCompletionMethod, planOfflineReplay } from '../../dist/index.js';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { matrix } = await readForgettingMatrix(spec.train);
const exclude = new Uint8Array(matrix.cols);
for (const id of await readIdList(spec.exclude)) exclude[matrix.exampleIndex(id)] = 1;
const out = {};
for (const job of spec.jobs) {
  const pairs = job.observed.ids.map((id, t) => [matrix.exampleIndex(String(id)), job.observed.values[t]]).sort((a, b) => a[0] - b[0]);
  const plan = await planOfflineReplay({
    train: matrix,
    known: { columns: Int32Array.from(pairs, (p) => p[0]), values: Float64Array.from(pairs, (p) => p[1]) },
    completion: createCompletionMethod(job.method),
    fitOptions: { seed: job.seed },
    nFineTune: job.n,
    ratio: job.ratio,
    temperature: job.temperature,
    seed: job.seed,
    exclude,
  });
  out[job.name] = { selected: Array.from(plan.selected, (j) => matrix.exampleIds[j]), scores: Array.from(plan.scores), replayN: plan.replayN };
}
writeFileSync(process.argv[3], JSON.stringify(out));
