import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readForgettingMatrix } from '../../src/io/node/index.js';
import { FIXTURE, expectSameMatrix, pythonHas, runPython } from './helpers.js';

const sanity = JSON.parse(readFileSync(join(FIXTURE, 'sanity.json'), 'utf8')) as {
  M: number;
  N: number;
  frac_Z_pos: number;
  mean_Z: number;
  std_Z: number;
};

describe('the bundled fixture', () => {
  test('folder: shape, ids, metadata and summary agree with sanity.json', async () => {
    const { matrix, report, format } = await readForgettingMatrix(FIXTURE);
    expect(format).toBe('folder');
    expect(matrix.shape).toEqual([sanity.M, sanity.N]);
    expect(report).toEqual({ rows: 37000, kept: 37000, dropped: {} });
    expect(matrix.taskIds[0]).toBe('t007');
    expect(matrix.exampleIds[0]).toBe('1000');
    expect(matrix.exampleIds[999]).toBe('1999');
    expect(matrix.taskMeta[0]!['family']).toBe('real-license');
    expect(matrix.taskMeta[0]!['lr']).toBe(0.0003);
    expect(matrix.exampleMeta[0]!['source']).toBe('license');
    expect(String(matrix.exampleMeta[0]!['text']).startsWith('  .\n      b) Accompany')).toBe(true);
    const s = matrix.summary();
    // sanity.json was computed by the data's generator in float32 numpy; agree to float32 precision.
    expect(s.mean).toBeCloseTo(sanity.mean_Z, 6);
    expect(s.std).toBeCloseTo(sanity.std_Z, 5);
    expect(s.fractionPositive).toBeCloseTo(sanity.frac_Z_pos, 12);
    expect(matrix.nllBefore).not.toBeNull();
  });

  test('folder values equal numpy’s Z.npy and base_nll.npy exactly', async () => {
    if (!pythonHas(['numpy'])) return;
    const { matrix } = await readForgettingMatrix(FIXTURE);
    const out = runPython(
      `import numpy as np, sys, json\nz = np.load(sys.argv[1] + '/Z.npy').astype(np.float64)\nb = np.load(sys.argv[1] + '/base_nll.npy').astype(np.float64)\nprint(json.dumps({'z': [z[0, 0], z[5, 17], z[36, 999]], 'sum': float(z.sum()), 'b': [b[0], b[999]]}))`,
      [FIXTURE],
    );
    const ref = JSON.parse(out) as { z: number[]; sum: number; b: number[] };
    expect(matrix.get(0, 0)).toBe(ref.z[0]);
    expect(matrix.get(5, 17)).toBe(ref.z[1]);
    expect(matrix.get(36, 999)).toBe(ref.z[2]);
    let sum = 0;
    for (const v of matrix.values) sum += v;
    expect(sum).toBeCloseTo(ref.sum, 6);
    expect(matrix.nllBefore![0]).toBe(ref.b[0]);
    expect(matrix.nllBefore![999]).toBe(ref.b[1]);
  });

  test('long.csv and long.parquet hold the same matrix; both match Z.npy to the 5 decimals they keep', async () => {
    const folder = (await readForgettingMatrix(FIXTURE)).matrix;
    const csv = await readForgettingMatrix(join(FIXTURE, 'long.csv'));
    const parquet = await readForgettingMatrix(join(FIXTURE, 'long.parquet'));
    expect(csv.format).toBe('csv');
    expect(parquet.format).toBe('parquet');
    expectSameMatrix(csv.matrix, parquet.matrix);
    // long.csv rounds nll_before and nll_after to 5 decimals each: |error| ≤ 1e-5 (+ float32 noise).
    expectSameMatrix(csv.matrix, folder, 1.1e-5);
    expect(csv.report).toEqual({ rows: 37000, kept: 37000, dropped: {} });
    expect(csv.matrix.nllBefore![0]).toBe(1.78043);
  });

  test('Z.npy alone: ids default to positions', async () => {
    const { matrix, format } = await readForgettingMatrix(join(FIXTURE, 'Z.npy'));
    expect(format).toBe('npy');
    expect(matrix.taskIds[3]).toBe('3');
    expect(matrix.exampleIds[999]).toBe('999');
  });
});
