/**
 * Runs the reader cases of `cases/readers.mjs` through the built CLI (`node dist/cli/bin.js`), one
 * fresh temporary folder per case, and prints one line per case: status, seconds, peak RSS (Linux),
 * and what did not match. Usage: `npm run build && node test/hostile/runReaderCases.mjs [name-filter]`.
 * Exit status 1 when any case fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cases } from './cases/readers.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'dist/cli/bin.js');
const filter = process.argv[2];
// On a loaded machine the CLI's start-up alone can take seconds: scale the time limits with this.
const timeScale = Number(process.env['FORGETSCOPE_HOSTILE_TIME_SCALE'] ?? 1);
let failed = 0;
for (const c of cases) {
  if (filter && !c.name.includes(filter)) continue;
  const dir = mkdtempSync(join(tmpdir(), 'forgetscope-hostile-'));
  try {
    for (const [rel, content] of Object.entries(c.files)) {
      const path = join(dir, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, typeof content === 'function' ? content() : content);
    }
    const args = c.args.map((a) => a.replaceAll('{dir}', dir));
    const t0 = process.hrtime.bigint();
    // GNU time (when present) reports the peak RSS of the child.
    const timed = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const lines = timed.stderr.trimEnd().split('\n');
    const rssKb = Number(lines.pop());
    const stderr = lines.join('\n');
    const problems = [];
    if (timed.status !== c.exit) problems.push(`exit ${timed.status}, expected ${c.exit}`);
    if (c.stderr && !new RegExp(c.stderr).test(stderr)) problems.push(`stderr does not match /${c.stderr}/`);
    if (seconds > (c.maxSeconds ?? 2) * timeScale)
      problems.push(`took ${seconds.toFixed(2)} s > ${(c.maxSeconds ?? 2) * timeScale} s`);
    if (rssKb / 1024 > (c.maxRssMb ?? 400))
      problems.push(`peak RSS ${(rssKb / 1024).toFixed(0)} MB > ${c.maxRssMb ?? 400} MB`);
    if (problems.length) failed++;
    console.log(
      `${problems.length ? 'FAIL' : 'ok  '} ${seconds.toFixed(2)}s ${(rssKb / 1024).toFixed(0)}MB ${c.name}${problems.length ? `\n     ${problems.join('; ')}\n     stderr: ${stderr.slice(0, 400)}` : ''}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`${cases.length} cases, ${failed} failed`);
process.exit(failed ? 1 : 0);
