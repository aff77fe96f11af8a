import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCaptured, argv } from '../helpers/cli.js';
import { readForgettingMatrix } from '../../src/io/node/readForgettingMatrix.js';
import { fitLowrank } from '../../src/completion/methods/lowrank/lowrank.js';
import { selectSideRows, sideRowOf } from '../../src/matrix/sideMatrices.js';
import { devDataDir, loadReference } from './helpers/devData.js';

const ref = loadReference();
const dir = mkdtempSync(join(tmpdir(), 'fs-side-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const split = ['--train-rows', ref.trainRows.join(','), '--test-rows', ref.testRows.join(',')];

describe('--side on evaluate and predict', () => {
  test('evaluate --no-example-effects without --side: the dev table figure for lowrank (0.2675, seeds 0-9), no side key', async () => {
    const r = await runCaptured(
      argv`evaluate ${devDataDir} ${split} --seeds 0-9 --methods lowrank --backend cpu --no-example-effects --json`,
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.side).toBeUndefined();
    expect(out.methods.lowrank.rmse).toBeCloseTo(0.2675, 4);
  });

  test("evaluate without --side: lowrank's example effects (on by default) beat the dev table figure by > 0.02", async () => {
    const r = await runCaptured(
      argv`evaluate ${devDataDir} ${split} --seeds 0-9 --methods lowrank --backend cpu --json`,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).methods.lowrank.rmse).toBeLessThan(0.2675 - 0.02);
  });

  test('evaluate --side first_order: lowrank uses it, better than without on the reference split, seeds 0-9', async () => {
    const r = await runCaptured(
      argv`evaluate ${devDataDir} ${split} --seeds 0-9 --methods lowrank --side first_order --backend cpu --json`,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.side).toEqual(['first_order']);
    expect(out.methods.lowrank.rmse).toBeLessThan(0.2675 - 0.005);
  });

  test('evaluate --side first_order,task_gradient --json: which side matrices lowrank kept (sideKept, sideKeptShare, per seed)', async () => {
    const r = await runCaptured([
      'evaluate',
      devDataDir,
      ...split,
      '--seeds',
      '0-1',
      '--methods',
      'lowrank',
      '--side',
      'first_order,task_gradient',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const lr = JSON.parse(r.out).methods.lowrank;
    // first_order carries most of the side information on this fixture (kept on every row measured in
    // bench/RESULTS.md); whatever else is kept is one of the given names with a share in (0, 1]
    expect(lr.sideKept[0]).toBe('first_order');
    expect(lr.sideKeptShare.first_order).toBe(1);
    for (const name of lr.sideKept) {
      expect(['first_order', 'task_gradient']).toContain(name);
      expect(lr.sideKeptShare[name]).toBeGreaterThan(0);
      expect(lr.sideKeptShare[name]).toBeLessThanOrEqual(1);
    }
    expect(lr.perSeed.map((s: { seed: number; sideKept: string[] }) => [s.seed, s.sideKept[0]])).toEqual([
      [0, 'first_order'],
      [1, 'first_order'],
    ]);
  });

  test('evaluate --side with an unknown name fails with exit 2 naming the file', async () => {
    const r = await runCaptured(argv`evaluate ${devDataDir} ${split} --seeds 0 --methods lowrank --side nope`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/side[/\\]nope\.npy/);
  });

  test('predict --side: the row written equals the library fit with the same side rows; intervals included', async () => {
    const { matrix, side } = await readForgettingMatrix(devDataDir, { side: ['first_order'] });
    const t = ref.testRows[0]!;
    const cols = [...new Set(ref.knownColumns['0']!)].sort((a, b) => a - b);
    const observed = join(dir, 'observed.csv');
    writeFileSync(
      observed,
      ['example,value', ...cols.map((c) => `${matrix.exampleIds[c]},${matrix.get(t, c)}`)].join('\n') + '\n',
    );
    const out = join(dir, 'row.csv');
    const r = await runCaptured(
      argv`predict ${devDataDir} --train-rows ${ref.trainRows.join(',')} --observed ${observed} --side first_order
        --side-row ${String(t)} --out ${out} --backend cpu --json`,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ method: 'lowrank', side: ['first_order'], intervals: true });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('example,prediction,lower,upper');
    const train = matrix.selectRows(Int32Array.from(ref.trainRows));
    const fitted = await fitLowrank(train, { side: selectSideRows(side!, ref.trainRows) });
    const columns = Int32Array.from(cols);
    const want = await fitted.predictRow({
      columns,
      values: Float64Array.from(cols, (c) => matrix.get(t, c)),
      side: sideRowOf(side!, t),
    });
    lines.slice(1).forEach((line, j) => {
      const [, p, lo, hi] = line.split(',').map(Number);
      expect(Math.abs(p! - want.prediction[j]!)).toBeLessThan(1e-12);
      expect(Math.abs(lo! - want.lower![j]!)).toBeLessThan(1e-12);
      expect(Math.abs(hi! - want.upper![j]!)).toBeLessThan(1e-12);
    });
    // several rows outside --train-rows and no --side-row: a usage error
    const bad = await runCaptured(
      argv`predict ${devDataDir} --train-rows ${ref.trainRows.join(',')} --observed ${observed} --side first_order
        --out ${join(dir, 'x.csv')}`,
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--side-row/);
  });
});
