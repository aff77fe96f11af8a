import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensorsFile, writeSafetensorsFile } from '../../../src/io/node/safetensors.js';
import { argv } from '../../helpers/cli.js';
import { cli } from '../../methods/cliHarness.js';

describe('forgetscope lora', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-methods-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const p = (f: string) => join(dir, f);

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
});
