import { fitLowrank } from '../../../src/completion/methods/lowrank/lowrank.js';
import {
  greedySideSelection,
  jointSlopes,
  pairedGain,
  selectSideSet,
  sideStats,
  trainStats,
  type SideScore,
} from '../../../src/completion/loo/index.js';
import { evaluate } from '../../../src/completion/protocol/evaluate.js';
import { lowrank } from '../../../src/completion/methods/lowrank/lowrank.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { SeededNormal } from '../../../src/linalg/random.js';
import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { sideRowOf, selectSideRows, type SideMatrix } from '../../../src/matrix/sideMatrices.js';
import { ForgetscopeError } from '../../../src/util/errors.js';

/**
 * Z_i = a_i + b + γ_i·S_i + u_i·v + ε (γ_i = 1.5 + 0.3·g, ε of sd 0.05): the side matrix `shape` is S
 * (the true row's own pattern), `noise` is independent of Z.
 */
function twoSideCase(m: number, n: number, seed: number) {
  const g = new SeededNormal(seed);
  const shape = Float64Array.from({ length: m * n }, () => g.normal());
  const noise = Float64Array.from({ length: m * n }, () => g.normal());
  const b = Float64Array.from({ length: n }, () => g.normal());
  const v = Float64Array.from({ length: n }, () => g.normal());
  const z = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const a = g.normal();
    const u = g.normal();
    const gamma = 1.5 + 0.3 * g.normal();
    for (let j = 0; j < n; j++) z[i * n + j] = a + b[j]! + gamma * shape[i * n + j]! + u * v[j]! + 0.05 * g.normal();
  }
  const matrix = new ForgettingMatrix({
    values: z,
    taskIds: Array.from({ length: m }, (_, i) => `t${i}`),
    exampleIds: Array.from({ length: n }, (_, j) => `e${j}`),
  });
  const side: SideMatrix[] = [
    { name: 'noise', rows: m, cols: n, data: noise },
    { name: 'shape', rows: m, cols: n, data: shape },
  ];
  return { matrix, side };
}

const COLUMNS = Int32Array.from({ length: 12 }, (_, t) => t * 6 + 1);

describe('side matrix selection by leave-one-task-out', () => {
  test('the paired gain: mean and standard error of current − candidate per fold, by hand', () => {
    // d = [2, 3, 1]: mean 2, sample sd 1, se 1/√3
    const g = pairedGain(Float64Array.of(3, 5, 4), Float64Array.of(1, 2, 3));
    expect(g.gain).toBeCloseTo(2, 14);
    expect(g.se).toBeCloseTo(1 / Math.sqrt(3), 14);
    expect(pairedGain(Float64Array.of(3), Float64Array.of(1)).se).toBe(Infinity);
  });

  test('greedy forward selection: a candidate enters only when its gain exceeds z standard errors', () => {
    const score = (foldSse: number[]): SideScore => ({
      hyper: { variant: 'additive', k: 1, alpha: 1, side: 1 },
      looRmse: NaN,
      foldSse: Float64Array.from(foldSse),
    });
    const none = score([10, 10, 10, 10]);
    // {0}: gain 2 ± 0 (enters); {1}: gain 0.5 with d = [3, −2, 3, −2] (se 1.44: does not);
    // {0, 1}: a further gain 0.1 ± 0 over {0} (enters); nothing is left after that
    const table: Record<string, number[]> = {
      '0': [8, 8, 8, 8],
      '1': [7, 12, 7, 12],
      '0,1': [7.9, 7.9, 7.9, 7.9],
    };
    const asked: string[] = [];
    const sel = selectSideSet(2, none, (set) => {
      asked.push(set.join(','));
      return score(table[set.join(',')]!);
    });
    expect(asked).toEqual(['0', '1', '0,1']);
    expect(sel.kept).toEqual([0, 1]);
    expect(sel.steps.map((s) => [s.candidate, s.entered])).toEqual([
      [0, true],
      [1, true],
    ]);
    expect(sel.steps[1]!.gain).toBeCloseTo(0.1, 12);
    // the same pair, but {0, 1} only 0.1 better on average with d = [0.5, −0.3, 0.5, −0.3] (se 0.23): stops at {0}
    table['0,1'] = [7.5, 8.3, 7.5, 8.3];
    const stop = selectSideSet(2, none, (set) => score(table[set.join(',')]!));
    expect(stop.kept).toEqual([0]);
    expect(stop.steps[1]).toMatchObject({ candidate: 1, entered: false });
    // with z = 0 any positive mean gain enters
    expect(selectSideSet(2, none, (set) => score(table[set.join(',')]!), 0).kept).toEqual([0, 1]);
    // a generator: the caller scores each yielded set (here: none helps)
    const gen = greedySideSelection(2, none);
    let step = gen.next();
    while (!step.done) step = gen.next(score([10.5, 10.5, 10.5, 10.5]));
    expect(step.value.kept).toEqual([]);
  });

  test('joint slopes recover the coefficients of z = 1 + 2·s1 − 3·s2 exactly (collinear-free rows)', async () => {
    const g = new SeededNormal(4);
    const m = 3;
    const n = 20;
    const s1 = Float64Array.from({ length: m * n }, () => g.normal());
    const s2 = Float64Array.from({ length: m * n }, (_, k) => 0.5 * s1[k]! + g.normal());
    const z = Float64Array.from({ length: m * n }, (_, k) => 1 + 2 * s1[k]! - 3 * s2[k]!);
    const matrix = new ForgettingMatrix({
      values: z,
      taskIds: ['a', 'b', 'c'],
      exampleIds: Array.from({ length: n }, (_, j) => `e${j}`),
    });
    const backend = createReferenceBackend();
    const stats = await trainStats(matrix, backend);
    const side = await sideStats(
      stats,
      [
        { name: 's1', rows: m, cols: n, data: s1 },
        { name: 's2', rows: m, cols: n, data: s2 },
      ],
      backend,
    );
    const slopes = jointSlopes(side, stats);
    for (let h = 0; h < m; h++) {
      expect(slopes[h * 2]!).toBeCloseTo(2, 6);
      expect(slopes[h * 2 + 1]!).toBeCloseTo(-3, 6);
    }
  });

  test.each([1, 2, 3])(
    'lowrank keeps the true row shape and drops pure noise (seed %i), and says so per prediction',
    async (seed) => {
      const { matrix, side } = twoSideCase(22, 80, seed);
      const trainRows = Int32Array.from({ length: 20 }, (_, i) => i);
      const fitted = await fitLowrank(matrix.selectRows(trainRows), {
        backend: createReferenceBackend(),
        side: selectSideRows(side, trainRows),
        intervals: false,
      });
      const d = await fitted.decideAsync(COLUMNS);
      expect(d.sideKept).toEqual(['shape']);
      expect(d.hyper.side).toBeDefined();
      expect(d.sideSteps![0]).toMatchObject({ name: 'shape', entered: true });
      expect(d.sideSteps![1]).toMatchObject({ name: 'noise', entered: false });
      expect(fitted.decide(COLUMNS)).toEqual(d);
      const row = matrix.row(21);
      const p = await fitted.predictRow({
        columns: COLUMNS,
        values: Float64Array.from(COLUMNS, (c) => row[c]!),
        side: sideRowOf(side, 21),
      });
      expect(p.sideKept).toEqual(['shape']);
    },
  );

  test('sideSelection all keeps both (the side-or-not choice); over three candidates decide needs decideAsync first', async () => {
    const { matrix, side } = twoSideCase(22, 80, 1);
    const trainRows = Int32Array.from({ length: 20 }, (_, i) => i);
    const train = matrix.selectRows(trainRows);
    const backend = createReferenceBackend();
    const all = await fitLowrank(train, { backend, side: selectSideRows(side, trainRows), sideSelection: 'all' });
    expect(all.decide(COLUMNS).sideKept).toEqual(['noise', 'shape']);
    expect(all.decide(COLUMNS).sideSteps).toBeUndefined();
    // four candidates: the noise one, two more noise matrices, the true shape
    const g = new SeededNormal(9);
    const more: SideMatrix[] = ['noise2', 'noise3'].map((name) => ({
      name,
      rows: 22,
      cols: 80,
      data: Float64Array.from({ length: 22 * 80 }, () => g.normal()),
    }));
    const four = [side[0]!, ...more, side[1]!];
    const fitted = await fitLowrank(train, { backend, side: selectSideRows(four, trainRows), intervals: false });
    expect(() => fitted.decide(COLUMNS)).toThrow(ForgetscopeError);
    expect((await fitted.decideAsync(COLUMNS)).sideKept).toEqual(['shape']);
    expect(fitted.decide(COLUMNS).sideKept).toEqual(['shape']);
    await expect(
      fitLowrank(train, { side: selectSideRows(side, trainRows), sideSelection: 'some' as never }),
    ).rejects.toThrow(ForgetscopeError);
  });

  test('pure noise alone is not kept, and the predictions are then exactly those without side', async () => {
    const { matrix, side } = twoSideCase(22, 80, 5);
    const trainRows = Int32Array.from({ length: 20 }, (_, i) => i);
    const train = matrix.selectRows(trainRows);
    const backend = createReferenceBackend();
    const withNoise = await fitLowrank(train, { backend, side: selectSideRows([side[0]!], trainRows) });
    const plain = await fitLowrank(train, { backend });
    expect(withNoise.decide(COLUMNS).sideKept).toEqual([]);
    const row = matrix.row(20);
    const known = { columns: COLUMNS, values: Float64Array.from(COLUMNS, (c) => row[c]!) };
    const a = await withNoise.predictRow({ ...known, side: sideRowOf([side[0]!], 20) });
    const b = await plain.predictRow(known);
    expect(Array.from(a.prediction)).toEqual(Array.from(b.prediction));
    expect(Array.from(a.upper!)).toEqual(Array.from(b.upper!));
    expect(a.sideKept).toEqual([]);
    expect(b.sideKept).toBeUndefined();
  });

  test('evaluate reports the kept side matrices per seed and over all completed rows', async () => {
    const { matrix, side } = twoSideCase(24, 80, 1);
    const result = await evaluate(matrix, {
      trainRows: Array.from({ length: 20 }, (_, i) => i),
      testRows: [20, 21, 22, 23],
      known: 12,
      seeds: [0, 1],
      methods: [lowrank],
      side,
    });
    const ev = result.methods.lowrank!;
    expect(ev.sideKept).toEqual(['shape']);
    expect(ev.sideKeptShare).toEqual({ shape: 1 });
    for (const s of ev.perSeed) expect(s.sideKept).toEqual(['shape']);
    const without = await evaluate(matrix, {
      trainRows: Array.from({ length: 20 }, (_, i) => i),
      testRows: [20, 21],
      known: 12,
      seeds: [0],
      methods: [lowrank],
    });
    expect(without.methods.lowrank!.sideKept).toBeUndefined();
  });
});
