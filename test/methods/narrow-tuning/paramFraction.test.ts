import { paramFraction } from '../../../src/methods/narrow-tuning/paramFraction.js';

// Worked tests of seed-000 §4 (numbers from the spec, computed there with numpy).
describe('narrow tuning (seed 000)', () => {
  test('T6 paramFraction', () => {
    const shapes = { q: [8, 8], k: [4, 8], v: [4, 8], o: [8, 8], gate: [16, 8], up: [16, 8], down: [8, 16] };
    expect(paramFraction(shapes, 'saProj')).toEqual({ trainable: 192, total: 576, fraction: 192 / 576 });
    expect(paramFraction(shapes, 'mlpGateUp').trainable).toBe(256);
    expect(paramFraction(shapes, 'mlpGateUp').fraction).toBeCloseTo(0.444444, 6);
    expect(paramFraction(shapes, 'mlp').fraction).toBeCloseTo(0.666667, 6);
    const hf = {
      'model.layers.0.self_attn.q_proj.weight': [8, 8],
      'model.layers.0.mlp.down_proj.weight': [8, 16],
      'model.layers.0.mlp.up_proj.weight': [16, 8],
    };
    expect(paramFraction(hf, 'saProj').trainable).toBe(64);
    expect(paramFraction(hf, 'mlpGateUp').trainable).toBe(128);
  });
});
