import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { ForgetscopeError } from '../../src/util/errors.js';

describe('ForgettingMatrix', () => {
  const z = ForgettingMatrix.fromRows(
    [
      [0.1, -0.2, 0.3],
      [0.4, 0.5, -0.6],
    ],
    { taskIds: ['a', 'b'], exampleIds: ['x', 'y', 'w'] },
  );

  test('shape, get, row views', () => {
    expect(z.shape).toEqual([2, 3]);
    expect(z.get(1, 2)).toBeCloseTo(-0.6, 15);
    expect(Array.from(z.row(0))).toEqual([0.1, -0.2, 0.3]);
    expect(z.isComplete).toBe(true);
  });

  test('summary by hand', () => {
    const s = z.summary();
    expect(s.observed).toBe(6);
    expect(s.min).toBe(-0.6);
    expect(s.max).toBe(0.5);
    expect(s.mean).toBeCloseTo(0.5 / 6, 15);
    expect(s.fractionPositive).toBeCloseTo(4 / 6, 15);
  });

  test('selection by ids and ranges', () => {
    const r = z.selectRows(['b']);
    expect(r.taskIds).toEqual(['b']);
    expect(Array.from(r.row(0))).toEqual([0.4, 0.5, -0.6]);
    const c = z.selectCols({ start: 1, end: 3 });
    expect(c.exampleIds).toEqual(['y', 'w']);
    expect(Array.from(c.column(1))).toEqual([0.3, -0.6]);
    expect(() => z.selectRows(['nope'])).toThrow(ForgetscopeError);
    expect(() => z.selectCols([5])).toThrow(/out of range/);
  });

  test('missing entries are explicit, never 0', () => {
    const m = new ForgettingMatrix({
      values: new Float64Array([1, 0, 3, 4]),
      observed: new Uint8Array([1, 0, 1, 1]),
      taskIds: ['a', 'b'],
      exampleIds: ['x', 'y'],
    });
    expect(m.isObserved(0, 1)).toBe(false);
    expect(Number.isNaN(m.get(0, 1))).toBe(true);
    expect(m.summary().observed).toBe(3);
    expect(m.summary().mean).toBeCloseTo(8 / 3, 15);
  });

  test("building never writes the caller's values; an all-NaN missing pattern shares storage", () => {
    const values = new Float64Array([1, 0, 3, 4]);
    const m = new ForgettingMatrix({
      values,
      observed: new Uint8Array([1, 0, 1, 1]),
      taskIds: ['a', 'b'],
      exampleIds: ['x', 'y'],
    });
    expect(Array.from(values)).toEqual([1, 0, 3, 4]);
    expect(Number.isNaN(m.get(0, 1))).toBe(true);
    const withNaN = new Float64Array([1, NaN, 3, 4]);
    const shared = new ForgettingMatrix({
      values: withNaN,
      observed: new Uint8Array([1, 0, 1, 1]),
      taskIds: ['a', 'b'],
      exampleIds: ['x', 'y'],
    });
    expect(shared.values).toBe(withNaN);
  });

  test('summary std by hand, and stable when the mean is large beside the spread', () => {
    // [0.1, -0.2, 0.3, 0.4, 0.5, -0.6]: mean 1/12, Σx² = 0.91, population variance 0.91/6 − (1/12)².
    expect(z.summary().std).toBeCloseTo(Math.sqrt(0.91 / 6 - 1 / 144), 15);
    // 1e9 + {0, 1, 2}: population std √(2/3). sumSq/n − mean² loses every digit here (x² ≈ 1e18, ulp 128).
    const big = ForgettingMatrix.fromRows([[1e9, 1e9 + 1, 1e9 + 2]]);
    expect(big.summary().std).toBeCloseTo(Math.sqrt(2 / 3), 12);
  });

  test('non-finite values without a mask are rejected', () => {
    expect(
      () => new ForgettingMatrix({ values: new Float64Array([1, NaN]), taskIds: ['a'], exampleIds: ['x', 'y'] }),
    ).toThrow(
      'entry at row 1 (task "a"), column 2 (example "y") is NaN, not a finite number, and no observed mask was given',
    );
  });

  test('fromNll computes after − before', () => {
    const m = ForgettingMatrix.fromNll(new Float64Array([2, 3, 1, 1]), new Float64Array([1, 2]), {
      taskIds: ['a', 'b'],
      exampleIds: ['x', 'y'],
    });
    expect(Array.from(m.values)).toEqual([1, 1, 0, -1]);
  });
});

describe('ForgettingMatrix.fromNll', () => {
  test('after − before per example (worked by hand); a wrong-length before is a shape error', () => {
    const z = ForgettingMatrix.fromNll(new Float64Array([2, 3, 5, 1]), new Float64Array([1, 2]), {
      taskIds: ['a', 'b'],
      exampleIds: ['x', 'y'],
    });
    expect(Array.from(z.toFloat64())).toEqual([1, 1, 4, -1]);
    expect(() =>
      ForgettingMatrix.fromNll(new Float64Array(4), new Float64Array(3), {
        taskIds: ['a', 'b'],
        exampleIds: ['x', 'y'],
      }),
    ).toThrow('nllBefore has 3 entries, expected 2');
  });

  test('selectCols keeps the mask and nllBefore of the chosen columns', () => {
    const z = new ForgettingMatrix({
      values: new Float64Array([1, 2, 3, 4, Number.NaN, 6]),
      observed: new Uint8Array([1, 1, 1, 1, 0, 1]),
      taskIds: ['a', 'b'],
      exampleIds: ['x', 'y', 'w'],
      nllBefore: new Float64Array([0.1, 0.2, 0.3]),
    });
    const c = z.selectCols([2, 1]);
    expect(Array.from(c.toFloat64())).toEqual([3, 2, 6, Number.NaN]);
    expect(c.isObserved(1, 1)).toBe(false);
    expect(c.exampleIds).toEqual(['w', 'y']);
    expect(Array.from(c.nllBefore ?? [])).toEqual([0.3, 0.2]);
  });
});
