import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { readForgettingMatrix } from '../../../src/io/node/readForgettingMatrix.js';
import { writeMatrix } from '../../../src/io/node/writeTable.js';
import { numpyAvailable, runPythonJson } from '../../helpers/python.js';
import { runCaptured } from '../../helpers/cli.js';

const FIXTURE = join('fixtures', 'real-dev-v1');

async function analyze(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCaptured(['analyze', ...args]);
  return { code: r.code, stdout: r.out, stderr: r.err };
}

async function analyzeJson(args: string[]): Promise<Record<string, any>> {
  const r = await analyze([...args, '--json']);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
  // Exactly one JSON object on stdout.
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout) as Record<string, any>;
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'forgetscope-analyze-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('forgetscope analyze on the real-dev-v1 fixture', () => {
  test('--json carries the contract keys with numpy-checked numbers', async () => {
    const j = await analyzeJson([FIXTURE, '--ranks', '5', '--backend', 'cpu']);
    expect(j.tasks).toBe(37);
    expect(j.examples).toBe(1000);
    expect(j.observed).toBe(37000);
    expect(j.backend).toBe('cpu');
    expect(j.r2.ranks).toHaveLength(5);
    expect(j.singularValues).toHaveLength(5);
    for (const key of ['additive', 'row', 'column']) expect(typeof j.r2[key]).toBe('number');
    expect(j.topForgotten).toHaveLength(10);
    expect(Object.keys(j.topForgotten[0]).slice(0, 2)).toEqual(['example', 'mean']);
    expect(typeof j.topForgotten[0].source).toBe('string');
    expect(typeof j.topForgotten[0].text).toBe('string');
    expect(j.sources).toHaveLength(7);
    for (const s of j.sources)
      expect(Object.keys(s)).toEqual(expect.arrayContaining(['source', 'mean', 'fractionForgotten', 'share']));
    expect(j.sources.reduce((a: number, s: { share: number }) => a + s.share, 0)).toBeCloseTo(1, 12);
    expect(j.read).toEqual(
      expect.objectContaining({ rows: expect.any(Number), kept: expect.any(Number), dropped: expect.any(Object) }),
    );
    if (numpyAvailable()) {
      const ref = runPythonJson<{
        r2: number[];
        singularValues: number[];
        additive: number;
        row: number;
        column: number;
      }>([join('test', 'analysis', 'numpy_reference.py'), FIXTURE, '5']);
      ref.r2.forEach((x, k) => expect(Math.abs(j.r2.ranks[k] - x)).toBeLessThan(1e-9));
      ref.singularValues.forEach((x, k) =>
        expect(Math.abs(j.singularValues[k] - x)).toBeLessThan(1e-9 * ref.singularValues[0]!),
      );
      expect(Math.abs(j.r2.additive - ref.additive)).toBeLessThan(1e-12);
      expect(Math.abs(j.r2.row - ref.row)).toBeLessThan(1e-12);
      expect(Math.abs(j.r2.column - ref.column)).toBeLessThan(1e-12);
    }
  });

  test('without --json prints a readable summary table', async () => {
    const r = await analyze([FIXTURE, '--ranks', '3', '--backend', 'cpu']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/37 tasks × 1000 examples/);
    expect(r.stdout).toMatch(/rank\s+R²/);
    expect(r.stdout).toMatch(/multiplicative beats additive: yes/);
    expect(r.stdout).toMatch(/changelog/);
  });

  test('every input format gives the same analysis', async () => {
    const { matrix } = await readForgettingMatrix(FIXTURE);
    const base = await analyzeJson([FIXTURE, '--backend', 'cpu']);
    for (const name of ['z.csv', 'z.tsv', 'z.parquet', 'z.arrow', 'z.npy']) {
      await writeMatrix(join(tmp, name), matrix);
      const j = await analyzeJson([join(tmp, name), '--backend', 'cpu']);
      expect(j.observed).toBe(37000);
      for (let k = 0; k < 5; k++) expect(Math.abs(j.r2.ranks[k] - base.r2.ranks[k])).toBeLessThan(1e-12);
      expect(Math.abs(j.r2.additive - base.r2.additive)).toBeLessThan(1e-12);
    }
    const jsonl = join(tmp, 'z.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < matrix.rows; i++) {
      for (let jx = 0; jx < matrix.cols; jx++)
        lines.push(
          JSON.stringify({ task: matrix.taskIds[i], example: matrix.exampleIds[jx], delta: matrix.get(i, jx) }),
        );
    }
    writeFileSync(jsonl, lines.join('\n') + '\n');
    const fromJsonl = await analyzeJson([jsonl, '--backend', 'cpu']);
    for (let k = 0; k < 5; k++) expect(Math.abs(fromJsonl.r2.ranks[k] - base.r2.ranks[k])).toBeLessThan(1e-12);
    // The bundled long tables hold the values rounded to 5 decimals.
    for (const name of ['long.csv', 'long.parquet']) {
      const j = await analyzeJson([join(FIXTURE, name), '--backend', 'cpu']);
      for (let k = 0; k < 5; k++) expect(Math.abs(j.r2.ranks[k] - base.r2.ranks[k])).toBeLessThan(1e-5);
    }
  });

  test('--out writes Parquet and CSV tables and refuses to overwrite without --force', async () => {
    const dir = join(tmp, 'out');
    const j = await analyzeJson([FIXTURE, '--ranks', '3', '--backend', 'cpu', '--out', dir]);
    for (const t of ['tasks', 'examples', 'task_factors', 'example_factors', 'sources']) {
      expect(existsSync(join(dir, `${t}.parquet`))).toBe(true);
      expect(existsSync(join(dir, `${t}.csv`))).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).r2.ranks).toEqual(j.r2.ranks);
    const sources = await parquetReadObjects({
      file: new Uint8Array(readFileSync(join(dir, 'sources.parquet'))).buffer,
    });
    expect(sources.map((r) => r['source'])).toEqual(j.sources.map((s: { source: string }) => s.source));
    expect(Number(sources[0]!['share'])).toBeCloseTo(j.sources[0].share, 12);
    // Factors: task_factors · example_factorsᵀ reproduces the rank-3 fit, whose R² is the reported one.
    const uf = await parquetReadObjects({
      file: new Uint8Array(readFileSync(join(dir, 'task_factors.parquet'))).buffer,
    });
    const vf = await parquetReadObjects({
      file: new Uint8Array(readFileSync(join(dir, 'example_factors.parquet'))).buffer,
    });
    const { matrix } = await readForgettingMatrix(FIXTURE);
    const mean = matrix.summary().mean;
    let sse = 0;
    let sst = 0;
    for (let i = 0; i < matrix.rows; i++) {
      for (let jx = 0; jx < matrix.cols; jx++) {
        let fit = 0;
        for (const c of ['1', '2', '3']) fit += Number(uf[i]![`u${c}`]) * Number(vf[jx]![`v${c}`]);
        sse += (matrix.get(i, jx) - fit) ** 2;
        sst += (matrix.get(i, jx) - mean) ** 2;
      }
    }
    expect(Math.abs(1 - sse / sst - j.r2.ranks[2])).toBeLessThan(1e-9);
    const csv = readFileSync(join(dir, 'examples.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe('example,source,mean,max,min,fraction_forgotten,observed,rank1_scalar,additive_effect');
    const again = await analyze([FIXTURE, '--out', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; pass --force/);
    expect((await analyze([FIXTURE, '--out', dir, '--force', '--json'])).code).toBe(0);
  });
});

describe('forgetscope analyze: partial observation and errors', () => {
  test('a long table with missing cells is fitted over observed entries (ALS)', async () => {
    const rows = Array.from({ length: 6 }, (_, i) =>
      Array.from({ length: 9 }, (_, j) => (i + 1) * ((j % 4) + 0.5) * 0.1 + 0.01 * ((i * j) % 3)),
    );
    const full = ForgettingMatrix.fromRows(rows);
    const observed = new Uint8Array(54).fill(1);
    for (const k of [3, 10, 22, 40, 51]) observed[k] = 0;
    const partial = new ForgettingMatrix({
      values: Float64Array.from(full.values),
      observed,
      taskIds: full.taskIds,
      exampleIds: full.exampleIds,
    });
    const path = join(tmp, 'partial.csv');
    await writeMatrix(path, partial);
    const j = await analyzeJson([path, '--ranks', '2', '--backend', 'cpu']);
    expect(j.observed).toBe(49);
    expect(j.complete).toBe(false);
    expect(j.method).toBe('als');
    expect(j.als.converged).toEqual(true);
    expect(j.r2.ranks[1]).toBeGreaterThanOrEqual(j.r2.ranks[0]);
    expect(j.sources).toBeUndefined();
  });

  test('usage and input errors exit 2 with a located message', async () => {
    const missing = await analyze([join(tmp, 'nope.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.csv: no such file/);
    expect((await analyze([FIXTURE, '--ranks', '0'])).code).toBe(2);
    expect((await analyze([FIXTURE, '--backend', 'gpu'])).code).toBe(2);
    const tooMany = await analyze([FIXTURE, '--ranks', '38']);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/exceeds min\(tasks, examples\) = 37/);
  });
});
