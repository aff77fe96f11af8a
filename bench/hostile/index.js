// `npm run bench -- hostile [--concurrency 1] [--filter TEXT] [--time-scale 1] [--out FILE]`: runs the hostile-input
// corpus (test/hostile/cases/*.mjs) against the built CLI, measuring each child's wall time and peak
// RSS (process.resourceUsage().maxRSS, recorded at exit by a preload), and fails every case over its
// bounds (maxSeconds, default 2, times --time-scale or FORGETSCOPE_HOSTILE_TIME_SCALE; maxRssMb, default 400) or with the wrong exit status or message.
// Prints a table (slowest first) and writes the results as JSON (default bench/out/hostile.json).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judge, loadCases, requireBuild, runAll } from '../../test/hostile/runner.mjs';
import { median, opt } from '../args.js';

const here = dirname(fileURLToPath(import.meta.url));
const concurrency = Number(opt('concurrency', '1'));
const filter = opt('filter', '');
const outPath = opt('out', join(here, '..', 'out', 'hostile.json'));
// On a loaded machine the CLI's start-up alone can take seconds: scale every time bound by this.
const timeScale = Number(opt('time-scale', process.env.FORGETSCOPE_HOSTILE_TIME_SCALE ?? '1'));

requireBuild();
let cases = await loadCases();
if (filter) cases = cases.filter((c) => c.name.includes(filter) || c.file.includes(filter));
const load0 = loadavg()[0];
const t0 = performance.now();
let done = 0;
const results = await runAll(cases, {
  concurrency,
  measure: true,
  onResult: () => {
    done++;
    if (process.stderr.isTTY) process.stderr.write(`\r${done}/${cases.length}`);
  },
});
if (process.stderr.isTTY) process.stderr.write('\n');
const wall = (performance.now() - t0) / 1000;

const rows = cases.map((c, i) => {
  const r = results[i];
  const problems = judge(c, r).filter((p) => !p.startsWith('stderr was'));
  if (r.seconds > c.maxSeconds * timeScale) problems.push(`${r.seconds.toFixed(2)} s > ${c.maxSeconds * timeScale} s`);
  if (r.rssMb === null) problems.push('peak RSS not recorded');
  else if (r.rssMb > c.maxRssMb) problems.push(`${r.rssMb.toFixed(0)} MB > ${c.maxRssMb} MB`);
  return {
    file: c.file,
    name: c.name,
    exit: r.code,
    expected: c.exit,
    seconds: r.seconds,
    rssMb: r.rssMb,
    maxSeconds: c.maxSeconds,
    maxRssMb: c.maxRssMb,
    problems,
  };
});
const failed = rows.filter((r) => r.problems.length > 0);
const byTime = [...rows].sort((a, b) => b.seconds - a.seconds);
const pad = (s, n) => String(s).padEnd(n);
console.log(`${pad('case', 70)} ${pad('exit', 5)} ${pad('seconds', 8)} ${pad('peak MB', 8)} problems`);
for (const r of byTime) {
  console.log(
    `${pad(`${r.file}: ${r.name}`.slice(0, 70), 70)} ${pad(r.exit, 5)} ${pad(r.seconds.toFixed(2), 8)} ${pad(r.rssMb === null ? '—' : r.rssMb.toFixed(0), 8)} ${r.problems.join('; ')}`,
  );
}
const summary = {
  cases: rows.length,
  failed: failed.length,
  wallSeconds: wall,
  concurrency,
  timeScale,
  medianSeconds: rows.length ? median(rows.map((r) => r.seconds)) : NaN,
  maxSeconds: byTime[0]?.seconds ?? null,
  maxRssMb: Math.max(...rows.map((r) => r.rssMb ?? 0)),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: totalmem() / 2 ** 30,
    loadAverageAtStart: load0,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  },
};
console.log(
  `\n${rows.length} cases, ${failed.length} failed; wall ${wall.toFixed(1)} s at concurrency ${concurrency}; median ${summary.medianSeconds.toFixed(2)} s, slowest ${summary.maxSeconds?.toFixed(2)} s, peak RSS ${summary.maxRssMb.toFixed(0)} MB (load average ${load0.toFixed(1)} on ${summary.machine.cores} cores)`,
);
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, JSON.stringify({ summary, rows }, null, 1) + '\n');
console.log(`results: ${outPath}`);
process.exitCode = failed.length > 0 ? 1 : 0;
