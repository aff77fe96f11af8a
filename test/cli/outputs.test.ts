/**
 * Safe outputs end to end: exclusive creation under concurrent writers (in-process and two CLI
 * processes), atomic --force replacement, folder outputs that are always complete, the umask mode,
 * dangling symlinks, and the temporaries of dead or interrupted runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicWrite, cleanStaleTemps, writeFolder } from '../../src/io/node/atomicWrite.js';
import { ForgetscopeError } from '../../src/util/errors.js';
import { argv } from '../helpers/cli.js';

const BIN = join('dist', 'cli', 'bin.js');
const tmp = mkdtempSync(join(tmpdir(), 'forgetscope-outputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => {
  const d = join(tmp, `case${n++}`);
  mkdirSync(d);
  return d;
};

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

/** Runs the built CLI; resolves with its exit status and stderr. */
function cli(
  args: string[],
  options: { onSpawn?: (pid: number) => void } = {},
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    options.onSpawn?.(child.pid!);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** Names in a folder that look like a forgetscope temporary. */
const temps = (dir: string): string[] => readdirSync(dir).filter((f) => /\.(tmp|old)-\d+-/.test(f));

describe('atomicWrite', () => {
  test('of many concurrent writers of a new file exactly one succeeds, and its bytes are the file', async () => {
    const dir = fresh();
    const path = join(dir, 'w.csv');
    const bodies = Array.from({ length: 8 }, (_, k) => `writer ${k}\n`.repeat(2000 + k));
    const outcomes = await Promise.allSettled(bodies.map((b) => atomicWrite(path, b)));
    const won = outcomes.flatMap((o, k) => (o.status === 'fulfilled' ? [k] : []));
    expect(won).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === 'rejected') {
        expect(o.reason).toBeInstanceOf(ForgetscopeError);
        expect((o.reason as ForgetscopeError).code).toBe('usage');
        expect(String(o.reason)).toMatch(/already exists; pass --force/);
      }
    }
    expect(readFileSync(path, 'utf8')).toBe(bodies[won[0]!]);
    expect(temps(dir)).toEqual([]);
  });

  test('concurrent forced writers each replace the whole file: the result is one complete body', async () => {
    const dir = fresh();
    const path = join(dir, 'w.csv');
    writeFileSync(path, 'old\n');
    const bodies = Array.from({ length: 6 }, (_, k) => `v${k}\n`.repeat(5000));
    await Promise.all(bodies.map((b) => atomicWrite(path, b, { force: true })));
    expect(bodies).toContain(readFileSync(path, 'utf8'));
    expect(temps(dir)).toEqual([]);
  });

  test('files get 0666 less the umask', async () => {
    const dir = fresh();
    const old = process.umask(0o022);
    try {
      await atomicWrite(join(dir, 'a.txt'), 'a');
      process.umask(0o077);
      await atomicWrite(join(dir, 'b.txt'), 'b');
      process.umask(0o002);
      await atomicWrite(join(dir, 'a.txt'), 'c', { force: true });
    } finally {
      process.umask(old);
    }
    expect(statSync(join(dir, 'a.txt')).mode & 0o777).toBe(0o664);
    expect(statSync(join(dir, 'b.txt')).mode & 0o777).toBe(0o600);
  });

  test('a dangling symlink counts as existing; --force replaces the link, never its target', async () => {
    const dir = fresh();
    const link = join(dir, 'out.csv');
    symlinkSync(join(dir, 'missing', 'target.csv'), link);
    await expect(atomicWrite(link, 'x')).rejects.toThrow(/out\.csv already exists/);
    await atomicWrite(link, 'x', { force: true });
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(readFileSync(link, 'utf8')).toBe('x');
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  test('a missing folder or a folder in the way is a usage error and writes nothing', async () => {
    const dir = fresh();
    await expect(atomicWrite(join(dir, 'no', 'x.csv'), 'x')).rejects.toMatchObject({
      code: 'usage',
      detail: expect.stringMatching(/the folder .*no does not exist/),
    });
    mkdirSync(join(dir, 'd'));
    await expect(atomicWrite(join(dir, 'd'), 'x', { force: true })).rejects.toMatchObject({
      code: 'usage',
      detail: expect.stringMatching(/is a folder/),
    });
    expect(readdirSync(dir)).toEqual(['d']);
  });

  test('temporaries of dead processes are removed; those of live ones are left alone', async () => {
    const dir = fresh();
    const dead = deadPid();
    writeFileSync(join(dir, `.w.csv.tmp-${dead}-abcdefgh`), 'partial');
    writeFileSync(join(dir, `.w.csv.tmp-${process.ppid}-abcdefgh`), 'a live writer');
    writeFileSync(join(dir, `.other.csv.tmp-${dead}-abcdefgh`), 'another target');
    await atomicWrite(join(dir, 'w.csv'), 'new');
    expect(readdirSync(dir).sort()).toEqual([
      `.other.csv.tmp-${dead}-abcdefgh`,
      `.w.csv.tmp-${process.ppid}-abcdefgh`,
      'w.csv',
    ]);
  });
});

describe('writeFolder', () => {
  const fill =
    (tag: string, files = 5) =>
    async (d: string): Promise<void> => {
      for (let k = 0; k < files; k++) await atomicWrite(join(d, `t${k}.csv`), `${tag} ${k}\n`);
    };
  const contents = (d: string): string[] =>
    readdirSync(d)
      .sort()
      .map((f) => `${f}=${readFileSync(join(d, f), 'utf8')}`);

  test('of concurrent writers of a new folder exactly one succeeds, and the folder is its complete output', async () => {
    const dir = fresh();
    const out = join(dir, 'out');
    const outcomes = await Promise.allSettled(['a', 'b', 'c', 'd'].map((tag) => writeFolder(out, fill(tag))));
    const won = outcomes.flatMap((o, k) => (o.status === 'fulfilled' ? ['a', 'b', 'c', 'd'][k]! : []));
    expect(won).toHaveLength(1);
    expect(contents(out)).toEqual(Array.from({ length: 5 }, (_, k) => `t${k}.csv=${won[0]} ${k}\n`));
    expect(temps(dir)).toEqual([]);
  });

  test('--force replaces an earlier output whole; a folder of other files is never replaced', async () => {
    const dir = fresh();
    const out = join(dir, 'out');
    const own = (name: string): boolean => /^t\d\.csv$/.test(name);
    await writeFolder(out, fill('old', 5));
    await writeFolder(out, fill('new', 3), { force: true, ownEntry: own });
    expect(contents(out)).toEqual(['t0.csv=new 0\n', 't1.csv=new 1\n', 't2.csv=new 2\n']);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    await expect(writeFolder(out, fill('x'), { force: true, ownEntry: own })).rejects.toThrow(
      /holds files this command does not write \(notes\.txt\)/,
    );
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(temps(dir)).toEqual([]);
  });

  test('a failure while filling leaves the old folder as it was and no temporary', async () => {
    const dir = fresh();
    const out = join(dir, 'out');
    await writeFolder(out, fill('old', 2));
    const failing = async (d: string): Promise<void> => {
      await atomicWrite(join(d, 't0.csv'), 'half');
      throw new ForgetscopeError('io', 'disk trouble');
    };
    await expect(writeFolder(out, failing, { force: true })).rejects.toThrow(/disk trouble/);
    expect(contents(out)).toEqual(['t0.csv=old 0\n', 't1.csv=old 1\n']);
    expect(temps(dir)).toEqual([]);
  });

  test('a folder an interrupted replace moved aside is moved back when the target is missing', async () => {
    const dir = fresh();
    const dead = deadPid();
    mkdirSync(join(dir, `.out.old-${dead}-abcdefgh`));
    writeFileSync(join(dir, `.out.old-${dead}-abcdefgh`, 't0.csv'), 'old 0\n');
    mkdirSync(join(dir, `.out.tmp-${dead}-abcdefgh`));
    const notes = await cleanStaleTemps(join(dir, 'out'));
    expect(notes).toHaveLength(2);
    expect(notes.join('\n')).toMatch(/restored .*out from \.out\.old-/);
    expect(readdirSync(dir)).toEqual(['out']);
    expect(readFileSync(join(dir, 'out', 't0.csv'), 'utf8')).toBe('old 0\n');
  });
});

describe('two CLI processes, one output', () => {
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error('dist/cli/bin.js is missing: run `npm run build` first');
  });
  const z = (): string => {
    const d = fresh();
    const lines = ['task,example,delta'];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 40; j++) lines.push(`t${i},e${j},${((i + 1) * (j % 7)) / 10}`);
    writeFileSync(join(d, 'z.csv'), lines.join('\n') + '\n');
    writeFileSync(join(d, 'obs.csv'), 'example,value\ne1,0.3\ne2,0.1\n');
    return d;
  };

  test('predict: two runs with the same --out and no --force: one exits 0, the other 2', async () => {
    const d = z();
    const args = argv`predict ${join(d, 'z.csv')} --observed ${join(d, 'obs.csv')} --out ${join(d, 'p.csv')} --backend
      cpu`;
    const rs = await Promise.all([cli(args), cli(args)]);
    expect(rs.map((r) => r.code).sort()).toEqual([0, 2]);
    expect(rs.find((r) => r.code === 2)!.stderr).toMatch(/p\.csv already exists; pass --force/);
    expect(readFileSync(join(d, 'p.csv'), 'utf8').split('\n')[0]).toMatch(/^example,prediction(,lower,upper)?$/);
    expect(temps(d)).toEqual([]);
  });

  test('analyze: two runs with the same --out DIR and no --force: one exits 0, the other 2', async () => {
    const d = z();
    const args = ['analyze', join(d, 'z.csv'), '--out', join(d, 'out'), '--backend', 'cpu', '--json'];
    const rs = await Promise.all([cli(args), cli(args)]);
    expect(rs.map((r) => r.code).sort()).toEqual([0, 2]);
    expect(rs.find((r) => r.code === 2)!.stderr).toMatch(/out already exists/);
    expect(readdirSync(join(d, 'out'))).toContain('summary.json');
    expect(temps(d)).toEqual([]);
  });

  test('analyze --out DIR --force killed at any moment leaves the old or the new complete folder', async () => {
    const d = z();
    const out = join(d, 'out');
    const args = ['analyze', join(d, 'z.csv'), '--out', out, '--backend', 'cpu', '--json'];
    expect((await cli(args)).code).toBe(0);
    const complete = readdirSync(out).sort();
    expect(complete).toContain('summary.json');
    const stamp = (): string => readFileSync(join(out, 'summary.json'), 'utf8');
    for (const delay of [50, 150, 300, 450, 600, 800, 1100, 1500]) {
      let pid = 0;
      const run = cli([...args, '--force'], { onSpawn: (p) => (pid = p) });
      await new Promise((r) => setTimeout(r, delay));
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // it finished first
      }
      await run;
      // whatever the moment: after the next run's clean-up the folder is complete
      await cleanStaleTemps(out);
      expect(readdirSync(out).sort()).toEqual(complete);
      expect(() => JSON.parse(stamp())).not.toThrow();
      expect(temps(d)).toEqual([]);
    }
  });

  test('SIGTERM during a write removes the temporary at once and exits 143', async () => {
    const d = z();
    let pid = 0;
    const run = cli(['analyze', join(d, 'z.csv'), '--out', join(d, 'out'), '--backend', 'cpu'], {
      onSpawn: (p) => (pid = p),
    });
    // wait until the temporary folder exists (the computation has finished, the tables are being written)
    const t0 = Date.now();
    while (temps(d).length === 0 && !existsSync(join(d, 'out')) && Date.now() - t0 < 60_000)
      await new Promise((r) => setTimeout(r, 5));
    process.kill(pid, 'SIGTERM');
    const r = await run;
    if (r.code === 0) return; // finished before the signal arrived: nothing to check
    expect(r.code).toBe(143);
    expect(temps(d)).toEqual([]);
  });
});

describe('weights CSV with ids a spreadsheet would run as formulas', () => {
  test('the ids are written exactly, read back exactly by Python, and the CLI warns', async () => {
    const d = fresh();
    const ids = ['=1+1', '+cmd', '-x', '@SUM(A1)', 'e"4', 'plain'];
    const lines = ['task,example,delta'];
    for (let i = 0; i < 4; i++)
      ids.forEach((id, j) => lines.push(`t${i},"${id.replaceAll('"', '""')}",${((i + 1) * (j + 2)) / 10}`));
    writeFileSync(join(d, 'z.csv'), lines.join('\n') + '\n');
    writeFileSync(join(d, 'obs.csv'), 'example,value\n"=1+1",0.4\nplain,0.2\n');
    const out = join(d, 'w.csv');
    const r = await cli(argv`replay ${join(d, 'z.csv')} --observed ${join(d, 'obs.csv')} --n 40 --out ${out} --backend
      cpu`);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /w\.csv: 4 ids \(e\.g\. "=1\+1"\) start with =, \+, -, @, tab or CR; they are written exactly/,
    );
    const csvIds = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.slice(0, l.lastIndexOf(',', l.lastIndexOf(',', l.lastIndexOf(',') - 1) - 1)));
    expect(csvIds).toEqual(['=1+1', '+cmd', '-x', '@SUM(A1)', '"e""4"', 'plain']);
    const python = spawnSync(
      'python3',
      [
        '-c',
        'import json, sys; from forgetscope.replay import read_replay_weights; print(json.dumps(list(read_replay_weights(sys.argv[1]).examples)))',
        out,
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, PYTHONPATH: join(process.cwd(), 'python') },
      },
    );
    if (python.status !== 0 && /No module named '(pyarrow|numpy)'/.test(python.stderr) && process.env.CI !== 'true')
      return;
    expect(python.stderr).toBe('');
    expect(JSON.parse(python.stdout)).toEqual(ids);
  });
});
