import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../../methods/cliHarness.js';
import { numpyAvailable, runPython } from '../../methods/pythonRef.js';

const FIX = 'fixtures/real-dev-v1';

describe('forgetscope recipes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-recipes-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('worked example through the CLI (seed-000 T3 numbers)', async () => {
    const path = join(dir, 't3.csv');
    const full = [
      [0.5, 1.0, 0.2],
      [0.8, 0.1, 0.4],
    ];
    const sa = [
      [0.05, 0.1, 0.0],
      [0.1, -0.05, 0.02],
    ];
    const rows = ['task,recipe,example,delta'];
    for (const [name, z] of [
      ['full', full],
      ['saProj', sa],
    ] as const)
      z.forEach((r, i) => r.forEach((v, j) => rows.push(`t${i},${name},e${j},${v}`)));
    writeFileSync(path, rows.join('\n') + '\n');
    const r = await cli(['recipes', path, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.recipes[0]).toMatchObject({
      recipe: 'full',
      tasks: 2,
      mean: expect.closeTo(0.5, 12),
      fractionForgotten: expect.closeTo(2 / 3, 12),
    });
    expect(j.pairwise[0]).toMatchObject({
      a: 'full',
      b: 'saProj',
      meanDiff: expect.closeTo(0.463333, 6),
      spearman: expect.closeTo(0.985611, 6),
    });
    const text = await cli(['recipes', path]);
    expect(text.out).toMatch(/saProj/);
    const bad = await cli(['recipes', join(dir, 'nope.csv'), '--json']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/nope\.csv: no such file/);
  });

  test('token-level output-bias shift and its correlation with held-out forgetting', async () => {
    const { writeSafetensorsFile } = await import('../../../src/io/node/safetensors.js');
    const tok = (logp: number[], mass: number[]) => [
      { name: 'logp', shape: [3], data: logp },
      { name: 'offsets', shape: [2], data: [0, 3], dtype: 'I32' as const },
      { name: 'num_logmass', shape: [3], data: mass.map(Math.log) },
    ];
    await writeSafetensorsFile(join(dir, 'base.safetensors'), tok([-1, -0.5, -2], [0.2, 0.4, 0.6]));
    await writeSafetensorsFile(join(dir, 'a.safetensors'), tok([-1.2, -0.4, -3], [0.3, 0.5, 0.7]));
    await writeSafetensorsFile(join(dir, 'b.safetensors'), tok([-1, -0.5, -2], [0.2, 0.4, 0.6]));
    writeFileSync(join(dir, 'z.csv'), 'task,recipe,example,delta\nt,a,e1,0.3\nt,a,e2,5\nt,b,e1,0.1\nt,b,e2,-5\n');
    writeFileSync(join(dir, 'held.json'), JSON.stringify({ example_ids: ['e1'] }));
    const r = await cli([
      'recipes',
      join(dir, 'z.csv'),
      '--tokens-base',
      join(dir, 'base.safetensors'),
      '--tokens',
      `a=${join(dir, 'a.safetensors')}`,
      '--tokens',
      `b=${join(dir, 'b.safetensors')}`,
      '--heldout',
      join(dir, 'held.json'),
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.bias[0].recipe).toBe('a');
    expect(j.bias[0].massBefore).toBeCloseTo(0.4, 6);
    expect(j.bias[0].massAfter).toBeCloseTo(0.5, 6);
    expect(j.bias[0].massShift).toBeCloseTo(0.1, 6);
    expect(j.bias[0].nllIncrease).toBeCloseTo(0.366667, 6); // seed-000 T2
    expect(j.bias[0].heldOutForgetting).toBeCloseTo(0.3, 12);
    expect(j.bias[1].massShift).toBeCloseTo(0, 12);
    expect(j.bias[1].heldOutForgetting).toBeCloseTo(0.1, 12);
    expect(j.biasCorrelation).toBeCloseTo(1, 12);
    const noBase = await cli(['recipes', join(dir, 'z.csv'), '--tokens', `a=${join(dir, 'a.safetensors')}`]);
    expect(noBase.code).toBe(2);
  });

  const hasNumpy = numpyAvailable();
  (hasNumpy ? test : test.skip)(
    'real-dev-v1: means by recipe match sanity.json and an independent numpy computation',
    async () => {
      const r = await cli(['recipes', `${FIX}/recipes.csv`, `${FIX}/long.csv`, '--common-tasks', '--json']);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out) as {
        recipes: { recipe: string; tasks: number; mean: number; fractionForgotten: number }[];
        pairwise: { a: string; b: string; meanDiff: number; spearman: number }[];
      };
      const sanity = JSON.parse(readFileSync(`${FIX}/sanity.json`, 'utf8')).mean_Z_by_recipe_on_variant_tasks as Record<
        string,
        number
      >;
      const ref = runPython(`
import numpy as np, json, csv
rows = list(csv.DictReader(open("${FIX}/recipes.csv")))
full = list(csv.DictReader(open("${FIX}/long.csv")))
tasks = sorted({r["task"] for r in rows})
out = {"mean": {}, "frac": {}, "tasks": {}, "pair": {}}
Z = {}
for r in rows: Z.setdefault(r["recipe"], {})[(r["task"], r["example"])] = float(r["nll_after"]) - float(r["nll_before"])
for r in full:
    if r["task"] in tasks: Z.setdefault("full", {})[(r["task"], r["example"])] = float(r["nll_after"]) - float(r["nll_before"])
for k, d in Z.items():
    v = np.array(list(d.values()))
    out["mean"][k] = float(v.mean()); out["frac"][k] = float((v > 0.3).mean()); out["tasks"][k] = len({t for t, _ in d})
def ranks(x):
    o = np.argsort(x, kind="stable"); r = np.empty(len(x)); i = 0; xs = x[o]
    while i < len(x):
        j = i
        while j + 1 < len(x) and xs[j + 1] == xs[i]: j += 1
        r[o[i:j + 1]] = (i + j) / 2 + 1; i = j + 1
    return r
keys = sorted(Z["full"])
a = np.array([Z["attn"][k] for k in keys]); b = np.array([Z["full"][k] for k in keys])
out["pair"] = {"meanDiff": float((a - b).mean()), "spearman": float(np.corrcoef(ranks(a), ranks(b))[0, 1])}
print(json.dumps(out))
`) as {
        mean: Record<string, number>;
        frac: Record<string, number>;
        tasks: Record<string, number>;
        pair: { meanDiff: number; spearman: number };
      };
      expect(j.recipes.map((x) => x.recipe).sort()).toEqual(Object.keys(sanity).sort());
      for (const x of j.recipes) {
        expect(x.mean).toBeCloseTo(sanity[x.recipe]!, 4);
        expect(x.mean).toBeCloseTo(ref.mean[x.recipe]!, 9);
        expect(x.fractionForgotten).toBeCloseTo(ref.frac[x.recipe]!, 12);
        expect(x.tasks).toBe(4);
      }
      const p = j.pairwise.find((q) => q.a === 'attn' && q.b === 'full')!;
      expect(p.meanDiff).toBeCloseTo(ref.pair.meanDiff, 9);
      expect(p.spearman).toBeCloseTo(ref.pair.spearman, 9);
    },
  );
});
