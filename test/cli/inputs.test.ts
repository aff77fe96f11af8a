import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threeTasks } from './taskMatrix.js';
import { writeTable } from '../../src/io/node/writeTable.js';
import { exampleMask, readExampleIds, readMatrixInput, readMeasuredEntries } from '../../src/cli/inputs.js';
import { runCaptured, argv } from '../helpers/cli.js';

const m = threeTasks;

describe('side inputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-flags-'));

  it("reads a command's matrix and hands every reader warning to warn, naming the input", async () => {
    const csv = join(dir, 'warn.csv');
    writeFileSync(csv, 'task,example,delta,note\nt1,e1,1,a\nt1,e2,2,b\nt2,e1,3,c\n');
    const said: string[] = [];
    const { matrix, report } = await readMatrixInput(csv, {}, (m) => said.push(m));
    expect(matrix.shape).toEqual([2, 2]);
    expect(said).toEqual((report.warnings ?? []).map((w) => `${csv}: ${w}`));
    expect(said).toHaveLength(1);
    const quiet: string[] = [];
    writeFileSync(csv, 'task,example,delta\nt1,e1,1\n');
    await readMatrixInput(csv, {}, (m) => quiet.push(m));
    expect(quiet).toEqual([]); // a clean file says nothing
  });

  it('reads measured entries from any table format io reads', async () => {
    const csv = join(dir, 'obs.csv');
    writeFileSync(csv, 'example,value\ne3,0.5\ne1,-0.25\n');
    const parquet = join(dir, 'obs.parquet');
    await writeTable(parquet, { columns: { example: ['e3', 'e1'], value: Float64Array.from([0.5, -0.25]) } });
    for (const path of [csv, parquet]) {
      const known = await readMeasuredEntries(path, m);
      expect(Array.from(known.columns)).toEqual([1, 3]);
      expect(Array.from(known.values)).toEqual([-0.25, 0.5]);
    }
    writeFileSync(csv, 'example,value\ne1,0.1\nnope,0.2\n');
    await expect(readMeasuredEntries(csv, m)).rejects.toThrow(
      `${csv}:3:1: example "nope" is not an example of the matrix`,
    );
    // the id column need not come first; quoted fields, TSV and JSON Lines point at the line too
    writeFileSync(csv, 'value,example\n0.1,e1\n\n0.2,"nope"\n');
    await expect(readMeasuredEntries(csv, m)).rejects.toThrow(
      `${csv}:4:2: example "nope" is not an example of the matrix`,
    );
    const tsv = join(dir, 'obs.tsv');
    writeFileSync(tsv, 'example\tvalue\nnope\t0.2\n');
    await expect(readMeasuredEntries(tsv, m)).rejects.toThrow(
      `${tsv}:2:1: example "nope" is not an example of the matrix`,
    );
    const jsonl = join(dir, 'obs.jsonl');
    writeFileSync(jsonl, '{"example":"e1","value":0.1}\n{"example":"nope","value":0.2}\n');
    await expect(readMeasuredEntries(jsonl, m)).rejects.toThrow(
      `${jsonl}:2:example: example "nope" is not an example of the matrix`,
    );
    // columnar inputs have no lines: the data row is named
    await writeTable(
      parquet,
      { columns: { example: ['e3', 'nope'], value: Float64Array.from([0.5, -0.25]) } },
      { force: true },
    );
    await expect(readMeasuredEntries(parquet, m)).rejects.toThrow(
      `${parquet}:example: example "nope" (data row 2) is not an example of the matrix`,
    );
  });

  it('reads example-id lists as text lines or JSON, one way for every command', async () => {
    const txt = join(dir, 'ids.txt');
    const json = join(dir, 'ids.json');
    writeFileSync(txt, 'e2\ne0\n');
    writeFileSync(json, JSON.stringify({ example_ids: ['e2', 'e0', 'other'] }));
    expect(await readExampleIds(txt)).toEqual(['e2', 'e0']);
    expect(await readExampleIds(json)).toEqual(['e2', 'e0', 'other']);
    expect(Array.from(exampleMask(['e2', 'e0'], m, txt).mask)).toEqual([1, 0, 1, 0]);
    expect(exampleMask(['e2', 'e0', 'other'], m, json, { unknown: 'skip' }).count).toBe(2);
    expect(() => exampleMask(['e2', 'other'], m, json)).toThrow(
      `${json}:2:1: example "other" is not an example of the matrix`,
    );
  });

  it('keeps the old flag names as aliases and rejects disagreeing pairs', async () => {
    const train = join(dir, 'train.csv');
    writeFileSync(
      train,
      [
        'task,example,delta',
        ...['t0', 't1', 't2'].flatMap((t, i) =>
          ['e0', 'e1', 'e2', 'e3'].map((e, j) => `${t},${e},${(i + 1) * (j + 1) * 0.1}`),
        ),
      ].join('\n') + '\n',
    );
    const obs = join(dir, 'o.csv');
    writeFileSync(obs, 'example,value\ne0,0.2\ne2,0.6\n');
    const a = await runCaptured(
      argv`replay ${train} --observed ${obs} --n 100 --method knn-baseline --out ${join(dir, 'a.csv')} --json`,
    );
    const b = await runCaptured(
      argv`replay ${train} --observed ${obs} --n-fine-tune 100 --replay-method knn-baseline --out
        ${join(dir, 'b.csv')} --json`,
    );
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(readFileSync(join(dir, 'a.csv'), 'utf8')).toBe(readFileSync(join(dir, 'b.csv'), 'utf8'));
    expect(JSON.parse(a.out)).toMatchObject({ n: 100, method: 'knn-baseline', replayN: 4 });
    const c = await runCaptured(
      argv`replay ${train} --observed ${obs} --n 100 --n-fine-tune 50 --out ${join(dir, 'c.csv')}`,
    );
    expect(c.code).toBe(2);
    expect(c.err).toContain('--n-fine-tune and its alias --n disagree');
  });
});
