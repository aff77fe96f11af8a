#!/usr/bin/env node
// Compares the JSON summary lines that test/runtimes/runCore.mjs printed on several runtimes: the cpu
// results (R², RMSE, prediction correlation) must agree with the first file's to 1e-12, and each
// runtime must have run WebGPU. Usage: node compareResults.mjs first.out other.out …
import { readFileSync } from 'node:fs';

const TOL = 1e-12;
const load = (f) => JSON.parse(readFileSync(f, 'utf8').trim().split('\n').pop());
const [first, ...others] = process.argv.slice(2).map(load);
const flat = (r) => [...r.results.r2, r.results.rmse.lowrank, r.results.rmse['additive-ls'], r.results.predictCorr];
let failed = false;
for (const r of [first, ...others]) {
  if (!r.results.webgpu) {
    console.log(`FAIL ${r.runtime}: WebGPU did not run`);
    failed = true;
  }
}
for (const r of others) {
  const a = flat(first);
  const b = flat(r);
  const worst = Math.max(...a.map((x, k) => Math.abs(x - b[k]) / Math.max(1, Math.abs(x))));
  const ok = a.length === b.length && worst <= TOL;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${r.runtime} vs ${first.runtime}: max relative difference of the cpu results ${worst.toExponential(2)}; WebGPU on ${r.results.webgpu?.adapter ?? 'none'}`,
  );
  if (!ok) failed = true;
}
process.exit(failed ? 1 : 0);
