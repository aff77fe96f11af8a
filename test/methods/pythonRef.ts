import { spawnSync } from 'node:child_process';

/** Whether python3 + numpy run here (a failure in CI when they do not). */
export { numpyAvailable } from '../helpers/python.js';

/** Runs python code (stdin) and returns its parsed JSON output. */
export function runPython(code: string, cwd?: string): unknown {
  const r = spawnSync('python3', ['-'], { input: code, encoding: 'utf8', cwd, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
