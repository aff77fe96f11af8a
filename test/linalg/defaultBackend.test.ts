import { defaultBackend } from '../../src/linalg/defaultBackend.js';

describe('defaultBackend', () => {
  test('the portable cpu backend: A·Aᵀ of [[1, 2], [3, 4]] is [[5, 11], [11, 25]]', async () => {
    const backend = defaultBackend();
    expect(backend.name).toBe('cpu');
    expect(Array.from(await backend.gram({ rows: 2, cols: 2, data: Float64Array.of(1, 2, 3, 4) }))).toEqual([
      5, 11, 11, 25,
    ]);
    await backend.dispose();
  });
});
