import { trainStats } from '../../../src/completion/loo/basis.js';
import { foldRows, gatherColumns, prepareFolds } from '../../../src/completion/loo/folds.js';
import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';

const backend = createReferenceBackend();

describe('the leave-one-task-out folds of lowrank', () => {
  test('foldRows: every row when M ≤ maxFolds, else the midpoints ⌊(f + ½)·M / F⌋ (M = 10, F = 4 → 1, 3, 6, 8)', () => {
    expect(Array.from(foldRows(5, 10))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(foldRows(10, 4))).toEqual([1, 3, 6, 8]);
  });

  test('gatherColumns: column by column, data[t·M + i] = Z[i][columns[t]]', async () => {
    const s = await trainStats(
      ForgettingMatrix.fromRows([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      backend,
    );
    expect(Array.from(gatherColumns(s, Int32Array.of(2, 0)).data)).toEqual([3, 6, 1, 4]);
  });

  test('uncentred folds of rows e₁, e₂, e₁ + e₂: the held-out row lies in the span of the others, so ‖t‖² = ‖c‖²', async () => {
    const s = await trainStats(
      ForgettingMatrix.fromRows([
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [1, 1, 0, 0],
      ]),
      backend,
    );
    const folds = prepareFolds(s, ['uncentered'], 5, 10);
    expect(folds.map((f) => f.heldOut)).toEqual([0, 1, 2]);
    expect(Array.from(folds[2]!.rows)).toEqual([0, 1]);
    // grand mean of the other rows' means: (1/4 + 1/4) / 2 for fold 2
    expect(folds[2]!.grand).toBeCloseTo(0.25, 15);
    const cc = [1, 1, 2];
    const sc = [1, 1, 2];
    folds.forEach((f, r) => {
      const v = f.variants.get('uncentered')!;
      expect(v.cc).toBeCloseTo(cc[r]!, 14);
      expect(v.sc).toBeCloseTo(sc[r]!, 14);
      expect(v.basis.r).toBe(2);
      expect(v.t.reduce((acc, x) => acc + x * x, 0)).toBeCloseTo(cc[r]!, 12);
    });
  });
});
