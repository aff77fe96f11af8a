import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensorsFile } from '../../../src/io/node/safetensors.js';
import { argv } from '../../helpers/cli.js';
import { cli } from '../../methods/cliHarness.js';
import { numpyAvailable, runPython } from '../../methods/pythonRef.js';

const W = [3, 1, 0, 1, 2, 0, 0, 0, 1, 1, 0, 1];
const G = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1];

describe('forgetscope subspace', () => {
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
