#!/usr/bin/env node
// Runs the core checks (coreChecks.mjs) on the built library (dist/) in this runtime — Node or Deno —
// and prints one line per check plus a JSON summary line; exits 1 when any check fails.
// WebGPU: Deno's built-in navigator.gpu; in Node, Dawn (the `webgpu` package) through forgetscope/node.
// FORGETSCOPE_REQUIRE_WEBGPU=1 turns a missing adapter into a failure.
//   node test/runtimes/runCore.mjs        deno run -A test/runtimes/runCore.mjs
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { runCoreChecks } from './coreChecks.mjs';

const root = new URL('../../', import.meta.url);
const lib = await import(new URL('dist/index.js', root).href);
const fixture = (name) => readFile(new URL(`fixtures/real-dev-v1/${name}`, root));
const files = {
  'long.parquet': new Uint8Array(await fixture('long.parquet')),
  'Z.npy': new Uint8Array(await fixture('Z.npy')),
  sanity: JSON.parse(new TextDecoder().decode(await fixture('sanity.json'))),
};
const isDeno = typeof globalThis.Deno !== 'undefined';
const runtime = isDeno
  ? `Deno ${globalThis.Deno.version.deno} (V8 ${globalThis.Deno.version.v8})`
  : `Node ${process.version} (V8 ${process.versions.v8})`;
let gpu = null;
if (isDeno) gpu = globalThis.navigator?.gpu ?? null;
else gpu = await (await import(new URL('dist/node.js', root).href)).nodeGpu();
const requireWebGpu = process.env.FORGETSCOPE_REQUIRE_WEBGPU === '1';
const denoBackend = isDeno
  ? ` (DENO_WEBGPU_BACKEND=${process.env.DENO_WEBGPU_BACKEND ?? 'unset: wgpu picks Vulkan or OpenGL'})`
  : '';
console.log(
  `core checks on ${runtime}; WebGPU entry point: ${isDeno ? `navigator.gpu (built in)${denoBackend}` : 'Dawn (webgpu package)'}${gpu ? '' : ' — none'}`,
);
const t0 = performance.now();
const { lines, failures, results } = await runCoreChecks(lib, files, { gpu, requireWebGpu, runtime });
for (const line of lines) console.log(`  ${line}`);
console.log(
  `${failures.length ? `FAILED (${failures.join('; ')})` : 'all core checks passed'} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
console.log(JSON.stringify({ runtime, results }));
process.exit(failures.length ? 1 : 0);
