// The hostile-input corpus runner, shared by test/hostile/corpus.test.ts (exit codes and messages) and
// bench/hostile (wall time and peak memory). A case is data: files written into a fresh temporary
// folder, the CLI arguments ('{dir}' = that folder), the expected exit status and a stderr pattern.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const ROOT = join(here, '..', '..');
/** The built CLI every case runs. */
export const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
/** A preload that records the child's peak RSS (kB) in the file named by FORGETSCOPE_RSS_FILE at exit. */
export const RSS_PRELOAD = join(here, 'rssPreload.mjs');

const DEFAULTS = { maxSeconds: 2, maxRssMb: 400 };

/** Throws unless dist/ holds the built CLI (the corpus runs the real binary). */
export function requireBuild() {
  if (!existsSync(BIN))
    throw new Error(`${BIN} is missing: run \`npm run build\` first (the hostile corpus runs the built CLI)`);
}

/** Checks one case's shape; returns it with the defaults filled in. */
function checkCase(c, file) {
  const where = `${file}: case ${JSON.stringify(c?.name)}`;
  if (typeof c?.name !== 'string' || c.name === '') throw new Error(`${file}: a case without a name`);
  if (c.files === null || typeof c.files !== 'object') throw new Error(`${where}: files must be an object`);
  if (!Array.isArray(c.args) || !c.args.every((a) => typeof a === 'string'))
    throw new Error(`${where}: args must be strings`);
  if (![0, 1, 2].includes(c.exit)) throw new Error(`${where}: exit must be 0, 1 or 2`);
  if (c.stderr !== undefined) new RegExp(c.stderr); // throws on a bad pattern
  return { ...DEFAULTS, ...c, file };
}

/** Loads every `cases/*.mjs` (each exports `cases`), in file order; names must be unique. */
export async function loadCases() {
  const dir = join(here, 'cases');
  const all = [];
  const seen = new Map();
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.mjs'))
    .sort()) {
    const mod = await import(pathToFileURL(join(dir, name)).href);
    if (!Array.isArray(mod.cases)) throw new Error(`${name} does not export an array \`cases\``);
    for (const c of mod.cases) {
      const checked = checkCase(c, name);
      if (seen.has(checked.name))
        throw new Error(`case name ${JSON.stringify(checked.name)} is used in ${seen.get(checked.name)} and ${name}`);
      seen.set(checked.name, name);
      all.push(checked);
    }
  }
  return all;
}

/** Writes a case's files into a fresh temporary folder; returns the folder. */
function materialise(c) {
  const dir = mkdtempSync(join(tmpdir(), 'fs-hostile-'));
  for (const [rel, content] of Object.entries(c.files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    const data = typeof content === 'function' ? content() : content;
    if (data !== null && data !== undefined) writeFileSync(path, data);
  }
  return dir;
}

/**
 * Runs one case: spawns `node [--import rssPreload] dist/cli/bin.js ...args` in the case's folder and
 * returns { code, signal, stdout, stderr, seconds, rssMb }. A child still running after `killAfter`
 * seconds is killed (code null).
 */
export function runCase(c, options = {}) {
  const dir = materialise(c);
  if (typeof c.setup === 'function') c.setup(dir);
  const args = c.args.map((a) => a.replaceAll('{dir}', dir));
  const rssFile = join(dir, '.rss');
  const nodeArgs = options.measure ? ['--import', pathToFileURL(RSS_PRELOAD).href] : [];
  const env = { ...process.env, FORGETSCOPE_RSS_FILE: rssFile, NO_COLOR: '1' };
  delete env.FORGETSCOPE_DEBUG;
  delete env.FORGETSCOPE_PROGRESS;
  const killAfter = options.killAfter ?? Math.max(30, c.maxSeconds * 10);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d.length + stdout.length < 1e6 ? d : ''));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d.length + stderr.length < 1e6 ? d : ''));
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfter * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      let rssMb = null;
      try {
        rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
      } catch {
        // not measured, or the child died before its exit handler
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr, seconds, rssMb });
    });
  });
}

/** Runs `cases` with `concurrency` children at a time; `onResult(case, result)` as each finishes. */
export async function runAll(cases, { concurrency = 2, measure = false, onResult } = {}) {
  const results = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await runCase(cases[i], { measure });
      onResult?.(cases[i], results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, cases.length) }, worker));
  return results;
}

/** A stack-trace line (`    at fn (file:1:2)`), which no stderr of the CLI may contain. */
export const STACK_LINE = /^\s+at .*(\(|file:|node:).*:\d+:\d+\)?$/m;

/** What is wrong with a result against its case (exit status, stderr pattern, no stack); [] when fine. */
export function judge(c, r) {
  const problems = [];
  if (r.code !== c.exit) problems.push(`exit ${r.code}${r.signal ? ` (${r.signal})` : ''}, expected ${c.exit}`);
  if (c.stderr !== undefined && !new RegExp(c.stderr).test(r.stderr))
    problems.push(`stderr does not match /${c.stderr}/`);
  if (STACK_LINE.test(r.stderr)) problems.push('stderr holds a stack trace');
  if (problems.length > 0) problems.push(`stderr was: ${JSON.stringify(r.stderr.slice(0, 600))}`);
  return problems;
}
