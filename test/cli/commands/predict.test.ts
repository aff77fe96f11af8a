import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main.js';
import { readForgettingMatrix } from '../../../src/io/node/readForgettingMatrix.js';
import { devDataDir, loadReference } from '../../completion/helpers/devData.js';
import { captureContext as capture, argv } from '../../helpers/cli.js';

const ref = loadReference();
const dir = mkdtempSync(join(tmpdir(), 'fs-predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('forgetscope predict', () => {
  test('completes the reference row (seed 0, first test row) with knn and additive to 1e-9', async () => {
    const { matrix } = await readForgettingMatrix(devDataDir);
    const t = ref.testRows[0]!;
    const cols = [...new Set(ref.knownColumns['0']!)];
    // Written in a shuffled order with quoting: the reader sorts the columns itself.
    const lines = ['example,value', ...cols.reverse().map((c) => `"${matrix.exampleIds[c]}",${matrix.get(t, c)}`)];
    const observed = join(dir, 'observed.csv');
    writeFileSync(observed, lines.join('\n') + '\n');
    for (const method of ['knn', 'additive']) {
      const out = join(dir, `${method}.csv`);
      const c = capture();
      const code = await runCli(
        argv`predict ${devDataDir} --train-rows ${ref.trainRows.join(',')} --observed ${observed} --method ${method}
          --out ${out} --json`,
        c.ctx,
      );
      expect(c.err()).toBe('');
      expect(code).toBe(0);
      const summary = JSON.parse(c.out().trim());
      expect(summary).toMatchObject({
        method,
        trainRows: ref.trainRows.length,
        examples: 1000,
        observed: cols.length,
        intervals: false,
      });
      const rows = readFileSync(out, 'utf8').trim().split('\n');
      expect(rows[0]).toBe('example,prediction');
      expect(rows).toHaveLength(1001);
      const expected = ref.predictionsSeed0FirstTestRow[method]![String(t)]!;
      rows.slice(1).forEach((line, j) => {
        const [id, p] = line.split(',');
        expect(id).toBe(matrix.exampleIds[j]);
        expect(Math.abs(Number(p) - expected[j]!)).toBeLessThan(1e-9);
      });
    }
  }, 300_000);

  test('same row from the long CSV and Parquet tables, rows chosen by task id', async () => {
    const { matrix } = await readForgettingMatrix(devDataDir);
    const t = ref.testRows[0]!;
    const ids = ref.trainRows.map((i) => matrix.taskIds[i]!).join(',');
    const cols = [...new Set(ref.knownColumns['0']!)];
    const observed = join(dir, 'observed-long.csv');
    writeFileSync(
      observed,
      ['example,value', ...cols.map((c) => `${matrix.exampleIds[c]},${matrix.get(t, c)}`)].join('\n') + '\n',
    );
    const expected = ref.predictionsSeed0FirstTestRow['knn']![String(t)]!;
    for (const input of ['long.csv', 'long.parquet']) {
      const out = join(dir, `knn-${input}.csv`);
      const c = capture();
      expect(
        await runCli(
          argv`predict ${join(devDataDir, input)} --train-rows ${ids} --observed ${observed} --method knn --out ${out}`,
          c.ctx,
        ),
      ).toBe(0);
      const byId = new Map(
        readFileSync(out, 'utf8')
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(',') as [string, string]),
      );
      expect(byId.size).toBe(1000);
      // The long tables store NLLs rounded to 5 decimals (Z.npy is float32 of the exact difference), so
      // the completed row agrees to the rounding of the inputs, not to machine precision.
      let maxDiff = 0;
      matrix.exampleIds.forEach(
        (id, j) => (maxDiff = Math.max(maxDiff, Math.abs(Number(byId.get(id)) - expected[j]!))),
      );
      expect(maxDiff).toBeLessThan(5e-5);
    }
  }, 300_000);

  test('bad observed files are input errors naming file:line:column; --out is not overwritten', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'example,value\n1000,0.5\nnot-an-example,0.1\n');
    const c = capture();
    expect(
      await runCli(['predict', devDataDir, '--observed', bad, '--method', 'knn', '--out', join(dir, 'x.csv')], c.ctx),
    ).toBe(2);
    // The measured entries are read through io (every format), so the messages are io's; the id
    // check points at the line and column of the unknown id.
    expect(c.err()).toContain(`${bad}:3:1: example "not-an-example" is not an example of the matrix`);
    writeFileSync(bad, 'example,value\n1000,abc\n');
    const c2 = capture();
    expect(
      await runCli(['predict', devDataDir, '--observed', bad, '--method', 'knn', '--out', join(dir, 'x.csv')], c2.ctx),
    ).toBe(2);
    expect(c2.err()).toContain(`${bad}:2:6: column "value": "abc" is not a number`);
    const existing = join(dir, 'exists.csv');
    writeFileSync(existing, 'keep');
    writeFileSync(bad, 'example,value\n1000,0.5\n');
    const c3 = capture();
    expect(await runCli(['predict', devDataDir, '--observed', bad, '--method', 'knn', '--out', existing], c3.ctx)).toBe(
      2,
    );
    expect(readFileSync(existing, 'utf8')).toBe('keep');
  });
});
