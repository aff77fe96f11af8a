import { defaultAnalysisBackend } from '../../src/analysis/defaultBackend.js';

describe('defaultAnalysisBackend', () => {
  test("linalg's portable cpu backend: A·Aᵀ of [[1, 0, 2]] is [[5]]", async () => {
    const backend = defaultAnalysisBackend();
    expect(backend.name).toBe('cpu');
    expect(Array.from(await backend.gram({ rows: 1, cols: 3, data: Float64Array.of(1, 0, 2) }))).toEqual([5]);
    await backend.dispose();
  });
});
