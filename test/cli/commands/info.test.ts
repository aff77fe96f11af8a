import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { runCli } from '../../../src/cli/main.js';
import { FIXTURE, tempDir } from '../../io/helpers.js';
import { captureContext as capture } from '../../helpers/cli.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe('forgetscope info', () => {
  test('--json prints exactly one JSON object with the contract keys', async () => {
    const c = capture();
    const code = await runCli(['info', FIXTURE, '--json'], c.ctx);
    expect(code).toBe(0);
    const lines = c.out().trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]!);
    expect(j).toMatchObject({
      tasks: 37,
      examples: 1000,
      observed: 37000,
      read: { rows: 37000, kept: 37000, dropped: {} },
      format: 'folder',
    });
    expect(j.summary.fractionPositive).toBeCloseTo(0.9539189189189189, 12);
  });

  test('readable table without --json', async () => {
    const c = capture();
    expect(await runCli(['info', join(FIXTURE, 'long.csv')], c.ctx)).toBe(0);
    expect(c.out()).toContain('tasks × examples   37 × 1000');
    expect(c.out()).toContain('rows dropped       none');
  });

  test('the metadata the reader kept, and its warnings on stderr (a column left out is never silent)', async () => {
    const path = join(dir, 'meta.csv');
    writeFileSync(
      path,
      'task,example,delta,source,mixed,embedding.0,embedding.1\n' +
        't1,e1,1,web,a,0.5,nan\nt1,e2,2,code,b,-1,2\nt2,e1,3,web,c,0.5,nan\nt2,e2,4,code,d,-1,2\n',
    );
    const c = capture();
    expect(await runCli(['info', path], c.ctx)).toBe(0);
    expect(c.out()).toContain('example metadata   source (2), 2 embedding keys (1–2 each)');
    expect(c.out()).toContain('task metadata      none');
    expect(c.err()).toBe(
      `warning: ${path}: column "mixed" varies within examples and within tasks, so it is neither example nor task metadata; left out\n` +
        `warning: ${path}: column "embedding.1": 1 example has a value that is not finite, kept as missing\n`,
    );
    const j = capture();
    expect(await runCli(['info', path, '--json'], j.ctx)).toBe(0);
    const out = JSON.parse(j.out());
    expect(out.metadata).toEqual({ example: { source: 2, 'embedding.0': 2, 'embedding.1': 1 }, task: {} });
    expect(out.warnings).toHaveLength(2);
  });

  test('bad input exits 2 with file:line:column on stderr; reports drops', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'task,example,delta\nt1,e1,0.5\nt1,e2,abc\n');
    const c = capture();
    expect(await runCli(['info', bad, '--json'], c.ctx)).toBe(2);
    expect(c.out()).toBe('');
    expect(c.err()).toBe(`${bad}:3:7: column "delta": "abc" is not a number\n`);

    const dropped = join(dir, 'dropped.csv');
    writeFileSync(dropped, 'task,example,delta\nt1,e1,0.5\nt1,e2,\nt1,e1,0.7\n');
    const d = capture();
    expect(await runCli(['info', dropped, '--json', '--duplicates', 'last'], d.ctx)).toBe(0);
    expect(JSON.parse(d.out()).read).toEqual({
      rows: 3,
      kept: 1,
      dropped: { 'empty delta': 1, 'duplicate (replaced by a later row)': 1 },
    });
  });

  test('usage errors exit 2', async () => {
    const c = capture();
    expect(await runCli(['info', join(FIXTURE, 'long.csv'), '--duplicates', 'max'], c.ctx)).toBe(2);
    expect(c.err()).toContain('--duplicates must be error, mean or last');
    expect(await runCli(['info', join(dir, 'nope.csv')], capture().ctx)).toBe(2);
  });
});
