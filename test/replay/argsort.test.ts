import { argsortDescending } from '../../src/replay/argsort.js';

/** The reference: a comparator sort of the positions (descending key, ties by position). */
const reference = (keys: Float64Array): number[] =>
  Array.from(keys.keys()).sort((a, b) => (keys[b]! > keys[a]! ? 1 : keys[b]! < keys[a]! ? -1 : a - b));

describe('argsortDescending', () => {
  it('orders a hand-worked row: signs, ties by position, extremes', () => {
    const keys = Float64Array.of(0.2, -3, 0.9, 0.2, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, -5e-324, 0);
    // 1.8e308 > 0.9 > 0.2 (pos 0) = 0.2 (pos 3) > 5e-324 > 0 > −5e-324 > −3 > −1.8e308
    expect(Array.from(argsortDescending(keys))).toEqual([4, 2, 0, 3, 6, 8, 7, 1, 5]);
    expect(Array.from(argsortDescending(new Float64Array(0)))).toEqual([]);
    expect(Array.from(argsortDescending(Float64Array.of(1, 1, 1)))).toEqual([0, 1, 2]);
  });

  it('matches a comparator sort on 20,000 keys with many ties and every bit pattern region', () => {
    let x = 7;
    const next = (): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x / 4294967296;
    };
    const keys = Float64Array.from({ length: 20000 }, (_, j) =>
      j % 3 === 0 ? Math.round(next() * 20) - 10 : (next() - 0.5) * 10 ** Math.round(next() * 40 - 20),
    );
    expect(Array.from(argsortDescending(keys))).toEqual(reference(keys));
  });

  it('reads a key view that starts inside a larger buffer', () => {
    const buffer = Float64Array.of(9, 1, 3, 2, 9);
    expect(Array.from(argsortDescending(buffer.subarray(1, 4)))).toEqual([1, 2, 0]);
  });
});
