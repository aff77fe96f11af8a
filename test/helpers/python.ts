import { spawnSync } from 'node:child_process';

/**
 * Whether python3 with numpy can run here. In CI (CI=true) a missing numpy is a test failure, not a
 * skip: the numpy cross-checks are required there.
 */
export function numpyAvailable(): boolean {
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  const ok = probe.status === 0;
  if (!ok && process.env.CI === 'true') {
    throw new Error('python3 with numpy is required in CI for the numpy cross-checks (pip install numpy)');
  }
  return ok;
}

/** Runs a python script and parses the one JSON object it prints. */
export function runPythonJson<T>(args: readonly string[]): T {
  const run = spawnSync('python3', args as string[], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`python3 ${args.join(' ')} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
