import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main.js';
import { devDataDir, loadDevMatrix, loadReference } from '../../completion/helpers/devData.js';
import { evaluate } from '../../../src/completion/protocol/evaluate.js';
import { knn } from '../../../src/completion/methods/knn.js';
import { captureContext as capture, argv } from '../../helpers/cli.js';

const ref = loadReference();
const dir = mkdtempSync(join(tmpdir(), 'fs-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const METRICS = ['rmse', 'f1', 'precision', 'recall', 'auc'] as const;

describe('evaluate reproduces the reference results (dev data)', () => {
  test('CLI: additive, knn, knn-baseline pooled and per-seed metrics to 1e-9; --dump-known', async () => {
    const c = capture();
    const dump = join(dir, 'known.json');
    const code = await runCli(
      [
        'evaluate',
        devDataDir,
        '--train-rows',
        ref.trainRows.join(','),
        '--test-rows',
        ref.testRows.join(','),
        '--known',
        String(ref.known),
        '--seeds',
        `${ref.seeds[0]}-${ref.seeds[ref.seeds.length - 1]}`,
        '--methods',
        'additive,knn,knn-baseline',
        '--dump-known',
        dump,
        '--json',
      ],
      c.ctx,
    );
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    const lines = c.out().trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]!);
    expect(j.select).toBe('paper');
    expect(j.known).toBe(30);
    expect(j.seeds).toEqual(ref.seeds);
    for (const name of ['additive', 'knn', 'knn-baseline']) {
      const got = j.methods[name];
      const want = ref.methods[name]!;
      expect(got.fits).toBe(ref.testRows.length * ref.seeds.length);
      expect(got.seconds).toBeGreaterThan(0);
      for (const key of METRICS) expect(Math.abs(got[key] - (want[key] as number))).toBeLessThan(1e-9);
      want.perSeed.forEach((ws, s) => {
        expect(got.perSeed[s].nKnown).toBe(ws.n_known);
        for (const key of METRICS) expect(Math.abs(got.perSeed[s][key] - (ws[key] as number))).toBeLessThan(1e-9);
      });
    }
    const dumped = JSON.parse(readFileSync(dump, 'utf8')) as Record<string, Record<string, number[]>>;
    expect(
      Object.keys(dumped)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([...ref.testRows].sort((a, b) => a - b));
    for (const t of ref.testRows) {
      for (const s of ref.seeds) expect(dumped[String(t)]![String(s)]).toEqual(ref.knownColumns[String(s)]);
    }
  }, 600_000);

  test('API: knn via evaluate() equals the reference; test rows of one seed share their columns', async () => {
    const z = loadDevMatrix();
    const r = await evaluate(z, {
      trainRows: ref.trainRows,
      testRows: ref.testRows,
      seeds: ref.seeds,
      methods: [knn()],
    });
    for (const key of METRICS)
      expect(Math.abs((r.methods['knn']![key] as number) - (ref.methods['knn']![key] as number))).toBeLessThan(1e-9);
    const first = r.knownColumns[String(ref.testRows[0])]!;
    for (const t of ref.testRows) expect(r.knownColumns[String(t)]).toEqual(first);
  });

  test('--select active: deterministic probes from the train rows, the same for every seed and row', async () => {
    const c = capture();
    const dump = join(dir, 'active.json');
    const code = await runCli(
      argv`evaluate ${devDataDir} --train-rows ${ref.trainRows.join(',')} --test-rows
        ${ref.testRows.slice(0, 3).join(',')} --methods knn --seeds 0,1 --select active --backend cpu --dump-known
        ${dump} --json`,
      c.ctx,
    );
    expect(code).toBe(0);
    const j = JSON.parse(c.out().trim());
    expect(j.select).toBe('active');
    expect(j.methods.knn.fits).toBe(6);
    const dumped = JSON.parse(readFileSync(dump, 'utf8')) as Record<string, Record<string, number[]>>;
    const first = dumped[String(ref.testRows[0])]!['0']!;
    expect(new Set(first).size).toBe(30);
    for (const t of ref.testRows.slice(0, 3)) for (const s of ['0', '1']) expect(dumped[String(t)]![s]).toEqual(first);
    expect(j.methods.knn.perSeed[0].nKnown).toBe(30);
  }, 300_000);

  test('usage errors exit 2 with a message', async () => {
    const c = capture();
    expect(
      await runCli(['evaluate', devDataDir, '--train-rows', '0-10', '--test-rows', '10-12', '--methods', 'knn'], c.ctx),
    ).toBe(2);
    expect(c.err()).toMatch(/both train and test/);
    const c2 = capture();
    expect(
      await runCli(['evaluate', devDataDir, '--train-rows', '0-10', '--test-rows', '11', '--methods', 'nope'], c2.ctx),
    ).toBe(2);
    expect(c2.err()).toMatch(/unknown method "nope"/);
    const c3 = capture();
    expect(await runCli(['evaluate', devDataDir, '--train-rows', '0-99', '--test-rows', '11'], c3.ctx)).toBe(2);
    expect(c3.err()).toMatch(/outside 0-36/);
    const existing = join(dir, 'exists.json');
    writeFileSync(existing, '{}');
    const c4 = capture();
    expect(
      await runCli(
        argv`evaluate ${devDataDir} --train-rows 0-10 --test-rows 11 --methods knn --seeds 0 --dump-known ${existing}`,
        c4.ctx,
      ),
    ).toBe(2);
  });

  test('task ids work as row selectors and a readable table is printed without --json', async () => {
    const c = capture();
    const tasks = JSON.parse(readFileSync(join(devDataDir, 'tasks.json'), 'utf8')) as { id: string }[];
    const code = await runCli(
      [
        'evaluate',
        devDataDir,
        '--train-rows',
        '0-9',
        '--test-rows',
        `${tasks[10]!.id},${tasks[11]!.id}`,
        '--methods',
        'knn',
        '--seeds',
        '0,1',
      ],
      c.ctx,
    );
    expect(code).toBe(0);
    expect(c.out()).toMatch(/knn\s+0\.\d{4}/);
    expect(c.out()).toContain('2 test rows');
  });
});
