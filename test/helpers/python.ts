import { spawnSync } from 'node:child_process';

/**
 * Whether python3 can import `module` here. In CI (CI=true) a missing module is a test failure, not a
 * skip: the cross-checks against it are required there.
 */
export function pythonHas(module: string): boolean {
  const probe = spawnSync('python3', ['-c', `import ${module}`], { encoding: 'utf8' });
  const ok = probe.status === 0;
  if (!ok && process.env.CI === 'true') {
    throw new Error(`python3 with ${module} is required in CI for the cross-checks against it (pip install ${module})`);
  }
  return ok;
}

/** Whether python3 with numpy can run here (a failure in CI when it cannot). */
export function numpyAvailable(): boolean {
  return pythonHas('numpy');
}

/** Runs a python script and parses the one JSON object it prints. */
export function runPythonJson<T>(args: readonly string[]): T {
  const run = spawnSync('python3', args as string[], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`python3 ${args.join(' ')} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
