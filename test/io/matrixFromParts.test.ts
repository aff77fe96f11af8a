import { matrixFromParts } from '../../src/io/matrixFromParts.js';

describe('matrixFromParts', () => {
  test('parts a reader does not have (undefined or null) are left out; the others are kept', () => {
    const bare = matrixFromParts({
      values: Float64Array.of(1, 2, 3, 4),
      taskIds: ['t1', 't2'],
      exampleIds: ['a', 'b'],
      observed: null,
      taskMeta: undefined,
      nllBefore: null,
    });
    expect(bare.shape).toEqual([2, 2]);
    expect(bare.mask).toBeNull();
    expect(bare.nllBefore).toBeNull();
    expect(bare.get(1, 0)).toBe(3);

    const full = matrixFromParts({
      values: Float64Array.of(1, 0, 3, 4),
      taskIds: ['t1', 't2'],
      exampleIds: ['a', 'b'],
      observed: Uint8Array.of(1, 0, 1, 1),
      taskMeta: [{ family: 'x' }, { family: 'y' }],
      exampleMeta: [{ source: 's' }, {}],
      nllBefore: Float64Array.of(0.5, 1.5),
    });
    expect(full.isObserved(0, 1)).toBe(false);
    expect(full.observedCount).toBe(3);
    expect(full.taskMeta[1]).toEqual({ family: 'y' });
    expect(full.exampleMeta[0]).toEqual({ source: 's' });
    expect(Array.from(full.nllBefore ?? [])).toEqual([0.5, 1.5]);
  });
});
