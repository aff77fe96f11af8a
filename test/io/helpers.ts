import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { encodeNpy } from '../../src/io/npy/encodeNpy.js';

/** The bundled fixture folder (relative to the repository root). */
export const FIXTURE = resolve('fixtures/real-dev-v1');

/** A fresh temporary folder; call the returned cleanup in afterAll. */
export function tempDir(prefix = 'forgetscope-io-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Whether python3 with the given modules is usable. In CI (CI set) a missing tool is a failure, never
 * a skip: this throws so the test that needs it fails loudly.
 */
export function pythonHas(modules: string[]): boolean {
  const r = spawnSync('python3', ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' });
  const ok = r.status === 0;
  if (!ok && process.env['CI']) {
    throw new Error(
      `CI is set but python3 with ${modules.join(', ')} is not available: ${r.stderr || r.error?.message}`,
    );
  }
  return ok;
}

/** Runs a python3 script (stdin) with arguments; throws with stderr on failure; returns stdout. */
export function runPython(script: string, args: string[] = []): string {
  const r = spawnSync('python3', ['-', ...args], { input: script, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Asserts two matrices have the same ids, mask and values (exactly, or within `tol`). */
export function expectSameMatrix(a: ForgettingMatrix, b: ForgettingMatrix, tol = 0): void {
  expect(a.shape).toEqual(b.shape);
  expect([...a.taskIds]).toEqual([...b.taskIds]);
  expect([...a.exampleIds]).toEqual([...b.exampleIds]);
  expect(a.observedCount).toBe(b.observedCount);
  let worst = 0;
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      if (a.isObserved(i, j) !== b.isObserved(i, j))
        throw new Error(`entry (${i}, ${j}) is observed in one matrix only`);
      if (!a.isObserved(i, j)) continue;
      const d = Math.abs(a.get(i, j) - b.get(i, j));
      if (tol === 0 && d !== 0) throw new Error(`entry (${i}, ${j}) differs: ${a.get(i, j)} vs ${b.get(i, j)}`);
      worst = Math.max(worst, d);
    }
  }
  expect(worst).toBeLessThanOrEqual(tol);
}

/**
 * Writes a small dataset folder `<dir>/<name>`: a 2×2 Z.npy, tasks t1, t2 and examples e1, e2, with
 * `files` added or replacing those; returns its path.
 */
export function writeDataset(dir: string, name: string, files: Record<string, string | Uint8Array>): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const base: Record<string, string | Uint8Array> = {
    'Z.npy': encodeNpy(Float64Array.from([0.5, 0.25, -0.5, 1]), [2, 2]),
    'tasks.json': '[{"id": "t1", "family": "a"}, {"id": "t2", "family": "b"}]',
    'examples.jsonl': '{"id": "e1", "source": "s1"}\n{"id": "e2", "source": "s2"}\n',
  };
  for (const [k, v] of Object.entries({ ...base, ...files })) writeFileSync(join(d, k), v);
  return d;
}
