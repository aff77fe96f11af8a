import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensorsFile } from '../../../src/io/node/safetensors.js';
import { argv } from '../../helpers/cli.js';
import { cli } from '../../methods/cliHarness.js';

describe('forgetscope fisher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-methods-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const p = (f: string) => join(dir, f);

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
});
