import { Fa, Fb } from './seed002.js';
import { compareFisher } from '../../../src/methods/fisher/compareFisher.js';

// Worked tests of seed-002 §4.
describe('Fisher importance (seed 002)', () => {
  test('compareFisher: per tensor and overall', () => {
    const a = [
      { name: 'x', data: Float64Array.from(Fa.slice(0, 4)) },
      { name: 'y', data: Float64Array.from(Fa.slice(4)) },
    ];
    const b = [
      { name: 'x', data: Float64Array.from(Fb.slice(0, 4)) },
      { name: 'y', data: Float64Array.from(Fb.slice(4)) },
    ];
    const r = compareFisher(a, b, {
      top: 0.5,
      update: [
        { name: 'x', data: Float64Array.of(1, 0, 0, 0) },
        { name: 'y', data: Float64Array.of(0, 0, 0, 2) },
      ],
      lambda: 2,
    });
    expect(r.overall.jaccard).toBeCloseTo(1 / 3, 12);
    expect(r.overall.cosine).toBeCloseTo(0.840498, 6);
    // x: A top2 {0,2}, B top2 {0,1} → 1/3; y: A {4,6}→{0,2}, B {4,7}→{0,3} → 1/3
    expect(r.tensors[0]!.jaccard).toBeCloseTo(1 / 3, 12);
    expect(r.tensors[1]!.jaccard).toBeCloseTo(1 / 3, 12);
    expect(r.tensors[0]!.ewc).toBeCloseTo(0.9, 12);
    expect(r.tensors[1]!.ewc).toBeCloseTo(0.2 * 4, 12);
    expect(r.overall.ewc).toBeCloseTo(1.7, 12);
    expect(() => compareFisher(a, [b[0]!])).toThrow(/not in the second/);
  });
});

describe('compareFisher input checks', () => {
  const a = [{ name: 'w', data: Float64Array.of(0.5, 0.1, 0.2) }];
  test('NaN or negative Fisher values, non-finite updates, and bad q or lambda are input errors', () => {
    expect(() => compareFisher([{ name: 'w', data: Float64Array.of(0.5, NaN, 0.2) }])).toThrow(
      'tensor "w" (Fisher diagonal A) entry [1] is NaN',
    );
    expect(() => compareFisher(a, [{ name: 'w', data: Float64Array.of(0.5, 0.1, -0.2) }])).toThrow(
      'tensor "w" (Fisher diagonal B) entry [2] is -0.2',
    );
    expect(() =>
      compareFisher(a, undefined, { update: [{ name: 'w', data: Float64Array.of(Infinity, 0, 0) }] }),
    ).toThrow('tensor "w" (update) entry [0] is Infinity');
    expect(() => compareFisher(a, undefined, { top: 0 })).toThrow('top fraction must be in (0, 1], got 0');
    expect(() => compareFisher(a, undefined, { lambda: -1 })).toThrow('lambda must be a finite number ≥ 0, got -1');
  });

  test('valid input still gives the hand-computed EWC penalty: (λ/2)·Σ F·Δ²', () => {
    const r = compareFisher(a, undefined, { lambda: 2, update: [{ name: 'w', data: Float64Array.of(1, 2, -1) }] });
    // (2/2)·(0.5·1 + 0.1·4 + 0.2·1) = 1.1
    expect(r.overall.ewc).toBeCloseTo(1.1, 14);
  });
});
