import { checkTensorValues, firstBadEntry } from '../../../src/methods/shared/checkValues.js';
import { ForgetscopeError } from '../../../src/util/errors.js';

describe('firstBadEntry', () => {
  test('finds the first non-finite entry, and with nonNegative the first negative one', () => {
    expect(firstBadEntry(Float64Array.of(1, 2, 3))).toBe(-1);
    expect(firstBadEntry(Float64Array.of(1, NaN, Infinity))).toBe(1);
    expect(firstBadEntry(Float32Array.of(0, -Infinity))).toBe(1);
    expect(firstBadEntry(Float64Array.of(0, -0.5, NaN))).toBe(2);
    expect(firstBadEntry(Float64Array.of(0, -0.5, NaN), true)).toBe(1);
    expect(firstBadEntry(Float64Array.of(-0), true)).toBe(-1); // -0 is not below zero
  });
});

describe('checkTensorValues', () => {
  test('names the tensor, the entry as a row-major index and the value', () => {
    const w = { name: 'layer.w', shape: [2, 3], data: Float64Array.of(0, 1, 2, 3, NaN, 5) };
    expect(() => checkTensorValues([w], 'weights', { where: { file: 'm.safetensors' } })).toThrow(
      'm.safetensors: tensor "layer.w" (weights) entry [1, 1] is NaN; expected finite values',
    );
    const f = { name: 'b', data: Float64Array.of(0.1, -2) };
    expect(() => checkTensorValues([f], 'Fisher diagonal', { nonNegative: true })).toThrow(
      'tensor "b" (Fisher diagonal) entry [1] is -2; expected finite values ≥ 0',
    );
    expect(() =>
      checkTensorValues(
        [{ name: 'c', shape: [2, 2, 2], data: Float64Array.from({ length: 8 }, (_, k) => (k === 7 ? Infinity : k)) }],
        'x',
      ),
    ).toThrow('entry [1, 1, 1] is Infinity');
    expect(() => checkTensorValues([w], 'weights')).toThrow(ForgetscopeError);
    checkTensorValues([{ name: 'ok', data: Float64Array.of(0, 1) }], 'weights', { nonNegative: true });
  });
});
