import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensorsFile, writeSafetensorsFile } from '../../src/io/node/safetensors.js';
import { argv } from '../helpers/cli.js';
import { cli } from './cliHarness.js';
import { numpyAvailable, runPython } from './pythonRef.js';

const W = [3, 1, 0, 1, 2, 0, 0, 0, 1, 1, 0, 1];
const G = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1];

describe('seed-method CLI commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-methods-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const p = (f: string) => join(dir, f);

  beforeAll(async () => {
    await writeSafetensorsFile(p('w0.safetensors'), [
      { name: 'layer.w', shape: [4, 3], data: W },
      { name: 'layer.bias', shape: [4], data: [0, 0, 0, 0] },
    ]);
    await writeSafetensorsFile(p('w1.safetensors'), [
      { name: 'layer.w', shape: [4, 3], data: W.map((x, i) => x + G[i]!) },
      { name: 'layer.bias', shape: [4], data: [1, 1, 1, 1] },
    ]);
    mkdirSync(p('acts'));
    await writeSafetensorsFile(p('acts/layer.w.safetensors'), [{ name: 'X', shape: [2, 3], data: [1, 0, 0, 0, 1, 1] }]);
  });

  test('subspace: fixed k, energy rule and retention rule (seed-001 T3/T4 numbers)', async () => {
    const r = await cli(
      argv`subspace --before ${p('w0.safetensors')} --after ${p('w1.safetensors')} --k 1 --backend cpu --json`,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.layers).toHaveLength(1);
    expect(j.layers[0]).toMatchObject({ name: 'layer.w', rows: 4, cols: 3, k: 1 });
    expect(j.layers[0].protectedFraction).toBeCloseTo(0.293796, 6);
    expect(j.layers[0].strictFreeFraction).toBeCloseTo(0.484348, 6);
    expect(j.layers[0].interference).toBeCloseTo(0.356183, 6);
    expect(j.layers[0].effectiveRank).toBeCloseTo(2.66609, 5);
    expect(j.layers[0].stableRank).toBeCloseTo(1.29546, 5);
    const e = JSON.parse(
      (
        await cli(
          argv`subspace --before ${p('w0.safetensors')} --after ${p('w1.safetensors')} --energy 0.9 --backend cpu
            --json`,
        )
      ).out,
    );
    expect(e.layers[0].k).toBe(2);
    expect(e.layers[0].protectedFraction).toBeCloseTo(0.531925, 6);
    const a = JSON.parse(
      (
        await cli(
          argv`subspace --before ${p('w0.safetensors')} --after ${p('w1.safetensors')} --activations ${p('acts')}
            --tensors ${'\\.w$'} --backend cpu --json`,
        )
      ).out,
    );
    // one layer: Ĩ = 1, r = trr = 0.8, k = ⌊0.8·3⌋ = 2
    expect(a.layers[0].rule).toBe('retention');
    expect(a.layers[0].importance).toBeCloseTo(0.907354, 6);
    expect(a.layers[0].k).toBe(2);
    const text = await cli(
      argv`subspace --before ${p('w0.safetensors')} --after ${p('w1.safetensors')} --k 1 --backend cpu`,
    );
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/layer\.w\s+4×3\s+1\s+fixed/);
    const bad = await cli(['subspace', '--before', p('w0.safetensors'), '--after', p('missing.safetensors'), '--json']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/missing\.safetensors: cannot open/);
    const none = await cli(
      argv`subspace --before ${p('w0.safetensors')} --after ${p('w1.safetensors')} --tensors nothing --json`,
    );
    expect(none.code).toBe(2);
  });

  test('fisher: seed-002 T4 overlap, EWC (T3) and FC ranking (T2)', async () => {
    const Fa = [0.9, 0.1, 0.5, 0.05, 0.7, 0, 0.3, 0.2];
    const Fb = [0.8, 0.6, 0.1, 0.05, 0.75, 0.02, 0.01, 0.4];
    await writeSafetensorsFile(p('fa.safetensors'), [{ name: 'p', shape: [2, 4], data: Fa, dtype: 'F64' }]);
    await writeSafetensorsFile(p('fb.safetensors'), [{ name: 'p', shape: [2, 4], data: Fb, dtype: 'F64' }]);
    const r = await cli(['fisher', p('fa.safetensors'), p('fb.safetensors'), '--top', '0.5', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.overall.jaccard).toBeCloseTo(1 / 3, 12);
    expect(j.overall.cosine).toBeCloseTo(0.840498, 6);
    expect(j.tensors[0]).toMatchObject({ name: 'p' });
    expect(j.tensors[0].jaccard).toBeCloseTo(1 / 3, 12);
    // T1-T3: Fisher from G, update Δ, λ = 100 → 0.00185; candidates ranked z > x > y.
    const F = [0.02, 0.2 / 3, 0.01 / 3, 0.14 / 3];
    await writeSafetensorsFile(p('f1.safetensors'), [{ name: 'p', shape: [4], data: F, dtype: 'F64' }]);
    await writeSafetensorsFile(p('u.safetensors'), [
      { name: 'p', shape: [4], data: [0.01, -0.02, 0.05, 0], dtype: 'F64' },
    ]);
    await writeSafetensorsFile(p('g.safetensors'), [
      { name: 'G', shape: [3, 4], data: [0.5, 0, -0.5, 0.1, 0, 0.3, 0, 0, 0, 0, 0, 0.5], dtype: 'F64' },
    ]);
    const e = JSON.parse(
      (
        await cli(
          argv`fisher ${p('f1.safetensors')} --update ${p('u.safetensors')} --lambda 100 --grads ${p('g.safetensors')}
            --json`,
        )
      ).out,
    );
    expect(e.overall.ewc).toBeCloseTo(0.00185, 9);
    expect(e.overall.jaccard).toBeNull();
    expect(e.confidence.ranking).toEqual([2, 0, 1]);
    expect(e.confidence.fc[0]).toBeCloseTo(0.00315, 9);
    const t = await cli(
      argv`fisher ${p('fa.safetensors')} ${p('fb.safetensors')} --top 0.5 --update ${p('fa.safetensors')}`,
    );
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/\(overall\)/);
    const v = await cli(['fisher', p('f1.safetensors'), '--grads', p('g.safetensors'), '--variant', 'b', '--json']);
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/variant b needs a tensor "gL"/);
  });

  test('lora barrier (T4/T5) and merge (T3), refusing to overwrite', async () => {
    writeFileSync(
      p('path.csv'),
      'alpha,loss,loss_old,loss_new\n0,1.0,0.5,2.0\n0.25,1.3,0.55,1.0\n0.5,1.6,0.7,0.7\n0.75,1.2,1.0,0.6\n1,0.8,1.5,0.55\n',
    );
    const b = JSON.parse((await cli(['lora', 'barrier', p('path.csv'), '--json'])).out);
    expect(b.barrier).toBeCloseTo(0.7, 12);
    expect(b.argAlpha).toBe(0.5);
    expect(b.meanExcess).toBeCloseTo(0.35, 12);
    expect(b.best.alpha).toBe(0.5);
    expect(b.best.score).toBeCloseTo(0.7, 12);
    writeFileSync(p('bad.csv'), 'alpha,loss\n0,1\n0.5,x\n');
    const bad = await cli(['lora', 'barrier', p('bad.csv')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('bad.csv:3:2: "x" in column "loss" is not a finite number');
    await writeSafetensorsFile(p('slow.safetensors'), [
      { name: 'base_model.model.q.lora_A.weight', shape: [1, 3], data: [1, 0, 1] },
      { name: 'base_model.model.q.lora_B.weight', shape: [2, 1], data: [1, 0] },
    ]);
    await writeSafetensorsFile(p('fast.safetensors'), [
      { name: 'base_model.model.q.lora_A.weight', shape: [1, 3], data: [0, 2, 1] },
      { name: 'base_model.model.q.lora_B.weight', shape: [2, 1], data: [0, 1] },
    ]);
    const args = argv`lora merge --slow ${p('slow.safetensors')} --fast ${p('fast.safetensors')} --lambda 0.5 --out
      ${p('m.safetensors')} --lora-alpha 2 --json`;
    const m = await cli(args);
    expect(m.code).toBe(0);
    const mj = JSON.parse(m.out);
    expect(mj.layers[0].layer).toBe('base_model.model.q');
    expect(mj.layers[0].factorMergeError).toBeCloseTo(1.58114, 5);
    const merged = await readSafetensorsFile(p('m.safetensors'));
    expect(Array.from(merged[0]!.data)).toEqual([0.5, 1, 1]);
    const again = await cli(args);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/exists; pass --force/);
    expect((await cli([...args, '--force'])).code).toBe(0);
    const text = await cli(
      argv`lora merge --slow ${p('slow.safetensors')} --fast ${p('fast.safetensors')} --lambda 0.5 --out
        ${p('m2.safetensors')}`,
    );
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/base_model\.model\.q/);
    expect((await cli(['lora', 'barrier', p('path.csv')])).out).toMatch(/loss barrier 0\.7/);
  });

  const hasNumpy = numpyAvailable();
  (hasNumpy ? test : test.skip)(
    'subspace on torch-written weights matches numpy (retention rule over two layers)',
    async () => {
      const ref = runPython(
        `
import torch, numpy as np, json, os
from safetensors.torch import save_file
g = torch.Generator().manual_seed(1)
W = {"a.weight": torch.eye(12, 20) + 0.3 * torch.randn(12, 20, generator=g), "b.weight": torch.eye(16, 10) + 0.8 * torch.randn(16, 10, generator=g)}
D = {k: 0.01 * torch.randn(v.shape, generator=g) for k, v in W.items()}
X = {k: torch.randn(9, v.shape[1], generator=g) for k, v in W.items()}
save_file(W, "w0.safetensors"); save_file({k: W[k] + D[k] for k in W}, "w1.safetensors")
import sys; sys.path.insert(0, ${JSON.stringify(join(process.cwd(), 'python'))})
from forgetscope.exports import export_svd
export_svd(W, "svd", dtype=torch.float64)
os.makedirs("acts2", exist_ok=True)
for k in W: save_file({"X": X[k]}, f"acts2/{k}.safetensors")
imp = {}
for k in W:
    w = W[k].double().numpy(); x = X[k].double().numpy(); d = min(w.shape)
    y = x @ w.T
    imp[k] = float(np.mean([a[:d] @ b[:d] / np.linalg.norm(a[:d]) / np.linalg.norm(b[:d]) for a, b in zip(x, y)]))
m = np.mean(list(imp.values()))
out = {}
for k in W:
    w = W[k].double().numpy(); dw = ((W[k] + D[k]).double() - W[k].double()).numpy(); d = min(w.shape)
    r = 0.1 + imp[k] / m * 0.7; kk = min(int(np.floor(min(max(r, 0), 1) * d)), d - 1)
    U, s, Vt = np.linalg.svd(w, full_matrices=False); Uh, Vh = U[:, :kk], Vt[:kk].T
    t = (dw**2).sum(); P = Uh.T @ dw @ Vh
    free = ((np.eye(w.shape[0]) - Uh @ Uh.T) @ dw @ (np.eye(w.shape[1]) - Vh @ Vh.T))
    out[k] = {"k": kk, "prot": float((P**2).sum() / t), "free": float((free**2).sum() / t), "inter": float(np.linalg.norm(P) / np.linalg.norm(s[:kk])), "imp": imp[k]}
print(json.dumps(out))
`,
        dir,
      ) as Record<string, { k: number; prot: number; free: number; inter: number; imp: number }>;
      const r = await cli(
        argv`subspace --before ${p('w0.safetensors')} --after ${p('w1.safetensors')} --activations ${p('acts2')}
          --backend cpu --json`,
      );
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out) as {
        layers: {
          name: string;
          k: number;
          protectedFraction: number;
          strictFreeFraction: number;
          interference: number;
          importance: number;
        }[];
      };
      expect(j.layers.map((l) => l.name).sort()).toEqual(['a.weight', 'b.weight']);
      for (const l of j.layers) {
        const e = ref[l.name]!;
        expect(l.k).toBe(e.k);
        expect(e.k).toBeGreaterThan(0);
        expect(l.importance).toBeCloseTo(e.imp, 6);
        // float32 weights: ΔW differences carry ~1e-7 relative rounding, identical on both sides.
        expect(l.protectedFraction).toBeCloseTo(e.prot, 6);
        expect(l.strictFreeFraction).toBeCloseTo(e.free, 6);
        expect(l.interference).toBeCloseTo(e.inter, 6);
      }
      // The same audit from torch's SVD factors (U_h, S, V_h) instead of an SVD on this side.
      const s = await cli(
        argv`subspace --before ${p('w0.safetensors')} --after ${p('w1.safetensors')} --activations ${p('acts2')} --svd
          ${p('svd')} --backend cpu --json`,
      );
      expect(s.code).toBe(0);
      const sj = JSON.parse(s.out) as typeof j;
      for (const l of sj.layers) {
        const e = ref[l.name]!;
        expect(l.k).toBe(e.k);
        expect(l.protectedFraction).toBeCloseTo(e.prot, 6);
        expect(l.strictFreeFraction).toBeCloseTo(e.free, 6);
        expect(l.interference).toBeCloseTo(e.inter, 6);
      }
      const tooFew = await cli(
        argv`subspace --before ${p('w0.safetensors')} --after ${p('w1.safetensors')} --k 11 --svd ${p('svd')}
          --backend cpu --json`,
      );
      expect(tooFew.code).toBe(2);
      expect(tooFew.err).toMatch(/exceeds the 10 singular vectors/);
    },
  );
});
