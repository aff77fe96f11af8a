/** safetensors files on disk: ranged reads, atomic writes, and files shared with Python safetensors/torch. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSafetensorsFile, readSafetensorsFile, writeSafetensorsFile } from '../../../src/io/node/safetensors.js';
import { tempDir } from '../helpers.js';

/** python3 with torch + safetensors, or null (a failure in CI, where they must be present). */
function pythonWithSafetensors(): string | null {
  const r = spawnSync('python3', ['-c', 'import torch, safetensors, numpy'], { encoding: 'utf8' });
  if (r.status === 0) return 'python3';
  if (process.env['CI'] === 'true')
    throw new Error(`python3 with torch+safetensors+numpy is required in CI: ${r.stderr}`);
  return null;
}

function py(code: string, cwd: string): string {
  const r = spawnSync('python3', ['-c', code], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return r.stdout;
}

describe('safetensors files', () => {
  const { dir, cleanup } = tempDir('fs-st-');
  afterAll(cleanup);

  test('node: ranged reads, atomic write, refuses overwrite without force', async () => {
    const path = join(dir, 'w.safetensors');
    await writeSafetensorsFile(path, [
      { name: 'x', shape: [2], data: [1, 2] },
      { name: 'y', shape: [1, 2], data: [3, 4], dtype: 'F64' },
    ]);
    await expect(writeSafetensorsFile(path, [{ name: 'x', shape: [1], data: [0] }])).rejects.toThrow(
      /exists; pass --force/,
    );
    const f = await openSafetensorsFile(path);
    expect(f.tensors.map((t) => t.name)).toEqual(['x', 'y']);
    expect(Array.from((await f.read('y')).data)).toEqual([3, 4]);
    await expect(f.read('z')).rejects.toThrow(/no tensor named "z"/);
    await f.close();
    const sel = await readSafetensorsFile(path, { select: '^x$' });
    expect(sel.map((t) => t.name)).toEqual(['x']);
    await writeSafetensorsFile(path, [{ name: 'x', shape: [1], data: [5] }], { force: true });
    expect(Array.from((await readSafetensorsFile(path))[0]!.data)).toEqual([5]);
    // truncated on disk
    const bytes = readFileSync(path);
    writeFileSync(join(dir, 'cut.safetensors'), bytes.subarray(0, bytes.length - 2));
    await expect(openSafetensorsFile(join(dir, 'cut.safetensors'))).rejects.toThrow(/cut\.safetensors: .*past the end/);
    await expect(openSafetensorsFile(join(dir, 'missing.safetensors'))).rejects.toThrow(
      /missing\.safetensors: cannot open/,
    );
  });

  const python = pythonWithSafetensors();
  (python ? test : test.skip)('round trip with files written and read by Python safetensors/torch', async () => {
    const src = join(dir, 'py.safetensors');
    // One Python process writes the file with torch and prints the values it reads back with safetensors.
    const expected = JSON.parse(
      py(
        `
import torch, json
from safetensors.torch import save_file, load_file
g = torch.Generator().manual_seed(0)
t = {
  "model.layers.0.mlp.up_proj.weight": torch.randn(5, 3, generator=g),
  "f64": torch.randn(4, dtype=torch.float64, generator=g),
  "f16": torch.randn(2, 3, generator=g).half(),
  "bf16": torch.randn(3, 2, generator=g).bfloat16(),
  "i32": torch.arange(-3, 4, dtype=torch.int32),
  "i64": torch.arange(5, dtype=torch.int64) * 1000000000000,
  "scalar": torch.tensor(2.5),
}
save_file(t, "${src}", metadata={"format": "pt"})
print(json.dumps({k: v.double().flatten().tolist() for k, v in load_file("${src}").items()}))
`,
        dir,
      ),
    ) as Record<string, number[]>;
    const tensors = await readSafetensorsFile(src, { precision: 'float64' });
    expect(tensors.length).toBe(7);
    for (const t of tensors) expect(Array.from(t.data)).toEqual(expected[t.name]);
    expect(tensors.find((t) => t.name === 'bf16')!.shape).toEqual([3, 2]);
    // And back: our writer, Python reader (F32/F16/BF16/F64/I32).
    const out = join(dir, 'ts.safetensors');
    await writeSafetensorsFile(
      out,
      tensors.map((t) => ({ name: t.name, shape: t.shape, data: t.data, dtype: t.dtype })),
      { metadata: { format: 'pt' } },
    );
    const back = JSON.parse(
      py(
        `import json; from safetensors.torch import load_file; t = load_file("${out}"); print(json.dumps({k: [str(v.dtype), list(v.shape), v.double().flatten().tolist()] for k, v in t.items()}))`,
        dir,
      ),
    ) as Record<string, [string, number[], number[]]>;
    for (const t of tensors) {
      expect(back[t.name]![1]).toEqual(t.shape);
      expect(back[t.name]![2]).toEqual(expected[t.name]);
    }
    expect(back['bf16']![0]).toBe('torch.bfloat16');
    expect(back['f16']![0]).toBe('torch.float16');
    expect(existsSync(out)).toBe(true);
  });
});
