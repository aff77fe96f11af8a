import { spawnSync } from 'node:child_process';

/**
 * Runs a numpy snippet and parses its JSON stdout. Returns null when python3/numpy are missing
 * outside CI; in CI (CI=true) a missing python3 or numpy is a failure.
 */
export function numpyAvailable(): boolean {
  const r = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (r.status === 0) return true;
  if (process.env['CI'] === 'true') throw new Error(`python3 with numpy is required in CI: ${r.stderr}`);
  return false;
}

/** Runs python code (stdin) and returns its parsed JSON output. */
export function runPython(code: string, cwd?: string): unknown {
  const r = spawnSync('python3', ['-'], { input: code, encoding: 'utf8', cwd, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
