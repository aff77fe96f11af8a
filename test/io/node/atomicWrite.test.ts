/** Safe outputs on a real folder: exclusive create, forced replace, no temporaries left, stale ones cleaned. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite, checkOutputFile, cleanStaleTemps, writeFolder } from '../../../src/io/node/atomicWrite.js';
import { tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir('forgetscope-atomic-');
afterAll(cleanup);
/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('atomicWrite', () => {
  test('creates exclusively, replaces only with force, and leaves no temporary', async () => {
    const d = join(dir, 'file');
    mkdirSync(d);
    const path = join(d, 'out.txt');
    await atomicWrite(path, 'one');
    await expect(atomicWrite(path, 'two')).rejects.toThrow(`${path} already exists; pass --force`);
    expect(readFileSync(path, 'utf8')).toBe('one');
    await atomicWrite(
      path,
      (async function* () {
        yield 'a';
        yield new TextEncoder().encode('bc');
      })(),
      { force: true },
    );
    expect(readFileSync(path, 'utf8')).toBe('abc');
    expect(readdirSync(d)).toEqual(['out.txt']);
  });

  test('a missing folder or a folder at the path is a usage error before any write', async () => {
    await expect(checkOutputFile(join(dir, 'nope', 'x.txt'), false)).rejects.toMatchObject({ code: 'usage' });
    await expect(checkOutputFile(dir, true)).rejects.toThrow('is a folder; the output is a file');
  });

  test("a dead process's temporary is removed; a live one's is kept; a moved-aside folder comes back", async () => {
    const d = join(dir, 'stale');
    mkdirSync(d);
    const dead = `.t.txt.tmp-${deadPid()}-abc`;
    const live = `.t.txt.tmp-${process.pid}-abc`;
    writeFileSync(join(d, dead), 'partial');
    writeFileSync(join(d, live), 'in use');
    const done = await cleanStaleTemps(join(d, 't.txt'));
    expect(done).toHaveLength(1);
    expect(done[0]).toContain(`removed ${dead}`);
    expect(readdirSync(d).sort()).toEqual([live]);
    const aside = join(d, `.out.old-${deadPid()}-abc`);
    mkdirSync(aside);
    writeFileSync(join(aside, 'kept.csv'), 'old output');
    const restored = await cleanStaleTemps(join(d, 'out'));
    expect(restored).toHaveLength(1);
    expect(restored[0]).toContain(`restored ${join(d, 'out')}`);
    expect(readFileSync(join(d, 'out', 'kept.csv'), 'utf8')).toBe('old output');
  });
});

describe('writeFolder', () => {
  test('fills a fresh folder; force replaces only a folder of its own entries', async () => {
    const out = join(dir, 'outdir');
    await writeFolder(out, async (tmp) => writeFileSync(join(tmp, 'a.csv'), '1'));
    expect(readdirSync(out)).toEqual(['a.csv']);
    await expect(writeFolder(out, async () => {})).rejects.toThrow('already exists; pass --force');
    await writeFolder(out, async (tmp) => writeFileSync(join(tmp, 'b.csv'), '2'), {
      force: true,
      ownEntry: (name) => name.endsWith('.csv'),
    });
    expect(readdirSync(out)).toEqual(['b.csv']);
    writeFileSync(join(out, 'notes.md'), 'mine');
    await expect(
      writeFolder(out, async () => {}, { force: true, ownEntry: (name) => name.endsWith('.csv') }),
    ).rejects.toThrow('holds files this command does not write (notes.md)');
    expect(readdirSync(dir).filter((e) => e.startsWith('.outdir'))).toEqual([]);
  });
});
