import { emaLambda, emaRun, emaStep } from '../../../src/methods/interpolated-lora/ema.js';
import { expectClose as close } from '../../helpers/close.js';

// Worked tests of seed-004 §4.
describe('interpolated LoRA (seed 004)', () => {
  test('T1 emaStep', () => {
    close(emaStep(Float32Array.of(1, 2), Float32Array.of(3, -2), 0.25), [2.5, -1]);
    close(emaStep(Float32Array.of(1, 2), Float32Array.of(3, -2), 0.99), [1.02, 1.96]);
  });

  test('T2 emaLambda and emaRun', () => {
    close(
      [0, 1, 2, 3].map((k) => emaLambda(k, 0.25)),
      [0, 0.25, 0.25, 0.25],
    );
    close(
      [0, 1, 2, 3].map((k) => emaLambda(k, 0.99)),
      [0, 0.5, 0.666667, 0.75],
    );
    const fast = [1, 3, 5, 7].map((v) => Float32Array.of(v));
    close(
      emaRun(Float32Array.of(0), fast, 0.99).map((x) => x[0]!),
      [1, 2, 3, 4],
    );
    close(
      emaRun(Float32Array.of(0), fast, 0.25).map((x) => x[0]!),
      [1, 2.5, 4.375, 6.34375],
    );
    close(
      emaRun(Float32Array.of(0), fast, 0.25, 1).map((x) => x[0]!),
      [0.75, 2.4375, 4.35938, 6.33984],
    );
  });
});
