import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readForgettingMatrix } from '../../src/io/node/readForgettingMatrix.js';
import { planOfflineReplay } from '../../src/replay/offline.js';
import { DEFAULT_REPLAY_POLICY } from '../../src/replay/defaults.js';
import { replayStage } from '../../src/report/stages/replay.js';
import type { StageContext } from '../../src/report/stages/context.js';
import { createCompletionMethod } from '../../src/completion/registry.js';
import { knownEntriesOf } from '../../src/completion/protocol/evaluate.js';
import { defaultRng } from '../../src/completion/protocol/generator.js';
import type { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import type { ReplayPlan } from '../../src/replay/types.js';
import { runCaptured, argv } from '../helpers/cli.js';

const FIXTURE = 'fixtures/real-dev-v1';
const TASK = 2;
const N_FINE_TUNE = 576;

/** The plan's selected example ids, in draw order. */
const selectedIds = (p: ReplayPlan): string[] => Array.from(p.selected, (j) => p.exampleIds[j]!);

describe('every entry point plans with the same default policy', () => {
  let matrix: ForgettingMatrix;
  let train: ForgettingMatrix;
  let library: ReplayPlan;
  let dir: string;
  let observed: string;
  const trainRows: number[] = [];
  beforeAll(async () => {
    matrix = (await readForgettingMatrix(FIXTURE)).matrix;
    for (let i = 0; i < matrix.rows; i++) if (i !== TASK) trainRows.push(i);
    train = matrix.selectRows(Int32Array.from(trainRows));
    // 30 measured examples of the held-out task, drawn as the report's replay section draws them (seed 0)
    const known = knownEntriesOf(defaultRng(0).choice(matrix.cols, 30), matrix.row(TASK), matrix.rowMask(TASK));
    library = await planOfflineReplay({
      train,
      known,
      completion: createCompletionMethod('lowrank'),
      nFineTune: N_FINE_TUNE,
      seed: 0,
    });
    dir = mkdtempSync(join(tmpdir(), 'fs-default-policy-'));
    observed = join(dir, 'observed.csv');
    const lines = [
      'example,value',
      ...Array.from(known.columns, (j, t) => `${matrix.exampleIds[j]},${known.values[t]}`),
    ];
    writeFileSync(observed, lines.join('\n') + '\n');
  });

  it('the library (planOfflineReplay without a policy) uses DEFAULT_REPLAY_POLICY = stratified', () => {
    expect(library.policy).toBe(DEFAULT_REPLAY_POLICY);
    expect(library.policy).toBe('stratified');
    // stratified: the top 4 replay budgets (4 · 19 = 76 examples) cut into 19 strata of 4 consecutive
    // ranks, one drawn from each: every example of the region is replayed with probability 1/4, so
    // its weight is (1/4)/19 = 1/76, the rest 0
    expect(library.selected).toHaveLength(19);
    const pool = Array.from(library.weights, (w, j) => (w > 0 ? j : -1)).filter((j) => j >= 0);
    expect(pool).toHaveLength(76);
    for (const j of pool) expect(library.weights[j]).toBe(1 / 76);
    const cut = Math.min(...pool.map((j) => library.scores[j]!));
    for (let j = 0; j < library.scores.length; j++)
      if (library.weights[j] === 0) expect(library.scores[j]!).toBeLessThanOrEqual(cut);
  });

  it('the report replay section plans the same examples and weights', async () => {
    const ctx: StageContext = {
      matrix,
      progress: () => {},
      onStep: () => {},
      timed: async (_n, f) => f(),
      missing: [],
    };
    const r = await replayStage(ctx, { task: TASK, nFineTune: N_FINE_TUNE, seed: 0 }, null);
    expect(r).not.toBeNull();
    expect(r!.section.policy).toBe(library.policy);
    expect(selectedIds(r!.replay)).toEqual(selectedIds(library));
    expect(Array.from(r!.replay.weights)).toEqual(Array.from(library.weights));
  });

  it('forgetscope replay without --policy (and with --policy stratified) plans the same', async () => {
    const args = (out: string): string[] => argv`replay ${FIXTURE} --train-rows ${trainRows.join(',')} --observed
      ${observed} --n ${String(N_FINE_TUNE)} --seed 0 --out ${out} --json`;
    const out = join(dir, 'w.csv');
    const r = await runCaptured(args(out));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.policy).toBe(library.policy);
    expect(json.selected).toEqual(selectedIds(library));
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    expect(rows.map((x) => Number(x[2]))).toEqual(Array.from(library.weights));
    const explicit = await runCaptured([...args(join(dir, 'w2.csv')), '--policy', 'stratified']);
    expect(JSON.parse(explicit.out).selected).toEqual(json.selected);
  });

  it('forgetscope replay refuses a temperature with stratified and warns about ignored flags', async () => {
    const base = argv`replay ${FIXTURE} --train-rows ${trainRows.join(',')} --observed ${observed} --n
      ${String(N_FINE_TUNE)} --out ${join(dir, 'w3.csv')} --json`;
    const t = await runCaptured([...base, '--policy', 'stratified', '--temperature', '0.1']);
    expect(t.code).toBe(2);
    expect(t.err).toMatch(/--temperature 0.1 applies to the softmax and oracle policies, not to "stratified"/);
    const f = await runCaptured([...base, '--factor-rank', '3', '--force']);
    expect(f.code).toBe(0);
    expect(f.err).toBe('warning: --factor-rank is ignored by the "stratified" policy (it reads: autoSupport)\n');
  });
});
