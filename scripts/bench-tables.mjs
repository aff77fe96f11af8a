#!/usr/bin/env node
// Regenerates the generated tables of bench/RESULTS.md from the recorded JSON: every block
//   <!-- table: COMMAND -->
//   …
//   <!-- /table -->
// is replaced by COMMAND's standard output, run from the repository root. `--check` changes nothing and
// exits 1 when a block differs from what its command prints now (the test suite runs it).
// Only renderers of recorded results may run here: `node bench/tables/render.js …` and
// `python3 -m forgetscope.bench_replay --compare|--table …`.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = join(root, 'bench', 'RESULTS.md');
const check = process.argv.includes('--check');
const allowed = [/^node bench\/tables\/render\.js /, /^python3 -m forgetscope\.bench_replay --compare /];
const block = /^<!-- table: (.+?) -->\n([\s\S]*?)^<!-- \/table -->/gm;

const text = readFileSync(file, 'utf8');
let stale = 0;
let count = 0;
const next = text.replace(block, (_whole, command, body) => {
  count += 1;
  if (!allowed.some((re) => re.test(command))) {
    throw new Error(`bench/RESULTS.md: the table command "${command}" is not a recorded-results renderer`);
  }
  const [exe, ...args] = command.split(/\s+/);
  const out = execFileSync(exe, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: join(root, 'python') },
  });
  if (out !== body) {
    stale += 1;
    if (check) process.stderr.write(`bench/RESULTS.md: the table of "${command}" differs from its JSON\n`);
  }
  return `<!-- table: ${command} -->\n${out}<!-- /table -->`;
});
if (check) {
  process.stdout.write(`${count} generated tables, ${stale} stale\n`);
  process.exit(stale === 0 ? 0 : 1);
}
if (next !== text) writeFileSync(file, next);
process.stdout.write(`${count} generated tables, ${stale} rewritten\n`);
