import { signNormalise } from '../../src/analysis/signNormalise.js';

describe('signNormalise', () => {
  test('flips a component whose largest-magnitude right entry is negative (worked by hand)', () => {
    // k = 2; right is 3×2, left is 2×2 (row-major). Component 0: right column [-3, 1, 2] → largest |x| is -3: flip.
    // Component 1: right column [0.5, -0.5, 0.25] → tie between 0.5 and -0.5 goes to the first (positive): keep.
    const left = Float64Array.of(1, 2, 3, 4);
    const right = Float64Array.of(-3, 0.5, 1, -0.5, 2, 0.25);
    signNormalise(left, right, 2);
    expect(Array.from(left)).toEqual([-1, 2, -3, 4]);
    expect(Array.from(right)).toEqual([3, 0.5, -1, -0.5, -2, 0.25]);
  });

  test('the product left·rightᵀ is unchanged', () => {
    const left = Float64Array.of(1, -2);
    const right = Float64Array.of(0.5, -4, 1);
    const before = [...right].map((r) => [...left].map((l) => l * r));
    signNormalise(left, right, 1);
    expect([...right].map((r) => [...left].map((l) => l * r))).toEqual(before);
    expect(Array.from(right)).toEqual([-0.5, 4, -1]);
  });
});
