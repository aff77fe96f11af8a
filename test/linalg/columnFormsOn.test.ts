import { createCpuBackend } from '../../src/linalg/cpu/backend.js';
import { columnFormsScalar } from '../../src/linalg/cpu/columnForms.js';
import { wasmDotAvailable } from '../../src/linalg/cpu/wasmDot.js';
import { columnFormsOn } from '../../src/linalg/columnFormsOn.js';
import { randomDense } from './helpers.js';

describe('columnFormsOn', () => {
  test('columnForms on the default kernels equals the JavaScript loop to the bit and is counted', async () => {
    const cpu = createCpuBackend();
    const z = randomDense(5, 37, 4, true);
    const input = {
      z: z.data,
      rows: 5,
      cols: 37,
      g: Float64Array.of(1, -2, 0.5, 3, 1),
      h: randomDense(3, 5, 5).data as Float64Array,
      t0: Float64Array.of(1, 0, -1),
    };
    const got = await columnFormsOn(cpu, input);
    const want = columnFormsScalar(input);
    expect(Array.from(got.quad)).toEqual(Array.from(want.quad));
    expect(Array.from(got.lin)).toEqual(Array.from(want.lin));
    expect(cpu.description.products).toEqual(wasmDotAvailable() ? { 'wasm-simd': 1 } : { js: 1 });
  });
});
