/**
 * The hostile-input corpus: every case of test/hostile/cases/*.mjs runs the built CLI (dist/) as a
 * child process, two at a time, and must end with its exit status and a stderr matching its pattern,
 * never with a stack trace. Time and memory bounds are checked by `npm run bench -- hostile`.
 */
// @ts-expect-error -- a plain ES module shared with bench/hostile
import { judge, loadCases, requireBuild, runAll } from './runner.mjs';

interface HostileCase {
  name: string;
  file: string;
  exit: number;
}
interface HostileResult {
  code: number | null;
  stderr: string;
}

requireBuild();
const cases = (await loadCases()) as HostileCase[];
const results = new Map<string, HostileResult>();

beforeAll(async () => {
  const rs = (await runAll(cases, { concurrency: 2 })) as HostileResult[];
  cases.forEach((c, i) => results.set(c.name, rs[i]!));
}, 900_000);

describe('hostile corpus', () => {
  it('has cases (commands.mjs alone holds at least 80)', () => {
    expect(cases.filter((c) => c.file === 'commands.mjs').length).toBeGreaterThanOrEqual(80);
  });

  it.each(cases.map((c) => [`${c.file}: ${c.name}`, c] as const))('%s', (_label, c) => {
    expect(judge(c, results.get(c.name)!)).toEqual([]);
  });
});
