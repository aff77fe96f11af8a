/**
 * The generated tables of bench/RESULTS.md equal what their recorded JSON renders to now: a table edited by
 * hand, or JSON re-recorded without `npm run bench:tables`, fails here.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const script = new URL('../../scripts/bench-tables.mjs', import.meta.url).pathname;
const results = new URL('../../bench/RESULTS.md', import.meta.url).pathname;

test('bench/RESULTS.md has generated tables and each equals its JSON', () => {
  const markers = readFileSync(results, 'utf8').match(/^<!-- table: /gm) ?? [];
  expect(markers.length).toBeGreaterThanOrEqual(3);
  const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toBe(`${markers.length} generated tables, 0 stale\n`);
});
