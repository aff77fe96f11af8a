#!/usr/bin/env node
// `npm run bench -- io [--runs 3] [--formats csv,parquet,arrow] [--tasks 100] [--examples 100000] [--embeddings 0] [--precision 5|full]`
// Reads a 10-million-row long table (100 tasks × 100,000 examples) as CSV, Parquet and Arrow into a
// matrix with forgetscope, and with pandas/pyarrow + pivot on the same files in the same run. Each
// read runs in its own process (so peak RSS is that read's); the median of --runs runs is reported.
// --embeddings K adds K numeric embedding.<i> columns (one value per example), which both sides keep.
// --precision full keeps the NLLs at full float64 precision (default: rounded to 5 decimals).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, opt } from '../args.js';

const here = dirname(fileURLToPath(import.meta.url));
const runs = Number(opt('runs', '3'));
const formats = opt('formats', 'csv,parquet,arrow').split(',');
const tasks = Number(opt('tasks', '100'));
const examples = Number(opt('examples', '100000'));
const embeddings = Number(opt('embeddings', '0'));
const full = opt('precision', '5') === 'full';
const dataDir = join(here, '..', 'data');
const stem = join(dataDir, `long_${tasks}x${examples}${embeddings > 0 ? `_e${embeddings}` : ''}${full ? '_full' : ''}`);

// numpy/pandas in their default threading; the machine-specific OpenBLAS overrides are dropped here only.
const pyEnv = { ...process.env };
delete pyEnv.OPENBLAS_CORETYPE;
delete pyEnv.OPENBLAS_L2_SIZE;

if (!formats.every((f) => existsSync(`${stem}.${f}`))) {
  process.stderr.write(`generating ${stem}.{csv,parquet,arrow} …\n`);
  const args = [join(here, 'make_data.py'), dataDir, String(tasks), String(examples), String(embeddings)];
  execFileSync('python3', full ? [...args, 'full'] : args, {
    stdio: 'inherit',
    env: pyEnv,
  });
}

function measure(cmd, cmdArgs, env) {
  const r = spawnSync(cmd, cmdArgs, { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const rows = [];
for (const f of formats) {
  const file = `${stem}.${f}`;
  const ours = [];
  const ref = [];
  for (let k = 0; k < runs; k++) {
    // Alternate the two so that load changes on a shared machine hit both alike.
    process.stderr.write(`${f} run ${k + 1}/${runs}: forgetscope … `);
    ours.push(
      measure(process.execPath, [join(here, 'read_one.js'), file, ...(k === 0 ? ['--progress'] : [])], process.env),
    );
    process.stderr.write(`${ours.at(-1).seconds.toFixed(2)} s; ${f === 'csv' ? 'pandas' : 'pyarrow'} … `);
    ref.push(measure('python3', [join(here, 'reference.py'), file, f], pyEnv));
    process.stderr.write(`${ref.at(-1).seconds.toFixed(2)} s\n`);
  }
  const o = median(ours.map((r) => r.seconds));
  const p = median(ref.map((r) => r.seconds));
  const oRss = Math.max(...ours.map((r) => r.maxRssMB));
  const pRss = Math.max(...ref.map((r) => r.maxRssMB));
  rows.push({
    format: f,
    forgetscope_s: o,
    reference_s: p,
    ratio: o / p,
    forgetscope_peakRssMB: oRss,
    reference_peakRssMB: pRss,
    matrixMB: ours[0].matrixMB,
    rssOverMatrix: oRss / ours[0].matrixMB,
    runs,
  });
}

const machine = `${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${loadavg()
  .map((x) => x.toFixed(1))
  .join(' ')}`;
console.log(`machine: ${machine}`);
console.log(`data: ${stem}.{${formats.join(',')}} (${tasks * examples} rows)`);
console.log(
  '| format | forgetscope (s) | reference (s) | ratio | forgetscope peak RSS (MB) | peak RSS / matrix | reference peak RSS (MB) |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  const refName =
    r.format === 'csv'
      ? 'pandas.read_csv + pivot'
      : r.format === 'parquet'
        ? 'pyarrow.parquet + pivot'
        : 'pyarrow.feather + pivot';
  console.log(
    `| ${r.format} | ${r.forgetscope_s.toFixed(2)} | ${r.reference_s.toFixed(2)} (${refName}) | ${r.ratio.toFixed(2)}× | ${r.forgetscope_peakRssMB.toFixed(0)} | ${r.rssOverMatrix.toFixed(2)}× | ${r.reference_peakRssMB.toFixed(0)} |`,
  );
}
console.log(JSON.stringify(rows));
