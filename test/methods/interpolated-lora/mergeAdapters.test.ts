import { mergeAdapters } from '../../../src/methods/interpolated-lora/mergeAdapters.js';
import { expectClose as close } from '../../helpers/close.js';

describe('mergeAdapters', () => {
  test('EMA of PEFT-named A and B with T3 factor merge error', async () => {
    const slow = [
      { name: 'l.q.lora_A.weight', shape: [1, 3], data: Float32Array.of(1, 0, 1) },
      { name: 'l.q.lora_B.weight', shape: [2, 1], data: Float32Array.of(1, 0) },
    ];
    const fast = [
      { name: 'l.q.lora_A.weight', shape: [1, 3], data: Float32Array.of(0, 2, 1) },
      { name: 'l.q.lora_B.weight', shape: [2, 1], data: Float32Array.of(0, 1) },
    ];
    const r = await mergeAdapters(slow, fast, 0.5, { alpha: 2 });
    close(r.merged[0]!.data, [0.5, 1, 1]);
    close(r.merged[1]!.data, [0.5, 0.5]);
    expect(r.layers[0]!.layer).toBe('l.q');
    expect(r.layers[0]!.factorMergeError).toBeCloseTo(1.58114, 5);
    expect(r.layers[0]!.deltaNorm).toBeCloseTo(Math.sqrt(1 + 1 + 4 + 1), 6);
    const r2 = await mergeAdapters(slow, fast, 0.25, { alpha: 2 });
    close(r2.merged[0]!.data, [0.25, 1.5, 1]);
    await expect(mergeAdapters(slow, fast.slice(0, 1), 0.5)).rejects.toThrow(/not in the fast one/);
  });
});
