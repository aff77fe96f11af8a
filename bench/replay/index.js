// `npm run bench -- replay [options]`: the closed-loop replay experiment (Python + PyTorch on the CPU).
// Options go to bench/replay/closed_loop.py (see its --help); results land in bench/out/replay/.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const r = spawnSync('python3', [join(here, 'closed_loop.py'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
