import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { createCompletionMethod } from '../../../src/completion/registry.js';
import { runCaptured, argv } from '../../helpers/cli.js';
import { REPLAY_DEFAULTS } from '../../../src/replay/defaults.js';

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCaptured(args);
  return { code: r.code, stdout: r.out, stderr: r.err };
}

/** Parses the CSV weights file written by the command (no quoting needed: ids are plain). */
function readWeightsCsv(path: string): Array<{ example: string; score: number; weight: number; selected: boolean }> {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  expect(header).toBe('example,score,weight,selected');
  return lines.map((l) => {
    const [example, score, weight, selected] = l.split(',');
    return { example: example!, score: Number(score), weight: Number(weight), selected: selected === 'true' };
  });
}

/** The ids a weights file marks selected, sorted. */
const selectedIds = (rows: Array<{ example: string; selected: boolean }>): string[] =>
  rows
    .filter((x) => x.selected)
    .map((x) => x.example)
    .sort();

// Three train tasks × eight examples, rank 2 by construction: row = a·u + b·v.
const u = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
const v = [0.3, -0.1, 0.2, 0.0, 0.1, -0.2, 0.4, 0.05];
const coef: Array<[number, number]> = [
  [1, 0.5],
  [0.5, 1],
  [2, -0.3],
];
const exampleIds = u.map((_, j) => `ex${j}`);

function setup(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fs-replay-'));
  const lines = ['task,example,delta'];
  coef.forEach(([a, b], i) => u.forEach((_, j) => lines.push(`t${i},${exampleIds[j]},${a * u[j]! + b * v[j]!}`)));
  writeFileSync(join(dir, 'train.csv'), lines.join('\n') + '\n');
  // the new task: 1.5·u + 0.2·v, measured on ex1, ex4, ex6
  writeFileSync(
    join(dir, 'obs.csv'),
    `example,value\nex6,${1.5 * u[6]! + 0.2 * v[6]!}\nex1,${1.5 * u[1]! + 0.2 * v[1]!}\nex4,${1.5 * u[4]! + 0.2 * v[4]!}\n`,
  );
  writeFileSync(join(dir, 'held.txt'), 'ex7\nex3\n');
  return dir;
}

describe('forgetscope replay', () => {
  it('writes example, score, weight, selected for every example with softmax weights and exclusions', async () => {
    const dir = setup();
    const out = join(dir, 'w.csv');
    // --temperature selects the paper's softmax policy (the CLI's default policy is chosen by the closed-loop benchmark)
    const r = await run(
      argv`replay ${join(dir, 'train.csv')} --train-rows 0-2 --observed ${join(dir, 'obs.csv')} --n 100 --ratio
        0.03125 --temperature 0.1 --exclude ${join(dir, 'held.txt')} --out ${out} --json`,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.replayN).toBe(4); // int(100/32) + 1
    expect(summary.temperature).toBe(0.1);
    expect(summary.policy).toBe('softmax');
    expect(summary.method).toBe('lowrank');
    expect(summary.selected).toHaveLength(4);
    const rows = readWeightsCsv(out);
    expect(rows.map((x) => x.example)).toEqual(exampleIds);
    // measured entries keep their measured value as score
    expect(rows[6]!.score).toBeCloseTo(1.5 * u[6]! + 0.2 * v[6]!, 12);
    expect(rows[1]!.score).toBeCloseTo(1.5 * u[1]! + 0.2 * v[1]!, 12);
    // the others hold the lowrank prediction
    const train = ForgettingMatrix.fromRows(
      coef.map(([a, b]) => u.map((x, j) => a * x + b * v[j]!)),
      { taskIds: ['t0', 't1', 't2'], exampleIds },
    );
    const fitted = await createCompletionMethod('lowrank').fit(train, { seed: 0 });
    const pred = await fitted.predictRow(
      { columns: Int32Array.of(1, 4, 6), values: Float64Array.of(rows[1]!.score, rows[4]!.score, rows[6]!.score) },
      { seed: 0 },
    );
    for (const j of [0, 2, 3, 5, 7]) expect(rows[j]!.score).toBeCloseTo(pred.prediction[j]!, 9);
    // weights: softmax(score / 0.1) over the non-excluded examples, computed here by hand
    const live = rows.filter((x) => x.example !== 'ex7' && x.example !== 'ex3');
    const max = Math.max(...live.map((x) => x.score / 0.1));
    const z = live.reduce((s, x) => s + Math.exp(x.score / 0.1 - max), 0);
    for (const x of rows) {
      if (x.example === 'ex7' || x.example === 'ex3') expect(x.weight).toBe(0);
      else expect(x.weight).toBeCloseTo(Math.exp(x.score / 0.1 - max) / z, 12);
    }
    expect(selectedIds(rows)).toEqual([...summary.selected].sort());
    expect(summary.selected).not.toContain('ex7');
    expect(summary.selected).not.toContain('ex3');
  });

  it('is deterministic for a seed, refuses to overwrite without --force, and writes every format', async () => {
    const dir = setup();
    const args = (out: string, ...more: string[]): string[] => argv`replay ${join(dir, 'train.csv')} --observed
      ${join(dir, 'obs.csv')} --n 200 --seed 3 --out ${out} --json ${more}`;
    const a = await run(args(join(dir, 'a.parquet')));
    expect(a.code).toBe(0);
    const again = await run(args(join(dir, 'a.parquet')));
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/a\.parquet/);
    const forced = await run(args(join(dir, 'a.parquet'), '--force'));
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).selected).toEqual(JSON.parse(a.stdout).selected);
    for (const ext of ['arrow', 'npy', 'csv']) {
      const r = await run(args(join(dir, `a.${ext}`)));
      expect(r.code).toBe(0);
      expect(existsSync(join(dir, `a.${ext}`))).toBe(true);
    }
  });

  it('reports bad inputs with the file (and line) and exit status 2', async () => {
    const dir = setup();
    writeFileSync(join(dir, 'bad-obs.csv'), 'example,value\nnope,0.1\n');
    const r1 = await run(
      argv`replay ${join(dir, 'train.csv')} --observed ${join(dir, 'bad-obs.csv')} --n 10 --out ${join(dir, 'x.csv')}`,
    );
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/bad-obs\.csv.*"nope"/);
    writeFileSync(join(dir, 'bad-held.txt'), 'ex1\nzzz\n');
    const r2 = await run(
      argv`replay ${join(dir, 'train.csv')} --observed ${join(dir, 'obs.csv')} --n 10 --exclude
        ${join(dir, 'bad-held.txt')} --out ${join(dir, 'x.csv')}`,
    );
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/bad-held\.txt:2:1: .*"zzz"/);
    const r3 = await run(
      argv`replay ${join(dir, 'train.csv')} --observed ${join(dir, 'obs.csv')} --out ${join(dir, 'x.csv')}`,
    );
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/--n/);
    const r4 = await run(
      argv`replay ${join(dir, 'train.csv')} --observed ${join(dir, 'obs.csv')} --n 10 --method nosuch --out
        ${join(dir, 'x.csv')}`,
    );
    expect(r4.code).toBe(2);
    expect(r4.stderr).toMatch(/unknown method "nosuch"/);
  });

  it('prints the online plan with --online-steps', async () => {
    const dir = setup();
    const r = await run(
      argv`replay ${join(dir, 'train.csv')} --online-steps 50 --probes 3 --exclude ${join(dir, 'held.txt')} --json`,
    );
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.uniformUntilStep).toBe(5);
    expect(s.predictedFromStep).toBe(5);
    expect(s.probes).toHaveLength(3);
    for (const id of s.probes) expect(['ex3', 'ex7']).not.toContain(id);
  });

  it('plans replay on the bundled real fixture with its held-out examples excluded', async () => {
    const fixture = join(process.cwd(), 'fixtures', 'real-dev-v1');
    const dir = mkdtempSync(join(tmpdir(), 'fs-replay-fx-'));
    const held = JSON.parse(readFileSync(join(fixture, 'heldout_examples.json'), 'utf8')) as { example_ids: number[] };
    writeFileSync(join(dir, 'held.txt'), held.example_ids.join('\n') + '\n');
    // measured row: task t36 (last row, not a train row), 30 examples
    const npy = readFileSync(join(fixture, 'Z.npy'));
    const dataStart = 10 + npy.readUInt16LE(8); // npy v1 header: magic(6) version(2) length(2) header
    const z = new Float32Array(npy.buffer.slice(npy.byteOffset + dataStart, npy.byteOffset + npy.length));
    const ids = readFileSync(join(fixture, 'examples.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => String(JSON.parse(l).id));
    const cols = Array.from({ length: 30 }, (_, k) => 5 + 33 * k);
    writeFileSync(
      join(dir, 'obs.csv'),
      'example,value\n' + cols.map((j) => `${ids[j]},${z[36 * 1000 + j]}`).join('\n') + '\n',
    );
    const r = await run(
      argv`replay ${fixture} --train-rows 0-35 --observed ${join(dir, 'obs.csv')} --n 1000 --exclude
        ${join(dir, 'held.txt')} --out ${join(dir, 'w.arrow')} --json`,
    );
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.replayN).toBe(32);
    expect(s.tasks).toBe(36);
    const heldSet = new Set(held.example_ids.map(String));
    for (const id of s.selected) expect(heldSet.has(id)).toBe(false);
  });
});

describe('forgetscope replay --temperature auto', () => {
  it('reports the chosen temperature and the rule', async () => {
    const dir = setup();
    const r = await run(
      argv`replay ${join(dir, 'train.csv')} --observed ${join(dir, 'obs.csv')} --n 64 --temperature auto
        --auto-support 2 --out ${join(dir, 'auto.csv')} --json`,
    );
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.temperatureRule).toBe('auto');
    expect(s.replayN).toBe(3);
    // effective support of the written weights = 2 × 3 examples
    const rows = readWeightsCsv(join(dir, 'auto.csv'));
    const h = -rows.reduce((acc, x) => acc + (x.weight > 0 ? x.weight * Math.log(x.weight) : 0), 0);
    expect(Math.exp(h)).toBeCloseTo(6, 5);
    expect(s.temperature).toBeGreaterThan(0);
  });
});

describe('forgetscope replay --policy', () => {
  it('plans with a named policy; --policy softmax equals --temperature 0.1', async () => {
    const dir = setup();
    const base = (out: string, ...more: string[]): string[] => argv`replay ${join(dir, 'train.csv')} --observed
      ${join(dir, 'obs.csv')} --n 64 --seed 2 --exclude ${join(dir, 'held.txt')} --out ${join(dir, out)} --json
      ${more}`;
    const a = JSON.parse((await run(base('a.csv', '--policy', 'softmax'))).stdout);
    const b = JSON.parse((await run(base('b.csv', '--temperature', '0.1'))).stdout);
    expect(a.policy).toBe('softmax');
    expect(a.selected).toEqual(b.selected);
    const d = await run(base('d.csv'));
    expect(d.code).toBe(0);
    expect(JSON.parse(d.stdout).policy).toBe(REPLAY_DEFAULTS.policy);
    // uniform: 1/6 on each of the six examples that are not held out
    const u = await run(base('u.csv', '--policy', 'uniform'));
    expect(JSON.parse(u.stdout).policy).toBe('uniform');
    for (const x of readWeightsCsv(join(dir, 'u.csv')))
      expect(x.weight).toBeCloseTo(x.example === 'ex7' || x.example === 'ex3' ? 0 : 1 / 6, 15);
    // coverage over the rank-2 example factors: 3 distinct examples, none held out
    const c = JSON.parse((await run(base('c.csv', '--policy', 'coverage', '--factor-rank', '2'))).stdout);
    expect(c.policy).toBe('coverage');
    expect(new Set(c.selected).size).toBe(3);
    expect(c.selected).not.toContain('ex7');
  });

  it('surprise reads --side-scores; gradient without a side row and conflicting flags are usage errors', async () => {
    const dir = setup();
    writeFileSync(
      join(dir, 'side.csv'),
      'example,value\n' + exampleIds.map((id, j) => `${id},${[5, 1, 2, 9, 3, 8, 0, 7][j]}`).join('\n') + '\n',
    );
    const base = (...more: string[]): string[] => argv`replay ${join(dir, 'train.csv')} --observed
      ${join(dir, 'obs.csv')} --n 64 --exclude ${join(dir, 'held.txt')} --out ${join(dir, 's.csv')} --force --json
      ${more}`;
    // budget 3; largest side values among the non-held-out: ex5 (8), ex0 (5), ex4 (3) — ex3 (9) and ex7 (7) are held out
    const s = JSON.parse((await run(base('--policy', 'surprise', '--side-scores', join(dir, 'side.csv')))).stdout);
    expect([...s.selected].sort()).toEqual(['ex0', 'ex4', 'ex5']);
    const g = await run(base('--policy', 'gradient'));
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/gradient.*needs a side row/);
    const t = await run(base('--policy', 'auto', '--temperature', '0.3'));
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/--temperature 0.3 applies to the softmax and oracle policies/);
    const bad = await run(base('--policy', 'nosuch'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown replay policy "nosuch"/);
  });
});

describe('forgetscope replay: the budget-aware policies', () => {
  /** The weights of the six examples that may be replayed, in descending score order, and the summary. */
  async function plan(
    policy: string,
    ...more: string[]
  ): Promise<{ byRank: number[]; top: string; selected: string[] }> {
    const dir = setup();
    const out = join(dir, 'w.csv');
    // --n 32: int(32 / 32) + 1 = 2 replayed
    const where = ['--observed', join(dir, 'obs.csv'), '--exclude', join(dir, 'held.txt'), '--out', out];
    const flags = ['--policy', policy, '--n', '32', '--json', ...more];
    const r = await run(['replay', join(dir, 'train.csv'), ...where, ...flags]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.policy).toBe(policy);
    expect(summary.replayN).toBe(2);
    expect(summary.temperature).toBeNull();
    const rows = readWeightsCsv(out);
    for (const x of rows) if (x.example === 'ex3' || x.example === 'ex7') expect(x.weight).toBe(0);
    const live = rows.filter((x) => x.example !== 'ex3' && x.example !== 'ex7').sort((a, b) => b.score - a.score);
    expect(new Set(live.map((x) => x.score)).size).toBe(6); // distinct scores: ranks are unambiguous
    expect(selectedIds(rows)).toEqual([...summary.selected].sort());
    for (const id of summary.selected) expect(live.find((x) => x.example === id)!.weight).toBeGreaterThan(0);
    return { byRank: live.map((x) => x.weight), top: live[0]!.example, selected: summary.selected };
  }

  it('blocks: L = 6, B = 2, blocks of 3; weights P(rank) / 2 = C(5 − ρ, 2) / C(5, 2) / 2', async () => {
    const { byRank, top, selected } = await plan('blocks');
    expect(selected).toContain(top); // the best of whichever block holds it
    const byHand = [10, 6, 3, 1, 0, 0].map((c) => c / 10 / 2);
    byRank.forEach((w, r) => expect(w).toBeCloseTo(byHand[r]!, 15));
  });

  it('stratified --auto-support 1.5: region = top round(3) = 3, strata {rank 0}, {1, 2}', async () => {
    const { byRank, top, selected } = await plan('stratified', '--auto-support', '1.5');
    expect(byRank).toEqual([0.5, 0.25, 0.25, 0, 0, 0]);
    expect(selected).toContain(top); // the only member of its stratum
  });
});
