import { ForgetscopeError, type ErrorLocation } from '../../util/errors.js';

/**
 * The first entry of `data` that is not a finite number (or, with `nonNegative`, is below zero), or
 * -1 when every entry is fine. One pass, no allocation.
 * @example firstBadEntry(Float64Array.of(1, NaN, 2)); // 1
 */
export function firstBadEntry(data: ArrayLike<number>, nonNegative = false): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === undefined || !Number.isFinite(v) || (nonNegative && v < 0)) return i;
  }
  return -1;
}

/** A tensor as the checks see it: a name, its values, and optionally its shape (for the index). */
export interface CheckedTensor {
  name: string;
  data: ArrayLike<number>;
  shape?: readonly number[];
}

/**
 * Throws an `input` error naming the tensor, the entry (as `[i, j]` when the shape is known) and the
 * value when a tensor holds a non-finite entry (or a negative one with `nonNegative`): a NaN weight or
 * Fisher value must stop the method rather than spread through it.
 * @example checkTensorValues([{ name: 'w', data: Float64Array.of(0, -1), shape: [2] }], 'Fisher diagonal', { nonNegative: true, where: { file: 'a.safetensors' } });
 * // throws "a.safetensors: tensor "w" (Fisher diagonal) entry [1] is -1; expected finite values ≥ 0"
 */
export function checkTensorValues(
  tensors: readonly CheckedTensor[],
  what: string,
  options: { nonNegative?: boolean; where?: ErrorLocation } = {},
): void {
  for (const t of tensors) {
    const i = firstBadEntry(t.data, options.nonNegative ?? false);
    if (i < 0) continue;
    const index = t.shape && t.shape.length > 0 ? unravel(i, t.shape) : [i];
    const expected = options.nonNegative ? 'finite values ≥ 0' : 'finite values';
    throw new ForgetscopeError(
      'input',
      `tensor "${t.name}" (${what}) entry [${index.join(', ')}] is ${String(t.data[i])}; expected ${expected}`,
      options.where ?? {},
    );
  }
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d] || 1;
    out[d] = flat % n;
    flat = Math.floor(flat / n);
  }
  return out;
}
