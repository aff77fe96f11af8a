import { stringifyResult, toJSONValue } from '../../src/util/json.js';

describe('toJSONValue / stringifyResult', () => {
  test('typed arrays become arrays, non-finite numbers null, Maps objects, undefined and functions dropped', () => {
    const value = {
      a: Float64Array.of(1.5, Number.NaN, Number.POSITIVE_INFINITY),
      b: new Map<string | number, unknown>([
        [1, -Infinity],
        ['x', 'y'],
      ]),
      c: undefined,
      d: () => 1,
      e: [null, undefined, true, 10n],
      f: Int32Array.of(-2),
    };
    expect(toJSONValue(value)).toEqual({
      a: [1.5, null, null],
      b: { 1: null, x: 'y' },
      e: [null, null, true, 10],
      f: [-2],
    });
    expect(stringifyResult(value)).toBe(
      '{"a":[1.5,null,null],"b":{"1":null,"x":"y"},"e":[null,null,true,10],"f":[-2]}',
    );
    expect(stringifyResult({ k: 1 }, 2)).toBe('{\n  "k": 1\n}');
  });

  test('a missing value is never a number', () => {
    expect(toJSONValue(Number.NaN)).toBeNull();
    expect(toJSONValue(undefined)).toBeNull();
    expect(toJSONValue(0)).toBe(0);
  });
});
