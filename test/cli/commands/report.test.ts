import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main.js';
import { captureContext } from '../../report/cliContext.js';
import { argv } from '../../helpers/cli.js';

const FIXTURE = 'fixtures/real-dev-v1';
// The reference split of the fixture (test rows), the rest train.
const TEST = '2,5,11,16,20,21,23,25,31,34,36';
const TRAIN = '0-1,3-4,6-10,12-15,17-19,22,24,26-30,32-33,35';

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const ctx = captureContext(argv);
  const code = await runCli(argv, ctx);
  return { code, stdout: ctx.stdout.join(''), stderr: ctx.stderr.join('') };
}

describe('forgetscope report', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'forgetscope-report-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a self-contained report of the fixture and prints one JSON object', async () => {
    const out = join(dir, 'r.html');
    const r = await cli(
      argv`report ${FIXTURE} --out ${out} --json --train-rows ${TRAIN} --test-rows ${TEST} --methods additive-ls,knn
        --seeds 0-1 --n-fine-tune 1000 --backend cpu`,
    );
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const s = JSON.parse(r.stdout);
    expect(s.out).toBe(out);
    expect([s.tasks, s.examples, s.observed]).toEqual([37, 1000, 37000]);
    // The fixture's README sanity report (numpy): R² ranks 1..5 = 0.788 0.859 0.893 0.915 0.926; additive 0.735.
    expect(s.r2.ranks.map((x: number) => Number(x.toFixed(3)))).toEqual([0.788, 0.859, 0.893, 0.915, 0.926]);
    expect(Number(s.r2.additive.toFixed(3))).toBe(0.735);
    expect(Object.keys(s.evaluation.methods)).toEqual(['additive-ls', 'knn']);
    expect(s.evaluation.seeds).toEqual([0, 1]);
    // n = 1000, ratio 1/32 → int(1000/32) + 1 = 32 (spec §5); first test row t009 is the replay task.
    expect(s.replay.replayN).toBe(32);
    expect(s.replay.selected).toHaveLength(32);
    expect(s.replay.task).toBe('t009');
    expect(s.charts).toEqual(['heatmap', 'scree', 'sources', 'predicted', 'replay-scores', 'replay-top']);
    const html = readFileSync(out, 'utf8');
    expect(s.bytes).toBe(Buffer.byteLength(html));
    // The README's per-source means appear in the per-source table.
    for (const [source, mean] of [
      ['changelog', '0.4684'],
      ['python', '0.3594'],
      ['man', '0.4302'],
    ]) {
      expect(html).toMatch(new RegExp(`<td>${source}</td><td class="num">\\d+</td><td class="num">${mean}</td>`));
    }
    expect(html).toContain('37,000 rows read, 37,000 kept, 0 dropped');
    expect(html).toContain(`--train-rows ${TRAIN}`);
    expect(html).not.toMatch(/<script\b/i);
  });

  it('evaluates with active probes when asked', async () => {
    const out = join(dir, 'active.html');
    const r = await cli(
      argv`report ${FIXTURE} --out ${out} --json --train-rows ${TRAIN} --test-rows ${TEST} --methods additive-ls
        --seeds 0 --select active --backend cpu`,
    );
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.evaluation.select).toBe('active');
    expect(readFileSync(out, 'utf8')).toContain('chosen by &quot;active&quot; selection');
  });

  it('refuses to overwrite without --force (exit 2, names the file)', async () => {
    const out = join(dir, 'exists.html');
    writeFileSync(out, 'keep me');
    const r = await cli(['report', FIXTURE, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(out);
    expect(r.stderr).toContain('--force');
    expect(readFileSync(out, 'utf8')).toBe('keep me');
  });

  it('rejects bad row lists and overlapping splits with exit 2', async () => {
    const out = join(dir, 'bad.html');
    let r = await cli(['report', FIXTURE, '--out', out, '--train-rows', '0-40', '--test-rows', '41']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--train-rows: range 0-40 is outside 0-36');
    r = await cli(['report', FIXTURE, '--out', out, '--train-rows', '0-10', '--test-rows', '10-12']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('share row 10');
    r = await cli(['report', FIXTURE, '--out', out, '--train-rows', '0-10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--train-rows and --test-rows go together');
    expect(existsSync(out)).toBe(false);
  });

  it('reads the long Parquet table of the fixture like the folder', async () => {
    const out = join(dir, 'parquet.html');
    const r = await cli(['report', `${FIXTURE}/long.parquet`, '--out', out, '--json', '--backend', 'cpu']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect([s.tasks, s.examples, s.observed]).toEqual([37, 1000, 37000]);
    expect(Number(s.r2.ranks[0].toFixed(3))).toBe(0.788);
    expect(readFileSync(out, 'utf8')).toContain('(parquet)');
  });

  it('without a split writes the audit part and says what is left out', async () => {
    const out = join(dir, 'audit.html');
    const r = await cli(['report', FIXTURE, '--out', out, '--backend', 'cpu']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}`);
    expect(r.stderr).toContain('analyze: structure');
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('no --train-rows / --test-rows given');
    expect(html).not.toContain('data-chart="predicted"');
  });

  it('reports a partially observed long table: missing cells grey, no source tables, reader counts', async () => {
    // 6 tasks × 30 examples, Z = (i + 1)·(j % 5 + 1)/50 − 0.05, task t0 missing examples e0..e9.
    const lines = ['task,example,delta'];
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 30; j++)
        if (!(i === 0 && j < 10)) lines.push(`t${i},e${j},${((i + 1) * ((j % 5) + 1)) / 50 - 0.05}`);
    const csv = join(dir, 'partial.csv');
    writeFileSync(csv, lines.join('\n') + '\n');
    const out = join(dir, 'partial.html');
    const r = await cli(
      argv`report ${csv} --out ${out} --json --backend cpu --train-rows 0-3 --test-rows 4-5 --known 5 --seeds 0
        --methods additive-ls`,
    );
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect([s.tasks, s.examples, s.observed]).toEqual([6, 30, 170]);
    expect(s.sources).toEqual([]);
    expect(s.missing).toContain('per-source tables: no example carries a "source" field');
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('170 rows read, 170 kept, 0 dropped');
    expect(html).toContain('fill="#d9d9d9"'); // unobserved cells of t0 are drawn grey
    // n = 1000 → 32 replayed examples > 30 examples: the report says so instead of failing.
    expect(s.missing).toContain(
      'replay plan: n = 1000 asks for 32 replayed examples but only 30 may be replayed; give a smaller fine-tuning size or ratio',
    );
    expect(s.replay).toBeUndefined();
  });
});
