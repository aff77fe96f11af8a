import { EmbeddingColumn } from '../../../src/io/long/EmbeddingColumn.js';

describe('EmbeddingColumn', () => {
  test('one value per example, repeated over rows, past the initial capacity', () => {
    const col = new EmbeddingColumn();
    for (let t = 0; t < 3; t++) for (let e = 0; e < 200; e += 2) col.add(e, e / 7);
    const { values, nonFinite } = col.perExample(201);
    expect(col.conflict).toBe(false);
    expect(nonFinite).toBe(0);
    expect(values[0]).toBe(0);
    expect(values[198]).toBe(198 / 7);
    // odd examples never had a value: missing, not zero
    expect(values[1]).toBeUndefined();
    expect(values[200]).toBeUndefined();
    expect(values).toHaveLength(201);
  });

  test('two different values for one example are a conflict; repeating NaN is not', () => {
    const col = new EmbeddingColumn();
    col.add(0, NaN);
    col.add(0, NaN);
    col.add(1, 0.5);
    col.add(1, 0.5);
    expect(col.conflict).toBe(false);
    expect(col.settled).toBe(false);
    col.add(1, 0.5000000000000001);
    expect(col.conflict).toBe(true);
    expect(col.settled).toBe(true);
  });

  test('values that are not finite are missing and counted', () => {
    const col = new EmbeddingColumn();
    col.add(0, Infinity);
    col.add(1, NaN);
    col.add(2, -2.5);
    const { values, nonFinite } = col.perExample(3);
    expect(values).toEqual([undefined, undefined, -2.5]);
    expect(nonFinite).toBe(2);
  });

  test('text that is not a number settles the column', () => {
    const col = new EmbeddingColumn();
    col.notNumeric = true;
    expect(col.settled).toBe(true);
  });
});
