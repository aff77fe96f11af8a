// `npm run bench -- replay [options]`: the closed-loop replay experiment (Python + PyTorch on the CPU;
// options go to bench/replay/closed_loop.py, a driver of `python -m forgetscope.bench_replay`; results
// land in bench/out/replay-policies/).
// `npm run bench -- replay sampling [--runs 5]`: speed of weights + sampling at N = 1e6 and 1e7.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
if (args[0] === 'sampling') {
  await import(pathToFileURL(join(here, 'sampling.mjs')).href);
} else {
  const r = spawnSync('python3', [join(here, 'closed_loop.py'), ...args], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
